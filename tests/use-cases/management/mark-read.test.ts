import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/db/entities/index.ts';
import { markRead, markUnread } from '../../../src/use-cases/mark-read.ts';
import { appendMessage } from '../../../src/use-cases/timeline.ts';
import { createTestDb } from '../../support/test-db.ts';
import { isConversationUnreadFor } from '../../support/unread.ts';
import { as, ctxFor, openConv, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

async function unreadFor(user: { id: string }, conversationId: string) {
  const em = db.em();
  return isConversationUnreadFor(em, user.id, await em.findOneOrFail(Conversation, conversationId));
}

async function customerWritesAgain(conversationId: string) {
  await db.em().transactional(async (tx) => {
    const conv = await tx.findOneOrFail(Conversation, conversationId);
    await appendMessage(tx as EntityManager, conv, { kind: 'inbound', text: 'Any news?', now: new Date() });
  });
}

describe('markRead / markUnread', () => {
  it('R12: a new inbound message is unread for every group member until each one reads it', async () => {
    const conv = await openConv(db, ws);
    for (const user of [ws.admin, ws.alice, ws.bob]) expect(await unreadFor(user, conv.id)).toBe(true);
    const result = await markRead(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect(result).toMatchObject({ lastReadSeq: 1, unread: false });
    expect(result.events).toEqual([
      { type: 'conversation.read', conversationId: conv.id, userId: ws.alice.id },
    ]);
    expect(await unreadFor(ws.alice, conv.id)).toBe(false);
    expect(await unreadFor(ws.bob, conv.id)).toBe(true);
    expect(await unreadFor(ws.admin, conv.id)).toBe(true);
  });

  it('R12: a later customer message makes the conversation unread again for a user who had read it', async () => {
    const conv = await openConv(db, ws);
    await markRead(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    await customerWritesAgain(conv.id);
    expect(await unreadFor(ws.bob, conv.id)).toBe(true);
    await markRead(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    expect(await unreadFor(ws.bob, conv.id)).toBe(false);
  });

  it('R12: mark unread makes the latest message new again for that user only', async () => {
    const conv = await openConv(db, ws, { messages: ['inbound', 'inbound'] });
    await markRead(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    await markRead(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    const result = await markUnread(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect(result).toMatchObject({ lastReadSeq: 1, unread: true });
    expect(await unreadFor(ws.alice, conv.id)).toBe(true);
    expect(await unreadFor(ws.bob, conv.id)).toBe(false);
  });
});

describe("read state and a user's own actions", () => {
  it("R12: a user's own assignment line does not make a conversation they had read unread for them", async () => {
    const { assignConversation } = await import('../../../src/use-cases/assign-conversation.ts');
    const conv = await openConv(db, ws);
    await markRead(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    await markRead(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    await assignConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id, assigneeIds: [ws.bob.id] });
    expect(await unreadFor(ws.alice, conv.id)).toBe(false);
    expect(await unreadFor(ws.bob, conv.id)).toBe(true);
  });
});
