import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { replyInOpenConversation } from '../../../src/use-cases/reply-in-open-conversation.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import {
  closeDirectly,
  conversationRow,
  ctxAt,
  customerWrites,
  hoursAfter,
  messagesOf,
  rowsWithout,
} from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

const t0 = new Date('2026-03-02T10:00:00Z');
const source = (key: string) => ({
  key,
  origin: { surface: 'slack', ref: { channel: 'C_SUPPORT', ts: key, thread_ts: '1.0' } },
});

/** A customer who wrote twice on WhatsApp (two messages awaiting a reply, R11). */
async function waitingCustomer() {
  const { phone } = await seedContact(db.em(), ws.account);
  const first = await customerWrites(db, { from: phone, text: 'Hello?', at: t0 });
  await customerWrites(db, { from: phone, text: 'Anyone?', at: hoursAfter(t0, 1) });
  return first.conversationId;
}

/** Everything a reply changes, without the ids and clocks that differ between two conversations. */
async function rowsOf(conversationId: string) {
  const sql = db.em().getConnection();
  const conversation = await conversationRow(db, conversationId);
  const messages = await rowsWithout(
    db,
    'select * from message where conversation_id = ? order by seq',
    [conversationId],
    ['id', 'conversation_id', 'provider_message_id', 'source_ref', 'meta'],
  );
  const reads = (await sql.execute(
    'select user_id, last_read_seq, updated_at from read_state where conversation_id = ?',
    [conversationId],
  )) as Record<string, unknown>[];
  return { conversation, messages, reads };
}

describe('a plain reply in an open conversation (two statements)', () => {
  it('R11/R12/R29: stores the same reply, counters and read marker as the full path, and records the same events', async () => {
    const [fastConv, fullConv] = [await waitingCustomer(), await waitingCustomer()];
    const at = hoursAfter(t0, 2);
    const fast = await replyInOpenConversation(
      db.em(),
      { userId: ws.alice.id, conversationId: fastConv, text: 'On it 🚚', source: source('1.1') },
      at,
    );
    expect(fast).not.toBeNull();
    // Naming the channel takes the full path (the same channel, so the same reply).
    const full = await sendReply(ctxAt(db, at), userActor(ws.alice.id), {
      conversationId: fullConv,
      text: 'On it 🚚',
      channel: 'whatsapp',
      source: source('1.2'),
    });
    expect(await rowsOf(fastConv)).toEqual(await rowsOf(fullConv));
    const reply = (await messagesOf(db.em(), fastConv)).at(-1)!;
    expect([reply.kind, reply.text, reply.deliveryState, reply.sourceRef, reply.meta]).toEqual([
      'reply',
      'On it 🚚',
      'queued',
      '1.1',
      { origin: source('1.1').origin },
    ]);
    const shape = (events: { type: string }[]) => events.map(({ type }) => type);
    expect(shape(fast!.events)).toEqual(shape(full.events));
    expect(fast!.events[0]).toMatchObject({ type: 'message.created', kind: 'reply', messageId: reply.id });
  });

  it('R29: the same platform message again is refused by its key, and nothing more is stored', async () => {
    const conversationId = await waitingCustomer();
    const reply = { userId: ws.alice.id, conversationId, text: 'Once', source: source('2.1') };
    await replyInOpenConversation(db.em(), reply, hoursAfter(t0, 2));
    await expect(replyInOpenConversation(db.em(), reply, hoursAfter(t0, 2))).rejects.toThrow(/source_ref/);
    expect((await messagesOf(db.em(), conversationId)).map((m) => m.text)).toEqual([
      'Hello?',
      'Anyone?',
      'Once',
    ]);
  });

  it('R7/R17/R22/R33/R36: leaves to the full path what it does not decide, writing nothing', async () => {
    const at = hoursAfter(t0, 2);
    const attempt = (conversationId: string, userId = ws.alice.id, now = at) =>
      replyInOpenConversation(db.em(), { userId, conversationId, text: 'x', source: null }, now);
    const untouched = async (conversationId: string) =>
      expect((await messagesOf(db.em(), conversationId)).map((m) => m.kind)).toEqual(['inbound', 'inbound']);

    const closed = await waitingCustomer();
    await closeDirectly(db, closed);
    expect(await attempt(closed)).toBeNull();

    const restricted = await waitingCustomer();
    await db.em().nativeUpdate(Conversation, { id: restricted }, { visibleToIds: [ws.bob.id] });
    expect(await attempt(restricted)).toBeNull();

    const windowClosed = await waitingCustomer();
    expect(await attempt(windowClosed, ws.alice.id, hoursAfter(t0, 26))).toBeNull();

    const otherGroup = await waitingCustomer();
    expect(await attempt(otherGroup, ws.carol.id)).toBeNull();

    const inactive = await waitingCustomer();
    await db.em().nativeUpdate(User, { id: ws.bob.id }, { active: false });
    expect(await attempt(inactive, ws.bob.id)).toBeNull();
    await db.em().nativeUpdate(User, { id: ws.bob.id }, { active: true });

    const draft = await waitingCustomer();
    const em = db.em();
    const conv = await em.findOneOrFail(Conversation, { id: draft });
    em.create(Message, {
      account: conv.account,
      conversation: conv,
      seq: 99,
      kind: 'ai_draft',
      text: 'A draft',
      draftState: 'pending',
      createdAt: at,
    });
    await em.flush();
    expect(await attempt(draft)).toBeNull();

    for (const id of [closed, restricted, windowClosed, otherGroup, inactive]) await untouched(id);
    // The full path then decides: here the reply drops the waiting draft (R36).
    await sendReply(ctxAt(db, at), userActor(ws.alice.id), { conversationId: draft, text: 'Mine' });
    const drafts = (await messagesOf(db.em(), draft)).filter((m) => m.kind === 'ai_draft');
    expect(drafts.map((d) => d.draftState)).toEqual(['dropped']);
  });
});
