import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { Conversation, User } from '../../src/db/entities/index.ts';
import { dashboardTiles, type TileList, tileList } from '../../src/queries/dashboard-tiles.ts';
import { inboxBadges } from '../../src/queries/inbox-badges.ts';
import { appendMessage } from '../../src/use-cases/timeline.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, markRead, seedConversation, workspace } from './support.ts';

const db = await createTestDb();
const { ws, viewers } = await workspace(db);
const now = clock();
const inbound = (text: string) => ({ kind: 'inbound' as const, text });
const conversationIds = (list: TileList) => {
  if (list.kind !== 'conversations') throw new Error(`${list.tile} lists messages`);
  return list.page.items.map((i) => i.id);
};

const mineWaiting = await seedConversation(db, ws, now, {
  contactName: 'Mia Waiting',
  assignees: [ws.alice],
  messages: [inbound('first question'), inbound('second question')],
});
const mineAnswered = await seedConversation(db, ws, now, {
  contactName: 'Noah Answered',
  assignees: [ws.alice],
  messages: [inbound('hi'), { kind: 'reply', text: 'hello', author: ws.alice }],
});
const nobodys = await seedConversation(db, ws, now, {
  contactName: 'Uma Unassigned',
  messages: [inbound('anyone there?')],
});
await seedConversation(db, ws, now, { contactName: 'Cody Closed', assignees: [ws.alice], status: 'closed' });
await seedConversation(db, ws, now, { contactName: 'Cora Closed', status: 'closed' });
const restricted = await seedConversation(db, ws, now, {
  contactName: 'Rex Restricted',
  visibleTo: [ws.admin],
  messages: [inbound('a'), inbound('b'), inbound('c'), inbound('d')],
});
await seedConversation(db, ws, now, {
  contactName: 'Sally Sales',
  group: ws.otherGroup,
  messages: [inbound('sales?')],
});
await markRead(db, ws.alice, mineAnswered);

