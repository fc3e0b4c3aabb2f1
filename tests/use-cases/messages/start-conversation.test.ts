import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, Conversation, Message, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { startConversation } from '../../../src/use-cases/start-conversation.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites, hoursAfter, loadConversation, messagesOf } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

const alice = () => userActor(ws.alice.id);
const start = (
  contact: Contact,
  channel: string,
  more: { text?: string; template?: { name: string; language: string; parameters: string[] } } = {
    text: 'Hello from Acme',
  },
  now?: Date,
) =>
  startConversation(ctxAt(db, now), alice(), {
    groupId: ws.group.id,
    contactId: contact.id,
    channel,
    ...more,
  });

describe('start-conversation', () => {
  it('R7: a user starts a conversation by messaging a contact on a chosen channel; it gets a new id and number', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const a = await start(contact, 'sms');
    expect(a.openedConversation).toBe(true);
    const em = db.em();
    const conv = await loadConversation(em, a.conversationId);
    expect([conv.status, conv.channel, conv.endpoint?.id, conv.number]).toEqual([
      'open',
      'sms',
      ws.sms.id,
      a.conversationNumber,
    ]);
    const msgs = await messagesOf(em, a.conversationId);
    expect(msgs.map((m) => [m.kind, m.text, m.deliveryState, m.author?.id])).toEqual([
      ['reply', 'Hello from Acme', 'queued', ws.alice.id],
    ]);
    expect(a.events.map((e) => e.type)).toEqual([
      'conversation.opened',
      'message.created',
      'conversation.read',
    ]);
  });

  it('R7: webchat to a contact without a portal profile is refused with a clear reason, and nothing is created', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    await expect(start(contact, 'webchat')).rejects.toMatchObject({
      code: 'channel_refused',
      message: expect.stringContaining('portal profile'),
      details: { rule: 'R7', reason: 'no_portal_profile' },
    });
    expect(await db.em().count(Conversation, { contact })).toBe(0);
  });

  it('R7: webchat to a known customer with a portal profile is delivered', async () => {
    const { contact } = await seedContact(db.em(), ws.account, { portalId: 'cust-981' });
    const res = await start(contact, 'webchat');
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect([msg.channel, msg.endpoint?.id, msg.deliveryState]).toEqual(['webchat', ws.webchat.id, 'queued']);
  });

  it('R7: a free-form WhatsApp message outside the 24-hour window is refused; a template message is the way in', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    await expect(start(contact, 'whatsapp')).rejects.toMatchObject({
      code: 'channel_refused',
      message: expect.stringContaining('template'),
      details: { rule: 'R7', reason: 'window_closed' },
    });
    const res = await start(contact, 'whatsapp', {
      template: { name: 'hello', language: 'en', parameters: ['Dana'] },
    });
    expect(res.openedConversation).toBe(true);
  });

  it("R7: the WhatsApp window counts the contact's latest inbound message in any conversation (here a closed one)", async () => {
    const t0 = new Date('2026-02-01T08:00:00Z');
    const { contact, phone } = await seedContact(db.em(), ws.account);
    const first = await customerWrites(db, { from: phone, at: t0 });
    const em = db.em();
    (await em.findOneOrFail(Conversation, { id: first.conversationId })).status = 'closed';
    await em.flush();
    const res = await start(contact, 'whatsapp', { text: 'Following up' }, hoursAfter(t0, 2));
    expect(res.conversationId).not.toBe(first.conversationId);
    await expect(start(contact, 'whatsapp', { text: 'Too late' }, hoursAfter(t0, 48))).rejects.toMatchObject({
      code: 'channel_refused',
    });
  });

  it('R7: SMS to a number that opted out (STOP) is refused with a clear reason', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const em = db.em();
    (await em.findOneOrFail(Contact, { id: contact.id })).optedOutChannels = ['sms'];
    await em.flush();
    await expect(start(contact, 'sms')).rejects.toMatchObject({
      code: 'channel_refused',
      message: expect.stringContaining('opted out'),
      details: { rule: 'R7', reason: 'opted_out' },
    });
  });

  it("R16, R34: an outbound conversation takes the contact's default assignees and default visibility", async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const em = db.em();
    const c = await em.findOneOrFail(Contact, { id: contact.id });
    c.defaultAssigneeIds = [ws.bob.id];
    c.defaultVisibleToIds = [ws.alice.id, ws.bob.id];
    await em.flush();
    const res = await start(contact, 'sms');
    const conv = await loadConversation(db.em(), res.conversationId);
    expect([conv.assigneeIds, conv.visibleToIds]).toEqual([[ws.bob.id], [ws.alice.id, ws.bob.id]]);
  });

  it("R34: a user off a confidential contact's list cannot start a conversation with them, and the refusal names nothing", async () => {
    const { contact } = await seedContact(db.em(), ws.account, { name: 'Dana Confidential' });
    const em = db.em();
    const c = await em.findOneOrFail(Contact, { id: contact.id });
    c.defaultVisibleToIds = [ws.bob.id];
    // Opted out of SMS: the channel refusal would name her; the privacy refusal comes first.
    c.optedOutChannels = ['sms'];
    await em.flush();
    const error = await start(contact, 'sms').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', details: { rule: 'R17' } });
    expect(String((error as Error).message)).not.toContain('Dana');
    expect(await db.em().count(Conversation, { contact: contact.id })).toBe(0);
  });

  it('R2: when the contact already has an open conversation in the group, the message joins it and says so', async () => {
    const { contact, phone } = await seedContact(db.em(), ws.account);
    const inbound = await customerWrites(db, { from: phone, channel: 'sms' });
    const res = await start(contact, 'sms');
    expect(res.conversationId).toBe(inbound.conversationId);
    expect(res.openedConversation).toBe(false);
    expect(res.notice).toContain(`#${res.conversationNumber}`);
  });

  it('R33: a user of another group, and an inactive user, cannot start a conversation in the group', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const input = { groupId: ws.group.id, contactId: contact.id, channel: 'sms', text: 'x' };
    await expect(startConversation(ctxAt(db), userActor(ws.carol.id), input)).rejects.toMatchObject({
      code: 'forbidden',
      details: { rule: 'R33' },
    });
    const em = db.em();
    const gone = em.create(User, {
      account: ws.account,
      name: 'Left',
      email: 'left@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
      active: false,
    });
    await em.flush();
    await expect(startConversation(ctxAt(db), userActor(gone.id), input)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(await db.em().count(Conversation, { contact })).toBe(0);
  });

  it('R1: an unknown channel is refused', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    await expect(start(contact, 'telegram')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('telegram'),
    });
  });
});
