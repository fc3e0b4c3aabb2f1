import { beforeAll, describe, expect, it } from 'vitest';
import { whatsAppSignature } from '../../../adapters/channels/whatsapp/signature.ts';
import { ContactIdentity, Conversation, Message } from '../../../src/db/entities/index.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { APP_SECRET, randomWaId, VERIFY_TOKEN, whatsappHarness } from './harness.ts';
import { contents, inbound, wamid, webhook } from './payloads.ts';

const db = await createTestDb();
const wa = whatsappHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

interface Answer {
  ok?: boolean;
  messages?: number;
  duplicates?: number;
  error: { code: string; message: string };
}
const body = async (res: Response) => (await res.json()) as Answer;

describe('GET /webhooks/whatsapp (verify handshake)', () => {
  const handshake = (q: Record<string, string>) =>
    wa.app.request(`/webhooks/whatsapp?${new URLSearchParams(q)}`);

  it('echoes hub.challenge as plain text when the verify token matches', async () => {
    const res = await handshake({
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY_TOKEN,
      'hub.challenge': '1158201444',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses a wrong verify token with 403 and a reason', async () => {
    const res = await handshake({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'guess',
      'hub.challenge': '1',
    });
    expect(res.status).toBe(403);
    expect((await body(res)).error.message).toMatch(/WHATSAPP_VERIFY_TOKEN/);
  });
});

describe('POST /webhooks/whatsapp: messages', () => {
  it('R2: a text message opens a conversation in the Team inbox of the group owning the number, from the E.164 number', async () => {
    const waId = randomWaId();
    const id = wamid();
    const res = await wa.post(inbound({ waId, name: 'Sheena Nelson' }, 'text', contents.text, { id }));
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ ok: true, messages: 1, duplicates: 0 });
    const msg = await wa.byProviderId(id);
    expect(msg.kind).toBe('inbound');
    expect(msg.text).toBe('Hi! Where is my order? 📦');
    expect(msg.conversation.group.id).toBe(ws.group.id);
    const identity = await db
      .em()
      .findOneOrFail(
        ContactIdentity,
        { channel: 'whatsapp', address: `+${waId}` },
        { populate: ['contact'] },
      );
    expect(identity.contact.name).toBe('Sheena Nelson');
    expect(msg.conversation.contact.id).toBe(identity.contact.id);
  });

  it('R3: a WhatsApp message from a number the contact uses on SMS joins that contact', async () => {
    const waId = randomWaId();
    const { contact } = await seedContact(db.em(), ws.account, { name: 'Omar', phone: `+${waId}` });
    const id = wamid();
    expect(
      (await wa.post(inbound({ waId, name: 'Omar K' }, 'text', { body: 'Same person' }, { id }))).status,
    ).toBe(200);
    expect((await wa.byProviderId(id)).conversation.contact.id).toBe(contact.id);
  });

  it('a sender known only by a business-scoped user id (no wa_id, no number) is stored and identified by it', async () => {
    const userId = `US.${Date.now()}${randomWaId()}`;
    const id = wamid();
    const res = await wa.post(
      inbound({ userId, name: 'jane' }, 'text', { body: 'I use a username' }, { id }),
    );
    expect(res.status).toBe(200);
    const msg = await wa.byProviderId(id);
    const identity = await db.em().findOneOrFail(ContactIdentity, { channel: 'whatsapp', address: userId });
    expect(msg.conversation.contact.id).toBe(identity.contact.id);
  });

  it.each(['image', 'document', 'audio', 'video', 'sticker'] as const)(
    'a %s is kept as a pending attachment (fetched later, never in the webhook) with its caption as text',
    async (type) => {
      const id = wamid();
      expect((await wa.post(inbound({ waId: randomWaId() }, type, contents[type], { id }))).status).toBe(200);
      const msg = await wa.byProviderId(id);
      expect(msg.attachments).toEqual([
        expect.objectContaining({
          kind: type,
          status: 'pending',
          providerRef: contents[type].id,
          mimeType: contents[type].mime_type,
        }),
      ]);
      expect(msg.text ?? undefined).toBe(
        'caption' in contents[type] ? (contents[type] as { caption: string }).caption : undefined,
      );
      expect(wa.graph.downloads).toEqual([]);
      expect(wa.events).toContainEqual(
        expect.objectContaining({ type: 'message.created', messageId: msg.id, pendingMedia: true }),
      );
    },
  );

  it.each([
    ['location', contents.location, '📍 Meta Headquarters, 1 Hacker Way, Menlo Park, CA 94025'],
    [
      'contacts',
      contents.contacts,
      'Shared a contact: Barbara J. Johnson (+1 (940) 555-1234, bjohnson@example.com)',
    ],
    ['reaction', contents.reaction, 'Reacted 👍 to a message'],
    ['interactive', contents.button_reply, 'Track my order'],
    ['interactive', contents.list_reply, 'Express shipping — Next-day delivery'],
    ['button', contents.button, 'Stop promotions'],
  ] as const)('a %s message shows as "%s"', async (type, content, _text) => {
    const id = wamid();
    expect((await wa.post(inbound({ waId: randomWaId() }, type, content, { id }))).status).toBe(200);
    const msg = await wa.byProviderId(id);
    expect(msg.text).toBe(_text);
  });

  it('an unknown message type is stored as a visible "unsupported message", never dropped', async () => {
    const id = wamid();
    const res = await wa.post(
      inbound({ waId: randomWaId() }, 'unsupported', undefined, {
        id,
        extra: {
          errors: [
            {
              code: 131051,
              title: 'Message type unknown',
              message: 'Message type unknown',
              error_data: { details: 'Message type is currently not supported.' },
            },
          ],
        },
      }),
    );
    expect(res.status).toBe(200);
    const msg = await wa.byProviderId(id);
    expect(msg.text).toMatch(/^Unsupported message: the customer sent a WhatsApp "unsupported" message/);
    expect(msg.meta).toMatchObject({ unsupported: { type: 'unsupported', errorCode: 131051 } });
    expect(msg.awaitingReply).toBe(true);
  });

  it('several messages in one webhook are all kept, in order', async () => {
    const waId = randomWaId();
    const ids = [wamid(), wamid()];
    const payload = webhook({
      contacts: [{ profile: { name: 'Batch' }, wa_id: waId }],
      messages: ids.map((id, i) => ({
        from: waId,
        id,
        timestamp: String(Math.floor(Date.now() / 1000) - 10 + i),
        type: 'text',
        text: { body: `part ${i + 1}` },
      })),
    });
    expect(await body(await wa.post(payload))).toMatchObject({ messages: 2 });
    const [a, b] = await Promise.all(ids.map((id) => wa.byProviderId(id)));
    expect(a!.conversation.id).toBe(b!.conversation.id);
    expect(b!.seq).toBeGreaterThan(a!.seq);
  });
});

