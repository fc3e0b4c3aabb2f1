import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint, ContactIdentity, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { whatsappHarness } from './harness.ts';

const db = await createTestDb();
const wa = whatsappHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(
    ChannelEndpoint,
    { id: ws.whatsapp.id },
    {
      settings: {
        templates: [
          { name: 'order_update', language: 'en_US', parameters: ['customer name', 'order number'] },
          { name: 'order_update', language: 'de', parameters: ['customer name', 'order number'] },
          { name: 'welcome_back', language: 'en_US', parameters: ['first_name'], parameterFormat: 'named' },
        ],
      },
    },
  );
});
const load = (id: string) => db.em().findOneOrFail(Message, id);

describe('sending a reply through the Graph API', () => {
  it('a text reply is posted to /{phone-number-id}/messages with our id as callback data; Meta id recorded', async () => {
    const { reply, contact } = await conversationWithQueuedReply(
      db.em(),
      ws,
      'Your order shipped 🚚 https://track.example/1',
    );
    const r = await wa.deliver(reply.id);
    expect(r.outcome).toBe('sent');
    expect(wa.graph.sent).toHaveLength(1);
    const { phoneNumberId, body, wamid } = wa.graph.sent[0]!;
    const phone = (await db.em().findOneOrFail(ContactIdentity, { contact, channel: 'whatsapp' })).address;
    expect(phoneNumberId).toBe('PNID_SUPPORT');
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: phone.replace('+', ''),
      type: 'text',
      text: { body: 'Your order shipped 🚚 https://track.example/1', preview_url: false },
      biz_opaque_callback_data: reply.id,
    });
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('sent');
    expect(m.providerMessageId).toBe(wamid);
  });

  it('a contact known only by a business-scoped user id is addressed by `recipient`', async () => {
    const { reply, contact } = await conversationWithQueuedReply(db.em(), ws);
    await db
      .em()
      .nativeUpdate(
        ContactIdentity,
        { contact, channel: 'whatsapp' },
        { address: 'US.13491208655302741918' },
      );
    expect((await wa.deliver(reply.id)).outcome).toBe('sent');
    expect(wa.graph.sent[0]!.body).toMatchObject({ recipient: 'US.13491208655302741918' });
    expect(wa.graph.sent[0]!.body.to).toBeUndefined();
  });

  it('an image is uploaded from storage (multipart) and sent by media id, the text as its caption', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const storageKey = newStorageKey();
    await wa.storage.put(storageKey, bytes, 'image/jpeg');
    const sent = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      text: 'Here is the label',
      attachments: [
        { id: crypto.randomUUID(), kind: 'image', storageKey, mimeType: 'image/jpeg', name: 'label.jpg' },
      ],
    });
    expect((await wa.deliver(sent.messageId)).outcome).toBe('sent');
    expect(wa.graph.uploads).toHaveLength(1);
    const upload = wa.graph.uploads[0]!;
    expect(upload).toMatchObject({
      phoneNumberId: 'PNID_SUPPORT',
      type: 'image/jpeg',
      fileName: 'label.jpg',
    });
    expect([...upload.data]).toEqual([...bytes]);
    expect(wa.graph.sent[0]!.body).toMatchObject({
      type: 'image',
      image: { id: upload.mediaId, caption: 'Here is the label' },
    });
  });

  it('text with a document and a location goes out as separate WhatsApp messages, all tagged with our id', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const storageKey = newStorageKey();
    await wa.storage.put(storageKey, new TextEncoder().encode('%PDF-1.7 invoice'), 'application/pdf');
    const sent = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      text: 'Invoice and pickup point',
      attachments: [
        {
          id: crypto.randomUUID(),
          kind: 'document',
          storageKey,
          mimeType: 'application/pdf',
          name: 'invoice-1042.pdf',
        },
        {
          id: crypto.randomUUID(),
          kind: 'location',
          latitude: 52.52,
          longitude: 13.405,
          name: 'Pickup',
          caption: 'Alexanderplatz 1',
        },
      ],
    });
    expect((await wa.deliver(sent.messageId)).outcome).toBe('sent');
    expect(wa.graph.sent.map((s) => s.body.type)).toEqual(['document', 'location']);
    expect(wa.graph.sent[0]!.body.document).toMatchObject({
      caption: 'Invoice and pickup point',
      filename: 'invoice-1042.pdf',
    });
    expect(wa.graph.sent[1]!.body.location).toEqual({
      latitude: 52.52,
      longitude: 13.405,
      name: 'Pickup',
      address: 'Alexanderplatz 1',
    });
    expect(wa.graph.sent.every((s) => s.body.biz_opaque_callback_data === sent.messageId)).toBe(true);
    const m = await load(sent.messageId);
    expect(m.providerMessageId).toBe(wa.graph.sent[0]!.wamid);
    expect(m.meta).toMatchObject({ whatsappMessageIds: wa.graph.sent.map((s) => s.wamid) });
  });

  it('a template configured on the endpoint is sent with its language and body parameters', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const sent = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      template: { name: 'order_update', language: 'de', parameters: ['Dana', '#1042'] },
    });
    expect((await wa.deliver(sent.messageId)).outcome).toBe('sent');
    expect(wa.graph.sent[0]!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'de' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Dana' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
      biz_opaque_callback_data: sent.messageId,
    });
  });

  it('a template with named parameters sends each with its parameter_name', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const sent = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      template: { name: 'welcome_back', language: 'en_US', parameters: ['Dana'] },
    });
    expect((await wa.deliver(sent.messageId)).outcome).toBe('sent');
    expect(wa.graph.sent[0]!.body.template.components[0].parameters).toEqual([
      { type: 'text', parameter_name: 'first_name', text: 'Dana' },
    ]);
  });

  it('a template not configured on the number, or with the wrong parameter count, fails with a reason and is not sent', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const unknown = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      template: { name: 'order_update', language: 'fr', parameters: ['Dana', '#1042'] },
    });
    expect(await wa.deliver(unknown.messageId)).toMatchObject({ outcome: 'failed' });
    expect((await load(unknown.messageId)).deliveryReason).toMatch(
      /"order_update" in fr is not configured.*It exists in en_US, de/,
    );
    const short = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      template: { name: 'order_update', language: 'en_US', parameters: ['Dana'] },
    });
    expect(await wa.deliver(short.messageId)).toMatchObject({ outcome: 'failed' });
    expect((await load(short.messageId)).deliveryReason).toMatch(
      /takes 2 parameter\(s\) \(customer name, order number\); 1 were given/,
    );
    expect(wa.graph.received).toEqual([]);
  });
});
