import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import { myInbox } from '../../src/queries/my-inbox.ts';
import { teamInbox } from '../../src/queries/team-inbox.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, markRead, seedConversation, seedInternalChat, workspace } from './support.ts';

const db = await createTestDb();
const { ws, viewers } = await workspace(db);
const now = clock();

const older = await seedConversation(db, ws, now, { contactName: 'Olga Older' });
const assigned = await seedConversation(db, ws, now, {
  contactName: 'Ana Assigned',
  assignees: [ws.bob],
  messages: [
    { kind: 'inbound', text: 'Where is my parcel?' },
    { kind: 'note', text: 'Checking with the courier', author: ws.bob },
  ],
});
const closed = await seedConversation(db, ws, now, { contactName: 'Cleo Closed', status: 'closed' });
const sales = await seedConversation(db, ws, now, { contactName: 'Sam Sales', group: ws.otherGroup });
const answered = await seedConversation(db, ws, now, {
  contactName: 'Rita Replied',
  messages: [
    { kind: 'inbound', text: 'Hi' },
    { kind: 'reply', text: 'Hello Rita, how can we help?', author: ws.alice },
  ],
});
await markRead(db, ws.alice, answered);
const chatAliceBob = await seedInternalChat(db, ws, ws.alice, ws.bob, ['Can you take #1002?'], now());
const chatAdminBob = await seedInternalChat(
  db,
  ws,
  ws.admin,
  ws.bob,
  ['Private between admin and Bob'],
  now(),
);

describe('Team inbox', () => {
  it('R9: lists every open conversation of the group, assigned ones included, newest first', async () => {
    const page = await teamInbox(db.em(), viewers.alice);
    const conversations = page.items.filter((i) => i.kind === 'conversation');
    expect(conversations.map((i) => i.contactName)).toEqual(['Rita Replied', 'Ana Assigned', 'Olga Older']);
    expect(conversations.map((i) => i.id)).not.toContain(closed.id);
    expect(conversations.map((i) => i.id)).not.toContain(sales.id);
    const item = conversations.find((i) => i.id === assigned.id);
    expect(item).toMatchObject({
      number: assigned.number,
      kind: 'conversation',
      status: 'open',
      channel: 'whatsapp',
      assigneeIds: [ws.bob.id],
      restricted: false,
      unrepliedCount: 1,
      unread: true,
      preview: 'Checking with the courier',
      previewKind: 'note',
    });
  });

  it('R12: a conversation the viewer read to its end is not unread; one with newer messages is', async () => {
    const page = await teamInbox(db.em(), viewers.alice);
    expect(page.items.find((i) => i.id === answered.id)?.unread).toBe(false);
    expect(page.items.find((i) => i.id === older.id)?.unread).toBe(true);
    // Read state is per user: Bob has not read it.
    const bobs = await teamInbox(db.em(), viewers.bob);
    expect(bobs.items.find((i) => i.id === answered.id)?.unread).toBe(true);
  });

  it('R9: closed conversations are listed on request (status closed or all)', async () => {
    const closedPage = await teamInbox(db.em(), viewers.alice, { status: 'closed' });
    expect(closedPage.items.map((i) => i.id)).toEqual([closed.id]);
    const all = await teamInbox(db.em(), viewers.alice, { status: 'all' });
    expect(all.items.map((i) => i.id)).toContain(closed.id);
    expect(all.items.map((i) => i.id)).toContain(older.id);
  });

  it('R25: internal chats appear as internal, only the ones the viewer takes part in', async () => {
    const alices = await teamInbox(db.em(), viewers.alice);
    const internal = alices.items.filter((i) => i.kind === 'internal');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatchObject({
      id: chatAliceBob.id,
      number: null,
      channel: 'internal',
      contactName: 'Bob',
      preview: 'Can you take #1002?',
    });
    const bobs = await teamInbox(db.em(), viewers.bob);
    expect(
      bobs.items
        .filter((i) => i.kind === 'internal')
        .map((i) => i.id)
        .sort(),
    ).toEqual([chatAliceBob.id, chatAdminBob.id].sort());
    expect(JSON.stringify(alices)).not.toContain('Private between admin and Bob');
  });

  it('R25: internal chats newest first among conversations, and left out when a customer-only filter is set', async () => {
    const page = await teamInbox(db.em(), viewers.bob);
    expect(page.items[0]?.id).toBe(chatAdminBob.id);
    const unreplied = await teamInbox(db.em(), viewers.bob, { unreplied: true });
    expect(unreplied.items.every((i) => i.kind === 'conversation')).toBe(true);
  });

  it('R9: one group can be asked for; a group the viewer is not in is refused', async () => {
    const page = await teamInbox(db.em(), viewers.carol, { groupId: ws.otherGroup.id });
    expect(page.items.map((i) => i.id)).toEqual([sales.id]);
    const refused = await teamInbox(db.em(), viewers.carol, { groupId: ws.group.id }).catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused.code).toBe('forbidden');
  });

  it('R9: pages follow a keyset cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await teamInbox(db.em(), viewers.bob, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const whole = await teamInbox(db.em(), viewers.bob, { limit: 100 });
    expect(seen).toEqual(whole.items.map((i) => i.id));
    expect(new Set(seen).size).toBe(5);
  });

  it('R9: a tampered cursor is refused with a way forward', async () => {
    const err = await teamInbox(db.em(), viewers.alice, { cursor: 'not-a-cursor' }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('bad_request');
  });
});

describe('My inbox', () => {
  it("R9: lists only the open conversations assigned to the viewer, plus the viewer's internal chats (R25)", async () => {
    const bobs = await myInbox(db.em(), viewers.bob);
    expect(bobs.items.filter((i) => i.kind === 'conversation').map((i) => i.id)).toEqual([assigned.id]);
    expect(bobs.items.filter((i) => i.kind === 'internal')).toHaveLength(2);
    const alices = await myInbox(db.em(), viewers.alice);
    expect(alices.items.filter((i) => i.kind === 'conversation')).toEqual([]);
    expect(alices.items.map((i) => i.id)).toEqual([chatAliceBob.id]);
  });

  it("R15: an assignee filter cannot widen My inbox to someone else's conversations", async () => {
    const page = await myInbox(db.em(), viewers.alice, { assigneeId: ws.bob.id } as never);
    expect(page.items.map((i) => i.id)).not.toContain(assigned.id);
  });
});
