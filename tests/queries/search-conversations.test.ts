import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import { prefixTsQuery } from '../../src/queries/conversation-filters.ts';
import { searchConversations } from '../../src/queries/search-conversations.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, markRead, seedConversation, seedInternalChat, workspace } from './support.ts';

const db = await createTestDb();
const { ws, viewers } = await workspace(db);
const now = clock();

const refund = await seedConversation(db, ws, now, {
  contactName: 'Dana Whitfield',
  channel: 'whatsapp',
  assignees: [ws.alice],
  messages: [
    { kind: 'inbound', text: 'I want a refund for order 7781' },
    { kind: 'note', text: 'Customer is a VIP, escalate quickly', author: ws.alice },
  ],
});
const delivery = await seedConversation(db, ws, now, {
  contactName: 'Marco Rossi',
  channel: 'sms',
  messages: [
    { kind: 'inbound', text: 'Delivery was late' },
    { kind: 'reply', text: 'Sorry about that, Marco', author: ws.bob },
  ],
});
const invoice = await seedConversation(db, ws, now, {
  contactName: 'Dana Kowalski',
  channel: 'webchat',
  assignees: [ws.alice, ws.bob],
  messages: [{ kind: 'inbound', text: 'Question about my invoice 😊' }],
});
const closed = await seedConversation(db, ws, now, {
  contactName: 'Dana Whitfield',
  channel: 'whatsapp',
  status: 'closed',
  messages: [{ kind: 'inbound', text: 'Old refund request' }],
});
await seedConversation(db, ws, now, {
  contactName: 'Dana Deleted',
  status: 'deleted',
  messages: [{ kind: 'inbound', text: 'refund gone' }],
});
await markRead(db, ws.bob, delivery);
await seedInternalChat(db, ws, ws.alice, ws.bob, ['refund policy question'], now());

const ids = async (query: Parameters<typeof searchConversations>[2], viewer = viewers.bob) =>
  (await searchConversations(db.em(), viewer, query)).items.map((i) => i.id);

describe('search and filter', () => {
  it('R10 R24: open conversations by default; closed on request; all gives both, never deleted ones', async () => {
    expect(await ids({})).toEqual([invoice.id, delivery.id, refund.id]);
    expect(await ids({ status: 'closed' })).toEqual([closed.id]);
    expect((await ids({ status: 'all' })).sort()).toEqual(
      [invoice.id, delivery.id, refund.id, closed.id].sort(),
    );
  });

  it('R10: by assignee', async () => {
    expect(await ids({ assigneeId: ws.alice.id })).toEqual([invoice.id, refund.id]);
    expect(await ids({ assigneeId: ws.bob.id })).toEqual([invoice.id]);
  });

  it('R10: unassigned', async () => {
    expect(await ids({ unassigned: true })).toEqual([delivery.id]);
  });

  it('R10: by channel', async () => {
    expect(await ids({ channel: 'sms' })).toEqual([delivery.id]);
    expect(await ids({ channel: 'webchat' })).toEqual([invoice.id]);
  });

  it('R10: by contact id or by words of the contact name', async () => {
    expect(await ids({ contactId: refund.contact.id })).toEqual([refund.id]);
    expect(await ids({ contactName: 'dana' })).toEqual([invoice.id, refund.id]);
    expect(await ids({ contactName: 'Dan Kowal' })).toEqual([invoice.id]);
  });

  it('R10: by text in messages, notes included, words matched as prefixes', async () => {
    expect(await ids({ text: 'refund' })).toEqual([refund.id]);
    expect(await ids({ text: 'VIP escalate' })).toEqual([refund.id]);
    expect(await ids({ text: 'invoi' })).toEqual([invoice.id]);
    expect(await ids({ text: 'sorry marco' })).toEqual([delivery.id]);
    expect(await ids({ text: 'nothing like this' })).toEqual([]);
    expect(await ids({ text: 'refund', status: 'all' })).toEqual([closed.id, refund.id]);
  });

  it('R10: text with tsquery operators and quotes is searched as words, never parsed', async () => {
    expect(await ids({ text: "refund' & !(|:*" })).toEqual([refund.id]);
    expect(await ids({ text: '!!! ::' })).toEqual([]);
    expect(prefixTsQuery("a'b & c:*")).toBe('a:* & b:* & c:*');
  });

  it('R10 R12: unread for the viewer', async () => {
    expect(await ids({ unread: true })).toEqual([invoice.id, refund.id]);
    expect(await ids({ unread: false })).toEqual([delivery.id]);
    // Alice has read nothing.
    expect(await ids({ unread: true }, viewers.alice)).toEqual([invoice.id, delivery.id, refund.id]);
  });

  it('R10 R11: unreplied', async () => {
    expect(await ids({ unreplied: true })).toEqual([invoice.id, refund.id]);
    expect(await ids({ unreplied: false })).toEqual([delivery.id]);
  });

  it('R10: filters combine', async () => {
    expect(await ids({ assigneeId: ws.alice.id, channel: 'whatsapp', unreplied: true })).toEqual([refund.id]);
    expect(await ids({ contactName: 'dana', text: 'invoice', unread: true })).toEqual([invoice.id]);
    expect(await ids({ contactName: 'dana', channel: 'sms' })).toEqual([]);
  });

  it('R10: search lists customer conversations only (internal chats are in the inboxes)', async () => {
    const items = (await searchConversations(db.em(), viewers.bob, {})).items;
    expect(items.every((i) => i.kind === 'conversation')).toBe(true);
  });

  it('R10: an invalid filter is refused, naming the filter', async () => {
    const err = await searchConversations(db.em(), viewers.bob, { status: 'pending' as never }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('validation_failed');
    expect(err.message).toContain('status');
  });
});
