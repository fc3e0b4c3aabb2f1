import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint } from '../../../src/db/entities/index.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { AUTH_TOKEN } from '../../support/fakes/twilio.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { errorOf, OUR_NUMBER, PUBLIC_URL, smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

describe('sending SMS', () => {
  it("R29: a reply goes out from the group's number to the customer, with a status callback naming the message", async () => {
    const { from, messageId } = await h.queuedReply(ws, 'Your parcel arrives tomorrow.');
    const r = await h.deliver(messageId);
    expect(r.outcome).toBe('sent');
    expect(h.twilio.messages).toHaveLength(1);
    const form = h.twilio.requests[0]!;
    expect(form.get('To')).toBe(from);
    expect(form.get('From')).toBe(OUR_NUMBER);
    expect(form.get('Body')).toBe('Your parcel arrives tomorrow.');
    expect(form.get('StatusCallback')).toBe(`${PUBLIC_URL}/webhooks/twilio/status?mid=${messageId}`);
    expect(form.has('MediaUrl')).toBe(false);
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('sent');
    expect(m.provider).toBe('sms');
    expect(m.providerMessageId).toBe(h.twilio.messages[0]!.sid);
  });

  it('the character and segment count is stored with the message (plain, emoji, long)', async () => {
    const cases = [
      ['Thanks, see you soon!', { smsEncoding: 'GSM-7', smsCharacters: 21, smsSegments: 1 }],
      ['Thanks 🙏', { smsEncoding: 'UCS-2', smsCharacters: 8, smsSegments: 1 }],
      ['x'.repeat(400), { smsEncoding: 'GSM-7', smsCharacters: 400, smsSegments: 3 }],
      [`${'é'.repeat(100)}€`, { smsEncoding: 'GSM-7', smsCharacters: 101, smsSegments: 1 }],
      [`${'Ж'.repeat(140)}`, { smsEncoding: 'UCS-2', smsCharacters: 140, smsSegments: 3 }],
    ] as const;
    for (const [text, meta] of cases) {
      const { messageId } = await h.queuedReply(ws, text);
      expect((await h.deliver(messageId)).outcome).toBe('sent');
      expect((await h.load(messageId)).meta).toMatchObject(meta);
    }
  });

  it('an endpoint with a Messaging Service sends through it instead of a From number', async () => {
    const em = db.em();
    const endpoint = await em.findOneOrFail(ChannelEndpoint, ws.sms.id);
    endpoint.settings = { ...endpoint.settings, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' };
    await em.flush();
    try {
      const { messageId } = await h.queuedReply(ws, 'Via the service');
      expect((await h.deliver(messageId)).outcome).toBe('sent');
      const form = h.twilio.requests[0]!;
      expect(form.get('MessagingServiceSid')).toBe('MG0123456789abcdef0123456789abcdef');
      expect(form.has('From')).toBe(false);
    } finally {
      endpoint.settings = {};
      await em.flush();
    }
  });

  it('an agent picture goes as MMS through a signed link under PUBLIC_URL that Twilio can fetch', async () => {
    const key = newStorageKey();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await h.storage.put(key, png, 'image/png');
    const attachment = {
      id: randomUUID(),
      kind: 'image',
      name: 'map.png',
      mimeType: 'image/png',
      storageKey: key,
      size: 7,
      status: 'stored',
    };
    const { messageId } = await h.queuedReply(ws, 'Here is the map', { attachments: [attachment] });
    expect((await h.deliver(messageId)).outcome).toBe('sent');
    const mediaUrl = h.twilio.requests[0]!.getAll('MediaUrl');
    expect(mediaUrl).toHaveLength(1);
    const link = new URL(mediaUrl[0]!);
    expect(link.origin).toBe(PUBLIC_URL);
    expect((await h.load(messageId)).meta).toMatchObject({ mmsMedia: 1, smsSegments: 1 });

    // What Twilio does with the link: fetch the picture.
    const fetched = await h.app.request(`${link.pathname}${link.search}`);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(png);

    // A changed signature, another key with the same signature, or no signature: refused.
    const sig = link.searchParams.get('sig')!;
    const forged = `${link.pathname}?exp=${link.searchParams.get('exp')}&sig=${sig.slice(0, -2)}xx`;
    expect((await h.app.request(forged)).status).toBe(403);
    // Flip the key's last character to one it is not, so the path always names another file.
    const otherKey = `${link.pathname.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}${link.search}`;
    expect((await h.app.request(otherKey)).status).toBe(403);
    expect((await h.app.request(link.pathname)).status).toBe(403);
  });

  it('an expired media link is refused', async () => {
    const { signedMediaUrl } = await import('../../../adapters/channels/sms/media-route.ts');
    const key = newStorageKey();
    await h.storage.put(key, new Uint8Array([1]), 'image/png');
    const old = new URL(signedMediaUrl(AUTH_TOKEN, PUBLIC_URL, key, new Date(Date.now() - 13 * 3600 * 1000)));
    const res = await h.app.request(`${old.pathname}${old.search}`);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/expired/);
  });

  it('a location goes as a map link in the text (SMS has no location type)', async () => {
    const location = {
      id: randomUUID(),
      kind: 'location',
      latitude: 48.8584,
      longitude: 2.2945,
      caption: 'Our shop',
    };
    const { messageId } = await h.queuedReply(ws, 'Come by', { attachments: [location] });
    expect((await h.deliver(messageId)).outcome).toBe('sent');
    const form = h.twilio.requests[0]!;
    expect(form.get('Body')).toBe('Come by\nOur shop: https://maps.google.com/?q=48.8584,2.2945');
    expect(form.has('MediaUrl')).toBe(false);
  });
});
