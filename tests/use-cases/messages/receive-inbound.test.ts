import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, ContactIdentity, Conversation, Message } from '../../../src/db/entities/index.ts';
import { receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import {
  closeDirectly,
  ctxAt,
  customerWrites,
  loadConversation,
  messagesOf,
  newPhone,
  providerOf,
} from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

describe('receive-inbound', () => {
  it('R2: a first message from an unknown number creates the contact and a conversation in the Team inbox of the group owning the number', async () => {
    const phone = newPhone();
    const res = await customerWrites(db, {
      from: phone,
      text: 'Where is my order?',
      extra: { from: { address: phone, identified: true, name: 'Erin' } },
    });
    expect(res.openedConversation).toBe(true);
    expect(res.duplicate).toBe(false);
    const em = db.em();
    const conv = await loadConversation(em, res.conversationId);
    expect(conv.group.id).toBe(ws.group.id);
    expect(conv.status).toBe('open');
    expect(conv.unrepliedCount).toBe(1);
    const identity = await em.findOneOrFail(
      ContactIdentity,
      { channel: 'whatsapp', address: phone },
      { populate: ['contact'] },
    );
    expect(identity.contact.name).toBe('Erin');
    expect(conv.contact.id).toBe(identity.contact.id);
    expect(res.events.map((e) => e.type)).toEqual(['conversation.opened', 'message.created']);
  });

  it('R2: the next message from the same contact joins the open conversation', async () => {
    const phone = newPhone();
    const first = await customerWrites(db, { from: phone, text: 'one' });
    const second = await customerWrites(db, { from: phone, text: 'two' });
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.openedConversation).toBe(false);
    const msgs = await messagesOf(db.em(), first.conversationId);
    expect(msgs.map((m) => [m.seq, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('R11: messages joining an open conversation wait for a reply from the first one; a reaction asks nothing; a late webhook keeps the inbox order', async () => {
    const phone = newPhone();
    const t0 = new Date('2026-11-20T10:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const first = await customerWrites(db, { from: phone, text: 'one', at: at(0) });
    const second = await customerWrites(db, {
      from: phone,
      text: 'two',
      at: at(10),
      extra: {
        attachments: [
          { id: 'a1', kind: 'image', status: 'pending', providerRef: 'm1', mimeType: 'image/jpeg' },
        ],
      },
    });
    expect(second.events).toEqual([
      expect.objectContaining({ type: 'message.created', kind: 'inbound', pendingMedia: true }),
    ]);
    await customerWrites(db, { from: phone, text: '👍', at: at(20), extra: { meta: { reaction: '👍' } } });
    // Meta retried a message the customer wrote before "two": it is stored, but the conversation
    // does not move back in the inbox.
    await customerWrites(db, { from: phone, text: 'zero', at: at(30), extra: { receivedAt: at(5) } });

    const conv = await loadConversation(db.em(), first.conversationId);
    expect(conv).toMatchObject({ lastSeq: 4, unrepliedCount: 3, channel: 'whatsapp' });
    expect(conv.oldestUnrepliedAt).toEqual(at(0));
    expect(conv.lastMessageAt).toEqual(at(20));
    expect(conv.lastInboundAt).toEqual(at(5));
    const msgs = await messagesOf(db.em(), first.conversationId);
    expect(msgs.map((m) => [m.seq, m.text, m.awaitingReply, m.endpoint?.id])).toEqual([
      [1, 'one', true, ws.whatsapp.id],
      [2, 'two', true, ws.whatsapp.id],
      [3, '👍', false, ws.whatsapp.id],
      [4, 'zero', true, ws.whatsapp.id],
    ]);
    expect(msgs[1]!.attachments).toEqual([expect.objectContaining({ providerRef: 'm1', status: 'pending' })]);
    expect(msgs[2]!.meta).toEqual({ reaction: '👍' });
    expect(msgs[3]!.createdAt).toEqual(at(5));
  });

  it("R2: a message to another group's number goes to that group, in a separate conversation", async () => {
    const phone = newPhone();
    const support = await customerWrites(db, { from: phone });
    const sales = await customerWrites(db, { from: phone, endpointAddress: 'PNID_SALES' });
    expect(sales.conversationId).not.toBe(support.conversationId);
    const conv = await loadConversation(db.em(), sales.conversationId);
    expect(conv.group.id).toBe(ws.otherGroup.id);
    // One contact, one identity: the same person wrote to two teams.
    expect(await db.em().count(ContactIdentity, { address: phone, channel: 'whatsapp' })).toBe(1);
  });

  it('R2: a message to a number Parley does not know is refused as not found, and nothing is written', async () => {
    const phone = newPhone();
    const attempt = customerWrites(db, { from: phone, endpointAddress: 'PNID_UNKNOWN' });
    await expect(attempt).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('PNID_UNKNOWN'),
    });
    expect(await db.em().count(ContactIdentity, { address: phone })).toBe(0);
  });

  it('R3: a first SMS from the number a contact uses on WhatsApp is the same contact and joins their open conversation', async () => {
    const phone = newPhone();
    const wa = await customerWrites(db, { from: phone, channel: 'whatsapp' });
    const sms = await customerWrites(db, { from: phone, channel: 'sms' });
    expect(sms.conversationId).toBe(wa.conversationId);
    const ids = await db.em().find(ContactIdentity, { address: phone }, { orderBy: { channel: 'asc' } });
    expect(ids.map((i) => i.channel)).toEqual(['sms', 'whatsapp']);
    expect(ids[0]!.contact.id).toBe(ids[1]!.contact.id);
    expect((await loadConversation(db.em(), wa.conversationId)).channel).toBe('sms');
  });

  it('R3: with identities on WhatsApp, SMS and webchat, every message joins one conversation whose channel and endpoint follow the latest inbound', async () => {
    const em = db.em();
    const phone = newPhone();
    const contact = em.create(Contact, {
      account: ws.account,
      name: 'Omni',
      portalProfile: { externalId: 'p-omni' },
    });
    em.create(ContactIdentity, { account: ws.account, contact, channel: 'whatsapp', address: phone });
    em.create(ContactIdentity, { account: ws.account, contact, channel: 'sms', address: phone });
    em.create(ContactIdentity, {
      account: ws.account,
      contact,
      channel: 'webchat',
      address: 'portal:p-omni',
    });
    await em.flush();

    const a = await customerWrites(db, { from: phone, channel: 'whatsapp' });
    let conv = await loadConversation(db.em(), a.conversationId);
    expect([conv.channel, conv.endpoint?.id]).toEqual(['whatsapp', ws.whatsapp.id]);

    const b = await customerWrites(db, { from: phone, channel: 'sms' });
    conv = await loadConversation(db.em(), a.conversationId);
    expect(b.conversationId).toBe(a.conversationId);
    expect([conv.channel, conv.endpoint?.id]).toEqual(['sms', ws.sms.id]);

    const c = await customerWrites(db, { from: 'portal:p-omni', channel: 'webchat' });
    conv = await loadConversation(db.em(), a.conversationId);
    expect(c.conversationId).toBe(a.conversationId);
    expect([conv.channel, conv.endpoint?.id]).toEqual(['webchat', ws.webchat.id]);
    expect(await db.em().count(Conversation, { contact })).toBe(1);
  });

  it('R4: Unicode text with emoji and attachments (image, location) arrive unchanged', async () => {
    const text = 'Ça marche? 👍🏽 日本語 — שלום';
    const attachments = [
      {
        id: 'media-1',
        kind: 'image' as const,
        mimeType: 'image/jpeg',
        name: 'photo.jpg',
        caption: 'the box 📦',
      },
      { id: 'loc-1', kind: 'location' as const, latitude: 48.8566, longitude: 2.3522 },
    ];
    const res = await customerWrites(db, { from: newPhone(), text, extra: { attachments } });
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect(msg.text).toBe(text);
    expect(msg.attachments).toEqual(attachments);
  });

  it('R4: a message with an attachment and no text is accepted; one with neither is refused', async () => {
    const ok = await customerWrites(db, {
      from: newPhone(),
      text: '',
      extra: { attachments: [{ id: 'a', kind: 'audio', mimeType: 'audio/ogg' }] },
    });
    expect(ok.messageId).toBeTruthy();
    await expect(customerWrites(db, { from: newPhone(), text: '   ' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('a provider retry: the same provider message id delivered twice gives one message', async () => {
    const phone = newPhone();
    const first = await customerWrites(db, { from: phone, providerMessageId: 'wamid.SEQ-1' });
    const again = await customerWrites(db, { from: phone, providerMessageId: 'wamid.SEQ-1' });
    expect(again).toMatchObject({
      duplicate: true,
      messageId: first.messageId,
      conversationId: first.conversationId,
    });
    expect(again.events).toEqual([]);
    expect(await db.em().count(Message, { providerMessageId: 'wamid.SEQ-1' })).toBe(1);
  });

  it('a provider retry: the same provider message id delivered concurrently gives one message', async () => {
    const phone = newPhone();
    await customerWrites(db, { from: phone, text: 'earlier' });
    // Several rounds: the retries race for the conversation's row lock, and the losers must find
    // the winner's message rather than fail (a 5xx makes Meta retry yet again).
    for (let round = 0; round < 5; round++) {
      const id = `wamid.CONC-${round}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => customerWrites(db, { from: phone, providerMessageId: id })),
      );
      expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await db.em().count(Message, { providerMessageId: id })).toBe(1);
    }
  });

  it('R2: concurrent first messages from a new contact open one conversation with all messages in it', async () => {
    const phone = newPhone();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => customerWrites(db, { from: phone, text: `burst ${i}` })),
    );
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(results.filter((r) => r.openedConversation)).toHaveLength(1);
    const em = db.em();
    expect(
      await em.count(Contact, {
        id: (await em.findOneOrFail(ContactIdentity, { address: phone })).contact.id,
      }),
    ).toBe(1);
    const msgs = await messagesOf(em, results[0]!.conversationId);
    expect(msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await loadConversation(em, results[0]!.conversationId)).unrepliedCount).toBe(5);
  });

  it("R16: a new inbound conversation from an identified contact is assigned to the contact's default assignees", async () => {
    const phone = newPhone();
    await customerWrites(db, { from: phone });
    const em = db.em();
    const identity = await em.findOneOrFail(ContactIdentity, { address: phone }, { populate: ['contact'] });
    identity.contact.defaultAssigneeIds = [ws.alice.id, ws.bob.id];
    const open = await em.findOneOrFail(Conversation, { contact: identity.contact, status: 'open' });
    open.status = 'closed';
    await em.flush();

    const next = await customerWrites(db, { from: phone });
    expect((await loadConversation(db.em(), next.conversationId)).assigneeIds).toEqual([
      ws.alice.id,
      ws.bob.id,
    ]);
  });

  it('R16: an anonymous webchat visitor gets no default assignees (only identified contacts do)', async () => {
    const em = db.em();
    const contact = em.create(Contact, { account: ws.account, defaultAssigneeIds: [ws.alice.id] });
    em.create(ContactIdentity, {
      account: ws.account,
      contact,
      channel: 'webchat',
      address: 'session:anon-1',
      identified: false,
    });
    await em.flush();
    const res = await customerWrites(db, { channel: 'webchat', from: 'session:anon-1', identified: false });
    expect((await loadConversation(db.em(), res.conversationId)).assigneeIds).toEqual([]);
  });

  it("R19: a new inbound conversation takes the contact's default visibility (and R18 keeps assignees inside it)", async () => {
    const em = db.em();
    const phone = newPhone();
    const contact = em.create(Contact, {
      account: ws.account,
      defaultVisibleToIds: [ws.alice.id],
      defaultAssigneeIds: [ws.alice.id, ws.bob.id],
    });
    em.create(ContactIdentity, { account: ws.account, contact, channel: 'whatsapp', address: phone });
    await em.flush();
    const res = await customerWrites(db, { from: phone });
    const conv = await loadConversation(db.em(), res.conversationId);
    expect(conv.visibleToIds).toEqual([ws.alice.id]);
    expect(conv.assigneeIds).toEqual([ws.alice.id]);
  });

  it('R22: after the conversation is closed, the next inbound message opens a new conversation with a new number', async () => {
    const phone = newPhone();
    const first = await customerWrites(db, { from: phone });
    await closeDirectly(db, first.conversationId);
    const next = await customerWrites(db, { from: phone, text: 'back again' });
    expect(next.openedConversation).toBe(true);
    expect(next.conversationId).not.toBe(first.conversationId);
    const em = db.em();
    const [a, b] = [
      await loadConversation(em, first.conversationId),
      await loadConversation(em, next.conversationId),
    ];
    expect(b.number).toBeGreaterThan(a.number);
    expect(a.lastSeq).toBe(1);
    expect(a.status).toBe('closed');
  });

  it('R33: a provider of another channel cannot deliver messages for this one', async () => {
    const attempt = receiveInbound(ctxAt(db), providerOf('sms'), {
      channel: 'whatsapp',
      endpointAddress: 'PNID_SUPPORT',
      from: { address: newPhone(), identified: true },
      provider: 'meta',
      providerMessageId: 'wamid.FORGED',
      text: 'hi',
    });
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
  });
});
