import type { EntityManager } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message, SurfacePost, SurfaceThread } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { reviseOwnMessage } from '../../../src/use-cases/revise-own-message.ts';
import { appendMessage, openConversation } from '../../../src/use-cases/timeline.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';

// What an agent's edit or deletion on a chat surface may change (revise-own-message), beyond
// revise-own-message.test.ts: found by mutation testing (npm run mutation:use-cases).
const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});
const ctx = () => ({ em: db.em() });
const alice = () => userActor(ws.alice.id);

async function fromSlack(messageId: string) {
  const sourceRef = `slack:C_SUPPORT:${messageId}`;
  await db.em().nativeUpdate(Message, { id: messageId }, { sourceRef });
  return sourceRef;
}

/** Two customer messages five minutes apart, then a queued reply from Alice. */
async function twoQuestionsAndAReply(t0: Date) {
  const { contact } = await seedContact(db.em(), ws.account);
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  return db.em().transactional(async (tx) => {
    const em = tx as EntityManager;
    const common = { channel: 'whatsapp', endpoint: ws.whatsapp } as const;
    const conv = await openConversation(em, {
      account: ws.account,
      group: ws.group,
      contact,
      ...common,
      direction: 'inbound',
      identified: true,
      visibleToIds: null,
      now: at(0),
    });
    await appendMessage(em, conv, { kind: 'inbound', text: 'Where is it?', ...common, now: at(0) });
    await appendMessage(em, conv, { kind: 'inbound', text: 'Hello?', ...common, now: at(5) });
    const reply = await appendMessage(em, conv, {
      kind: 'reply',
      text: 'Coming',
      author: ws.alice,
      ...common,
      deliver: true,
      now: at(6),
    });
    return { conv, reply };
  });
}

describe('revising an own message', () => {
  it('R5: a note is internal: an edit always applies, a deletion on the surface leaves it in Parley', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const note = await db.em().transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, conv.id);
      return appendMessage(tx as EntityManager, c, {
        kind: 'note',
        text: 'Cal her',
        author: ws.alice,
        now: new Date(),
      });
    });
    const sourceRef = await fromSlack(note.id);
    const edited = await reviseOwnMessage(ctx(), alice(), {
      sourceRef,
      change: { kind: 'edit', text: 'Call her' },
    });
    expect(edited).toMatchObject({ outcome: 'edited', messageId: note.id });
    expect(edited.events).toEqual([
      {
        type: 'message.delivery_changed',
        conversationId: conv.id,
        groupId: ws.group.id,
        messageId: note.id,
        state: 'note',
      },
    ]);
    const withdrawn = await reviseOwnMessage(ctx(), alice(), { sourceRef, change: { kind: 'withdraw' } });
    expect(withdrawn.outcome).toBe('already_sent');
    const after = await db.em().findOneOrFail(Message, note.id);
    expect(after.text).toBe('Call her');
    expect(after.deliveryState).toBeNull();
    expect(after.meta).not.toHaveProperty('withdrawn');
  });

  it('R7: a template reply cannot be edited: its text is the approved template', async () => {
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    await db
      .em()
      .nativeUpdate(
        Message,
        { id: reply.id },
        { template: { name: 'order_update', language: 'en', parameters: [] } },
      );
    const sourceRef = await fromSlack(reply.id);
    const error = await reviseOwnMessage(ctx(), alice(), {
      sourceRef,
      change: { kind: 'edit', text: 'Changed' },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAppError(error) && error.code).toBe('rule_violation');
    expect((error as Error).message).toBe('A template message cannot be edited.');
    expect((await db.em().findOneOrFail(Message, reply.id)).text).toBe('Your order shipped');
  });

  it('R29: an edited queued reply stays queued and is marked revised, not withdrawn', async () => {
    const { conv, reply } = await conversationWithQueuedReply(db.em(), ws);
    const sourceRef = await fromSlack(reply.id);
    const r = await reviseOwnMessage(ctx(), alice(), {
      sourceRef,
      change: { kind: 'edit', text: 'Shipped today' },
    });
    expect(r.events).toEqual([
      {
        type: 'message.delivery_changed',
        conversationId: conv.id,
        groupId: ws.group.id,
        messageId: reply.id,
        state: 'queued',
      },
    ]);
    const after = await db.em().findOneOrFail(Message, reply.id);
    expect(after.deliveryState).toBe('queued');
    expect(after.meta).toMatchObject({ revisedAt: expect.any(String) });
    expect(after.meta).not.toHaveProperty('withdrawn');
    expect((await db.em().findOneOrFail(Conversation, conv.id)).unrepliedCount).toBe(0);
  });

  it('R11/R29: a withdrawn reply is failed with its reason, and the customer waits since their oldest message', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    const { conv, reply } = await twoQuestionsAndAReply(t0);
    const sourceRef = await fromSlack(reply.id);
    const r = await reviseOwnMessage(ctx(), alice(), { sourceRef, change: { kind: 'withdraw' } });
    expect(r.events).toEqual([
      {
        type: 'message.delivery_changed',
        conversationId: conv.id,
        groupId: ws.group.id,
        messageId: reply.id,
        state: 'failed',
      },
    ]);
    const after = await db.em().findOneOrFail(Message, reply.id);
    expect(after.deliveryReason).toBe('Withdrawn by its author before it was sent.');
    expect(after.meta).toMatchObject({ withdrawn: true });
    const c = await db.em().findOneOrFail(Conversation, conv.id);
    expect(c.unrepliedCount).toBe(2);
    expect(c.oldestUnrepliedAt?.toISOString()).toBe(t0.toISOString());
  });
});

