import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message, ReadState, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { closeDirectly, ctxAt, customerWrites, hoursAfter, loadConversation, messagesOf } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** A contact with a phone on WhatsApp and SMS who has just written on WhatsApp. */
async function customerConversation(opts: { at?: Date; portalId?: string } = {}) {
  const { contact, phone } = await seedContact(db.em(), ws.account, { portalId: opts.portalId });
  const res = await customerWrites(db, { from: phone, text: 'Is my parcel late?', at: opts.at });
  return { contact, phone, conversationId: res.conversationId };
}

const alice = () => userActor(ws.alice.id);

describe('send-reply', () => {
  it("R3: a reply goes out on the channel and number of the customer's latest inbound message, queued for delivery", async () => {
    const { phone, conversationId } = await customerConversation();
    await customerWrites(db, { from: phone, channel: 'sms', text: 'also by text' });
    const res = await sendReply(ctxAt(db), alice(), { conversationId, text: 'On its way 🚚' });
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect([msg.kind, msg.channel, msg.endpoint?.id, msg.deliveryState]).toEqual([
      'reply',
      'sms',
      ws.sms.id,
      'queued',
    ]);
    expect(msg.author?.id).toBe(ws.alice.id);
    expect(msg.text).toBe('On its way 🚚');
    expect(res.events.map((e) => e.type)).toEqual(['message.created', 'conversation.read']);
  });

  it('R3: the user can pick another channel the contact has', async () => {
    const { conversationId } = await customerConversation();
    const res = await sendReply(ctxAt(db), alice(), { conversationId, text: 'Texting you', channel: 'sms' });
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect([msg.channel, msg.endpoint?.id]).toEqual(['sms', ws.sms.id]);
    // The conversation still answers on the customer's channel by default.
    expect((await loadConversation(db.em(), conversationId)).channel).toBe('whatsapp');
  });

  it('R3: picking a channel the contact does not have is refused, and nothing is sent', async () => {
    const { conversationId } = await customerConversation();
    const attempt = sendReply(ctxAt(db), alice(), { conversationId, text: 'hi', channel: 'webchat' });
    await expect(attempt).rejects.toMatchObject({ code: 'channel_refused', details: { rule: 'R7' } });
    expect((await messagesOf(db.em(), conversationId)).map((m) => m.kind)).toEqual(['inbound']);
  });

  it("R7: a free-form WhatsApp reply 24 hours after the customer's last message is refused with a reason; a template goes through", async () => {
    const t0 = new Date('2026-01-10T09:00:00Z');
    const { conversationId } = await customerConversation({ at: t0 });
    const late = sendReply(ctxAt(db, hoursAfter(t0, 25)), alice(), {
      conversationId,
      text: 'Sorry for the wait',
    });
    await expect(late).rejects.toMatchObject({
      code: 'channel_refused',
      message: expect.stringContaining('template'),
      details: { rule: 'R7', reason: 'window_closed' },
    });
    const inTime = await sendReply(ctxAt(db, hoursAfter(t0, 23)), alice(), {
      conversationId,
      text: 'Still in time',
    });
    expect(inTime.messageId).toBeTruthy();
    const template = await sendReply(ctxAt(db, hoursAfter(t0, 30)), alice(), {
      conversationId,
      template: { name: 'order_update', language: 'en', parameters: ['#42'] },
    });
    const msg = await db.em().findOneOrFail(Message, { id: template.messageId });
    expect(msg.template).toEqual({ name: 'order_update', language: 'en', parameters: ['#42'] });
  });

  it("R11: a human reply clears the conversation's unreplied messages", async () => {
    const { phone, conversationId } = await customerConversation();
    await customerWrites(db, { from: phone, text: 'hello?' });
    expect((await loadConversation(db.em(), conversationId)).unrepliedCount).toBe(2);
    await sendReply(ctxAt(db), alice(), { conversationId, text: 'Here!' });
    const em = db.em();
    const conv = await loadConversation(em, conversationId);
    expect([conv.unrepliedCount, conv.oldestUnrepliedAt]).toEqual([0, null]);
    expect(await em.count(Message, { conversation: conversationId, awaitingReply: true })).toBe(0);
  });

  it('R12: replying marks the conversation read for the author, not for other users', async () => {
    const { conversationId } = await customerConversation();
    await sendReply(ctxAt(db), alice(), { conversationId, text: 'Read it' });
    const em = db.em();
    const conv = await loadConversation(em, conversationId);
    const state = await em.findOneOrFail(ReadState, { user: ws.alice.id, conversation: conversationId });
    expect(state.lastReadSeq).toBe(conv.lastSeq);
    expect(await em.count(ReadState, { user: ws.bob.id, conversation: conversationId })).toBe(0);
  });

  it('R22: a reply to a closed conversation starts a new conversation and says so', async () => {
    const { conversationId } = await customerConversation();
    await closeDirectly(db, conversationId);
    const res = await sendReply(ctxAt(db), alice(), { conversationId, text: 'One more thing' });
    expect(res.conversationId).not.toBe(conversationId);
    expect(res.openedConversation).toBe(true);
    expect(res.redirectedFrom).toBe(conversationId);
    const em = db.em();
    const [closed, fresh] = [
      await loadConversation(em, conversationId),
      await loadConversation(em, res.conversationId),
    ];
    expect(res.notice).toBe(
      `Conversation #${closed.number} is closed, so your message started a new conversation #${fresh.number}.`,
    );
    expect([closed.status, closed.lastSeq]).toEqual(['closed', 1]);
    expect([fresh.status, fresh.channel]).toEqual(['open', 'whatsapp']);
    expect((await messagesOf(em, fresh.id)).map((m) => [m.kind, m.text])).toEqual([
      ['reply', 'One more thing'],
    ]);
    expect(res.events.map((e) => e.type)).toContain('conversation.opened');
  });

  it("R22: a reply to a closed conversation joins the contact's other open conversation in the group", async () => {
    const { phone, conversationId } = await customerConversation();
    await closeDirectly(db, conversationId);
    const reopened = await customerWrites(db, { from: phone, text: 'New question' });
    const res = await sendReply(ctxAt(db), alice(), { conversationId, text: 'Answering' });
    expect(res.conversationId).toBe(reopened.conversationId);
    expect(res.openedConversation).toBe(false);
    expect(res.notice).toContain('open conversation');
    expect((await loadConversation(db.em(), reopened.conversationId)).unrepliedCount).toBe(0);
  });

  it('an empty reply (no text, no attachment) is refused as invalid', async () => {
    const { conversationId } = await customerConversation();
    await expect(sendReply(ctxAt(db), alice(), { conversationId, text: '  ' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('R4: a reply can carry only an attachment', async () => {
    const { conversationId } = await customerConversation();
    const res = await sendReply(ctxAt(db), alice(), {
      conversationId,
      attachments: [{ id: 'f1', kind: 'document', name: 'invoice.pdf', mimeType: 'application/pdf' }],
    });
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect(msg.attachments).toMatchObject([{ kind: 'document', name: 'invoice.pdf' }]);
  });

  it('R33: a user of another group cannot reply (the conversation is not even found)', async () => {
    const { conversationId } = await customerConversation();
    await expect(
      sendReply(ctxAt(db), userActor(ws.carol.id), { conversationId, text: 'x' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('R33: an inactive user cannot reply', async () => {
    const em = db.em();
    const gone = em.create(User, {
      account: ws.account,
      name: 'Gone',
      email: 'gone@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
      active: false,
    });
    await em.flush();
    const { conversationId } = await customerConversation();
    await expect(
      sendReply(ctxAt(db), userActor(gone.id), { conversationId, text: 'x' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it("R17: a user not on a restricted conversation's list cannot reply; one on the list can", async () => {
    const { conversationId } = await customerConversation();
    const em = db.em();
    (await em.findOneOrFail(Conversation, { id: conversationId })).visibleToIds = [ws.alice.id];
    await em.flush();
    await expect(
      sendReply(ctxAt(db), userActor(ws.bob.id), { conversationId, text: 'x' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      details: { rule: 'R17' },
    });
    expect((await sendReply(ctxAt(db), alice(), { conversationId, text: 'ok' })).conversationId).toBe(
      conversationId,
    );
  });
});

describe('send-reply in an open conversation', () => {
  it('R22: a reply in an open conversation stays in it, with no redirect and no notice', async () => {
    const { conversationId } = await customerConversation();
    const res = await sendReply(ctxAt(db), alice(), { conversationId, text: 'Right here' });
    expect(res).toMatchObject({
      conversationId,
      channel: 'whatsapp',
      redirectedFrom: null,
      openedConversation: false,
      notice: null,
    });
    expect(res.conversationNumber).toBe((await loadConversation(db.em(), conversationId)).number);
  });
});