describe('dashboard tiles', () => {
  it("R26: the viewer's figures and the group's figures, closed conversations excluded", async () => {
    const t = await dashboardTiles(db.em(), viewers.alice);
    expect({
      assignedToMe: t.assignedToMe,
      myUnreplied: t.myUnreplied,
      unassigned: t.unassigned,
      unreplied: t.unreplied,
    }).toEqual({ assignedToMe: 2, myUnreplied: 2, unassigned: 1, unreplied: 3 });
  });

  it('R26 R17: figures leave out conversations the viewer may not see; a viewer on the list counts them', async () => {
    const admin = await dashboardTiles(db.em(), viewers.admin);
    expect(admin).toMatchObject({ assignedToMe: 0, myUnreplied: 0, unassigned: 2, unreplied: 7 });
    const carol = await dashboardTiles(db.em(), viewers.carol);
    expect(carol).toMatchObject({ assignedToMe: 0, myUnreplied: 0, unassigned: 1, unreplied: 1 });
  });

  it('R26: each tile opens the list behind it, with the same conversations as its figure', async () => {
    const assigned = await tileList(db.em(), viewers.alice, 'assignedToMe');
    expect(conversationIds(assigned)).toEqual([mineAnswered.id, mineWaiting.id]);
    const unassigned = await tileList(db.em(), viewers.alice, 'unassigned');
    expect(conversationIds(unassigned)).toEqual([nobodys.id]);
    const adminUnassigned = await tileList(db.em(), viewers.admin, 'unassigned');
    expect(conversationIds(adminUnassigned)).toEqual([restricted.id, nobodys.id]);
  });

  it('R26: the unreplied tiles open the waiting messages, longest waiting first', async () => {
    const mine = await tileList(db.em(), viewers.alice, 'myUnreplied');
    if (mine.kind !== 'messages') throw new Error('expected messages');
    expect(mine.page.items.map((m) => m.text)).toEqual(['first question', 'second question']);
    expect(mine.page.items[0]).toMatchObject({
      conversationId: mineWaiting.id,
      conversationNumber: mineWaiting.number,
      contactName: 'Mia Waiting',
    });
    expect(mine.page.items[0]!.waitingSince.getTime()).toBeLessThan(
      mine.page.items[1]!.waitingSince.getTime(),
    );
    const group = await tileList(db.em(), viewers.alice, 'unreplied');
    if (group.kind !== 'messages') throw new Error('expected messages');
    expect(group.page.items.map((m) => m.text)).toEqual([
      'first question',
      'second question',
      'anyone there?',
    ]);
  });

  it('R26: the unreplied list pages with a cursor', async () => {
    const first = await tileList(db.em(), viewers.admin, 'unreplied', { limit: 4 });
    expect(first.page.items).toHaveLength(4);
    const second = await tileList(db.em(), viewers.admin, 'unreplied', {
      limit: 4,
      cursor: first.page.nextCursor!,
    });
    expect(second.page.items).toHaveLength(3);
    expect(second.page.nextCursor).toBeNull();
    const texts = [...first.page.items, ...second.page.items].map((m) => (m as { text: string }).text);
    expect(texts).toEqual(['first question', 'second question', 'anyone there?', 'a', 'b', 'c', 'd']);
  });

  it('R26 R11: figures follow the conversation as it changes (a human reply clears my unreplied)', async () => {
    // A conversation of this test's own, seen by Bob alone, so the figures the other tests expect
    // stay as they are whichever tests run and in whatever order.
    const bobs = await seedConversation(db, ws, now, {
      contactName: 'Bea Bob-only',
      assignees: [ws.bob],
      visibleTo: [ws.bob],
      messages: [inbound('where is my order?'), inbound('hello?')],
    });
    // Bob's group also waits on Mia's two messages and Uma's one.
    expect(await dashboardTiles(db.em(), viewers.bob)).toMatchObject({
      assignedToMe: 1,
      myUnreplied: 2,
      unreplied: 5,
    });
    await db.em().transactional(async (tx) => {
      const conv = await tx.findOneOrFail(Conversation, { id: bobs.id });
      await appendMessage(tx as EntityManager, conv, {
        kind: 'reply',
        text: 'on it',
        author: tx.getReference(User, ws.bob.id),
        now: now(),
      });
    });
    const t = await dashboardTiles(db.em(), viewers.bob);
    expect(t).toMatchObject({ assignedToMe: 1, myUnreplied: 0, unreplied: 3 });
    const mine = await tileList(db.em(), viewers.bob, 'myUnreplied');
    expect(mine.page.items).toEqual([]);
  });

  it('R13: tiles come in display order with the unreplied figures marked primary', async () => {
    const t = await dashboardTiles(db.em(), viewers.admin);
    expect(t.tiles.map((x) => [x.key, x.prominence])).toEqual([
      ['myUnreplied', 'primary'],
      ['assignedToMe', 'secondary'],
      ['unreplied', 'primary'],
      ['unassigned', 'secondary'],
    ]);
    expect(t.tiles.find((x) => x.key === 'unreplied')?.count).toBe(t.unreplied);
  });

  it('R13 R12: inbox badges put unreplied before unread, and count unread per viewer', async () => {
    const b = await inboxBadges(db.em(), viewers.alice);
    expect(Object.keys(b.teamInbox)).toEqual(['unreplied', 'unread']);
    expect(Object.keys(b.myInbox)).toEqual(['unreplied', 'unread']);
    // Open and visible to Alice: mineWaiting (2 unreplied, unread), mineAnswered (read), nobodys
    // (1 unreplied, unread).
    expect(b).toEqual({ teamInbox: { unreplied: 3, unread: 2 }, myInbox: { unreplied: 2, unread: 1 } });
    // The admin also sees Rex's 4 unreplied messages, and has read nothing.
    const admin = await inboxBadges(db.em(), viewers.admin);
    expect(admin.teamInbox).toEqual({ unreplied: 7, unread: 4 });
  });
});