describe('what a revision touches', () => {
  it("R28: only the revised message's posts in other threads are marked for a redraw", async () => {
    const { conv, reply } = await conversationWithQueuedReply(db.em(), ws);
    const em = db.em();
    const thread = em.create(SurfaceThread, {
      conversation: em.getReference(Conversation, conv.id),
      surface: 'slack',
      place: 'C_SUPPORT',
      ref: { ts: '9.1' },
    });
    const inbound = await em.findOneOrFail(Message, { conversation: conv.id, kind: 'inbound' });
    const revised = em.create(SurfacePost, { thread, message: em.getReference(Message, reply.id), ref: {} });
    const other = em.create(SurfacePost, {
      thread,
      message: em.getReference(Message, inbound.id),
      ref: {},
      shownState: 'shown',
    });
    await em.flush();
    const sourceRef = await fromSlack(reply.id);
    await reviseOwnMessage(ctx(), alice(), { sourceRef, change: { kind: 'edit', text: 'Shipped' } });
    expect((await db.em().findOneOrFail(SurfacePost, revised.id)).shownState).toBe('revised');
    expect((await db.em().findOneOrFail(SurfacePost, other.id)).shownState).toBe('shown');
  });

  it('R11: after a withdrawal, messages an earlier reply answered stay answered', async () => {
    const t0 = new Date('2026-03-03T09:00:00Z');
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    const { contact } = await seedContact(db.em(), ws.account);
    const { conv, reply } = await db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      const common = { channel: 'whatsapp', endpoint: ws.whatsapp } as const;
      const c = await openConversation(em, {
        account: ws.account,
        group: ws.group,
        contact,
        ...common,
        direction: 'inbound',
        identified: true,
        visibleToIds: null,
        now: at(0),
      });
      await appendMessage(em, c, { kind: 'inbound', text: 'First question', ...common, now: at(0) });
      await appendMessage(em, c, { kind: 'reply', text: 'Answered', author: ws.bob, ...common, now: at(1) });
      await appendMessage(em, c, { kind: 'inbound', text: 'Second question', ...common, now: at(5) });
      const r = await appendMessage(em, c, {
        kind: 'reply',
        text: 'Oops',
        author: ws.alice,
        ...common,
        deliver: true,
        now: at(6),
      });
      return { conv: c, reply: r };
    });
    const sourceRef = await fromSlack(reply.id);
    await reviseOwnMessage(ctx(), alice(), { sourceRef, change: { kind: 'withdraw' } });
    const after = await db.em().findOneOrFail(Conversation, conv.id);
    expect(after.unrepliedCount).toBe(1);
    expect(after.oldestUnrepliedAt?.toISOString()).toBe(at(5).toISOString());
  });
});