describe('POST /webhooks/whatsapp: duplicates', () => {
  it('the same webhook delivered twice keeps one message', async () => {
    const payload = inbound({ waId: randomWaId() }, 'text', { body: 'once' });
    expect(await body(await wa.post(payload))).toMatchObject({ messages: 1, duplicates: 0 });
    expect(await body(await wa.post(payload))).toMatchObject({ messages: 0, duplicates: 1 });
    const id = payload.entry[0]!.changes[0]!.value.messages![0]!.id;
    expect(await db.em().count(Message, { providerMessageId: id })).toBe(1);
  });

  it('the same message delivered five times at once keeps one message and one conversation', async () => {
    const waId = randomWaId();
    const payload = inbound({ waId }, 'text', { body: 'concurrent' });
    const responses = await Promise.all(Array.from({ length: 5 }, () => wa.post(payload)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const id = payload.entry[0]!.changes[0]!.value.messages![0]!.id;
    expect(await db.em().count(Message, { providerMessageId: id })).toBe(1);
    const identity = await db
      .em()
      .findOneOrFail(ContactIdentity, { channel: 'whatsapp', address: `+${waId}` });
    expect(await db.em().count(Conversation, { contact: identity.contact })).toBe(1);
  });
});

describe('POST /webhooks/whatsapp: refusals write nothing', () => {
  const payload = () => inbound({ waId: randomWaId() }, 'text', { body: 'forged?' });

  it('a missing signature is refused with 401', async () => {
    const before = await wa.messageCount();
    const res = await wa.post(payload(), null);
    expect(res.status).toBe(401);
    expect((await body(res)).error.code).toBe('signature_invalid');
    expect(await wa.messageCount()).toBe(before);
  });

  it('a signature made with another secret, or over another body, is refused with 401', async () => {
    const before = await wa.messageCount();
    const p = payload();
    expect((await wa.post(p, whatsAppSignature('not-the-app-secret', JSON.stringify(p)))).status).toBe(401);
    const other = JSON.stringify(payload());
    expect((await wa.post(p, whatsAppSignature(APP_SECRET, other))).status).toBe(401);
    expect(await wa.messageCount()).toBe(before);
  });

  it('a signed body that is not a WhatsApp Business webhook gets 400 with a reason', async () => {
    const before = await wa.messageCount();
    const res = await wa.post({ object: 'page', entry: [{ id: '1', messaging: [] }] });
    expect(res.status).toBe(400);
    expect((await body(res)).error.message).toMatch(/not a WhatsApp Business webhook/);
    expect((await wa.post('not json')).status).toBe(400);
    expect(await wa.messageCount()).toBe(before);
  });

  it('a messages change without its phone number id gets 422 naming the field, and keeps nothing of the batch', async () => {
    const before = await wa.messageCount();
    const good = payload().entry[0]!.changes[0]!;
    const broken = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [good, { field: 'messages', value: { messages: [] } }] }],
    };
    const res = await wa.post(broken);
    expect(res.status).toBe(422);
    expect((await body(res)).error.message).toMatch(/metadata/);
    expect(await wa.messageCount()).toBe(before);
  });
});
