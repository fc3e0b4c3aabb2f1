import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, ContactIdentity, Conversation, Message } from '../../../src/db/entities/index.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { errorOf, incomingSms, randomPhone, smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

describe('incoming SMS', () => {
  it("R2: a first SMS opens a conversation in the group that owns the number, with the customer's text and emoji", async () => {
    const from = randomPhone();
    const form = incomingSms(from, 'Où est ma commande? 📦');
    expect((await h.postSms(form)).status).toBe(200);
    const msg = await h.byProviderId(form.MessageSid!);
    expect(msg.kind).toBe('inbound');
    expect(msg.channel).toBe('sms');
    expect(msg.text).toBe('Où est ma commande? 📦');
    expect(msg.attachments).toEqual([]);
    const conv = await db.em().findOneOrFail(Conversation, msg.conversation.id);
    expect(conv.group.id).toBe(ws.group.id);
    expect(conv.channel).toBe('sms');
    expect(conv.unrepliedCount).toBe(1);
    const identity = await db.em().findOneOrFail(ContactIdentity, { channel: 'sms', address: from });
    expect(identity.identified).toBe(true);
  });

  it('R3: an SMS from a number the contact uses on WhatsApp joins their open conversation', async () => {
    const { contact, phone } = await seedContact(db.em(), ws.account, { name: 'Omni' });
    const first = incomingSms(phone, 'first');
    await h.postSms(first);
    const second = incomingSms(phone, 'second');
    await h.postSms(second);
    const a = await h.byProviderId(first.MessageSid!);
    const b = await h.byProviderId(second.MessageSid!);
    expect(b.conversation.id).toBe(a.conversation.id);
    expect((await db.em().findOneOrFail(Conversation, a.conversation.id)).contact.id).toBe(contact.id);
    expect(await db.em().count(Contact, { name: 'Omni' })).toBe(1);
  });

  it('an MMS keeps each picture as a pending attachment pointing at its Twilio MediaUrl, with the caption text', async () => {
    const photo = h.twilio.addMedia(new Uint8Array([0xff, 0xd8, 0xff]), 'image/jpeg');
    const card = h.twilio.addMedia(new TextEncoder().encode('BEGIN:VCARD'), 'text/vcard');
    const form = incomingSms(randomPhone(), 'Here is the damage', {
      NumMedia: '2',
      MediaUrl0: photo,
      MediaContentType0: 'image/jpeg',
      MediaUrl1: card,
      MediaContentType1: 'text/vcard',
    });
    expect((await h.postSms(form)).status).toBe(200);
    const msg = await h.byProviderId(form.MessageSid!);
    expect(msg.text).toBe('Here is the damage');
    expect(msg.attachments).toHaveLength(2);
    expect(msg.attachments[0]).toMatchObject({
      kind: 'image',
      mimeType: 'image/jpeg',
      status: 'pending',
      providerRef: photo,
      name: expect.stringMatching(/^ME[0-9a-f]{32}\.jpg$/),
    });
    expect(msg.attachments[1]).toMatchObject({ kind: 'contact', providerRef: card, status: 'pending' });
  });

  it('an MMS with a picture and no text is still a message', async () => {
    const video = h.twilio.addMedia(new Uint8Array([0, 0, 0, 0x18]), 'video/mp4');
    const form = incomingSms(randomPhone(), '', {
      NumMedia: '1',
      MediaUrl0: video,
      MediaContentType0: 'video/mp4',
    });
    expect((await h.postSms(form)).status).toBe(200);
    const msg = await h.byProviderId(form.MessageSid!);
    expect(msg.text).toBeNull();
    expect(msg.attachments).toEqual([expect.objectContaining({ kind: 'video', status: 'pending' })]);
  });

  it('an SMS with neither text nor media is refused with a reason and writes nothing', async () => {
    const before = await h.messageCount();
    const res = await h.postSms(incomingSms(randomPhone(), ''));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).message).toMatch(/needs text or attachments/);
    expect(await h.messageCount()).toBe(before);
  });

  it('Twilio retrying the same MessageSid gives one message', async () => {
    const form = incomingSms(randomPhone(), 'sent twice');
    expect((await h.postSms(form)).status).toBe(200);
    expect((await h.postSms(form)).status).toBe(200);
    expect(await db.em().count(Message, { provider: 'sms', providerMessageId: form.MessageSid! })).toBe(1);
    const conv = await db
      .em()
      .findOneOrFail(Conversation, (await h.byProviderId(form.MessageSid!)).conversation.id);
    expect(conv.unrepliedCount).toBe(1);
  });

  it('concurrent deliveries of the same MessageSid give one message and one conversation', async () => {
    const from = randomPhone();
    const form = incomingSms(from, 'raced');
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.postSms(form)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await db.em().count(Message, { provider: 'sms', providerMessageId: form.MessageSid! })).toBe(1);
    const identity = await db.em().findOneOrFail(ContactIdentity, { channel: 'sms', address: from });
    expect(await db.em().count(Conversation, { contact: identity.contact })).toBe(1);
  });

  it('the message is committed before Twilio gets its 200', async () => {
    const form = incomingSms(randomPhone(), 'committed first');
    const res = await h.postSms(form);
    expect(res.status).toBe(200);
    // A fresh EntityManager (another connection) sees it the moment the answer is out.
    expect(await db.em().count(Message, { providerMessageId: form.MessageSid! })).toBe(1);
  });
});
