import { describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { conversationDetail } from '../../src/queries/conversation-detail.ts';
import { updateDelivery } from '../../src/use-cases/update-delivery.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, markRead, seedConversation, workspace } from './support.ts';

const db = await createTestDb();
const { ws, viewers } = await workspace(db);
const now = clock();

const conv = await seedConversation(db, ws, now, {
  contactName: 'Dana Customer',
  assignees: [ws.bob],
  visibleTo: [ws.bob, ws.alice],
  messages: [
    { kind: 'inbound', text: 'Is my order shipped? 📦' },
    { kind: 'reply', text: 'Yes, this morning', author: ws.bob, deliver: true },
    { kind: 'note', text: 'Tracking sent by email too', author: ws.bob },
    { kind: 'inbound', text: 'Thanks!' },
  ],
});
{
  // The provider refused Bob's reply.
  const reply = await db.em().findOneOrFail(Message, { conversation: conv.id, seq: 2 });
  await updateDelivery({ em: db.em() }, systemActor, {
    messageId: reply.id,
    state: 'failed',
    reason: 'Window closed',
  });
}
const deleted = await seedConversation(db, ws, now, { status: 'deleted' });

describe('conversation detail', () => {
  it('R17: header shows number, status, contact and identities, channel, assignees, visibility, AI state, unreplied count', async () => {
    const { header } = await conversationDetail(db.em(), viewers.alice, { id: conv.id });
    expect(header).toMatchObject({
      id: conv.id,
      number: conv.number,
      status: 'open',
      channel: 'whatsapp',
      assignees: [{ id: ws.bob.id, name: 'Bob' }],
      visibleTo: [
        { id: ws.bob.id, name: 'Bob' },
        { id: ws.alice.id, name: 'Alice' },
      ],
      restricted: true,
      aiState: 'off',
      unrepliedCount: 1,
      unread: true,
    });
    expect(header.contact.name).toBe('Dana Customer');
    expect(header.contact.identities.map((i) => i.channel).sort()).toEqual(['sms', 'whatsapp']);
  });

  it('R28 R29: timeline in sequence order with kind, author, text and delivery state', async () => {
    const { timeline, hasEarlier } = await conversationDetail(db.em(), viewers.bob, { number: conv.number });
    expect(timeline.map((m) => [m.seq, m.kind, m.author?.name ?? null, m.text])).toEqual([
      [1, 'inbound', null, 'Is my order shipped? 📦'],
      [2, 'reply', 'Bob', 'Yes, this morning'],
      [3, 'note', 'Bob', 'Tracking sent by email too'],
      [4, 'inbound', null, 'Thanks!'],
    ]);
    expect(timeline[1]).toMatchObject({ deliveryState: 'failed', deliveryReason: 'Window closed' });
    expect(timeline[3]?.awaitingReply).toBe(true);
    expect(hasEarlier).toBe(false);
  });

  it('R12: the header says unread until the viewer has read to the latest message', async () => {
    await markRead(db, ws.bob, conv, 4);
    expect((await conversationDetail(db.em(), viewers.bob, { id: conv.id })).header.unread).toBe(false);
  });

  it('R28: a long timeline pages backwards', async () => {
    const last = await conversationDetail(db.em(), viewers.bob, { id: conv.id }, { limit: 2 });
    expect(last.timeline.map((m) => m.seq)).toEqual([3, 4]);
    expect(last.hasEarlier).toBe(true);
    const earlier = await conversationDetail(
      db.em(),
      viewers.bob,
      { id: conv.id },
      { limit: 2, beforeSeq: 3 },
    );
    expect(earlier.timeline.map((m) => m.seq)).toEqual([1, 2]);
    expect(earlier.hasEarlier).toBe(false);
  });

  it('R6 R24: a deleted conversation, an unknown id or a malformed id is not found', async () => {
    for (const id of [deleted.id, '00000000-0000-4000-8000-000000000000', 'garbage']) {
      const err = await conversationDetail(db.em(), viewers.alice, { id }).catch((e) => e);
      expect(err.code).toBe('not_found');
    }
  });

  it('R33: a conversation of another account is not found even by number', async () => {
    const err = await conversationDetail(
      db.em(),
      { ...viewers.alice, accountId: ws.otherGroup.id },
      {
        number: conv.number,
      },
    ).catch((e) => e);
    expect(err.code).toBe('not_found');
  });
});
