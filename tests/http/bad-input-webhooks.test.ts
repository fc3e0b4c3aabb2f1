import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { twilioSignature } from '../../adapters/channels/sms/signature.ts';
import { whatsAppSignature } from '../../adapters/channels/whatsapp/signature.ts';
import { Message } from '../../src/db/entities/index.ts';
import { incomingSms, randomPhone } from '../adapters/sms/harness.ts';
import { contents, inbound, unixNow, wamid, webhook } from '../adapters/whatsapp/payloads.ts';
import { ODD_CHARACTERS } from '../support/bad-input-corpus.ts';
import { AUTH_TOKEN } from '../support/fakes/twilio.ts';
import { createTestDb } from '../support/test-db.ts';
import { BODY_LIMIT, badInputHarness, PUBLIC_URL, WA_SECRET, WA_VERIFY } from './bad-input-harness.ts';

/**
 * Issue 5, bad input: the WhatsApp and Twilio webhooks against forged, replayed, malformed,
 * oversized and odd-character requests. Every refusal is a 4xx that writes nothing (R1: nothing
 * is acknowledged that is not kept); odd characters never cost a customer message.
 */
const db = await createTestDb();
const h = badInputHarness(db, { workers: false });
const randomWaId = () => randomPhone().slice(1);
const waText = (text = 'Where is my order?') =>
  JSON.stringify(inbound({ waId: randomWaId() }, 'text', { body: text }));
/** What PostgreSQL keeps of a text: no NUL, and U+FFFD for half a surrogate pair. */
const kept = (s: string) => s.replaceAll('\u0000', '').toWellFormed();
const stored = (provider: string, providerMessageId: string) =>
  db.em().findOneOrFail(Message, { provider, providerMessageId }, { populate: ['conversation.contact'] });

describe('WhatsApp POST /webhooks/whatsapp', () => {
  const body = waText();
  it.each([
    ['no signature', null],
    ['an empty signature', ''],
    ['a signature made with another app secret', whatsAppSignature('not-the-app-secret', body)],
    ['a signature that is not sha256 hex', 'sha256=not-hex'],
    ['a sha1 signature', `sha1=${createHmac('sha1', WA_SECRET).update(body).digest('hex')}`],
    ['the signature of another body, replayed onto this one', whatsAppSignature(WA_SECRET, waText())],
  ])('%s is refused with 401 and writes nothing', async (_, signature) => {
    const before = await h.rows();
    await h.expectRefused(await h.whatsapp(body, signature), before, 401);
  });

  it('the same signed request replayed is acknowledged again and kept once', async () => {
    const replayed = waText('Sent twice');
    const before = await h.rows();
    for (let i = 0; i < 3; i++) expect((await h.whatsapp(replayed)).status).toBe(200);
    expect((await h.rows()).message).toBe(before.message + 1);
  });

  const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
  it.each([
    ['an empty body', 400, ''],
    ['a body that is not JSON', 400, '{"object": "whatsapp_business_account", "entry": ['],
    ['a JSON array', 400, '[]'],
    ['a JSON string', 400, '"hello"'],
    ['JSON nested 20,000 deep', 400, deep],
    ['another webhook object', 400, JSON.stringify({ object: 'page', entry: [] })],
    ['a messages change without metadata', 422, JSON.stringify(webhook({ metadata: undefined }))],
    ['a message without an id', 422, JSON.stringify(webhook({ messages: [{ type: 'text' } as never] }))],
    [
      'a message without a sender',
      422,
      JSON.stringify(webhook({ messages: [{ id: wamid(), type: 'text' }] })),
    ],
  ])('%s, signed, is refused with %i and writes nothing', async (_, status, raw) => {
    const before = await h.rows();
    await h.expectRefused(await h.whatsapp(raw), before, status);
  });

  it('bytes that are not UTF-8, signed, are refused and write nothing', async () => {
    const before = await h.rows();
    await h.expectRefused(await h.whatsapp(new Uint8Array([0xff, 0xfe, 0x7b, 0x00])), before, 400);
  });

  it('a body over BODY_LIMIT_BYTES is refused with 413 before it is read, whatever its Content-Type', async () => {
    const big = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [],
      pad: 'x'.repeat(BODY_LIMIT),
    });
    const before = await h.rows();
    await h.expectRefused(await h.whatsapp(big), before, 413);
    await h.expectRefused(await h.whatsapp(big, undefined, 'text/plain'), before, 413);
  });

  it('a signed body is judged by its signature, not its Content-Type; unsigned it is refused', async () => {
    const raw = waText('Plain label');
    const before = await h.rows();
    await h.expectRefused(await h.whatsapp(raw, null, 'text/plain'), before, 401);
    expect((await h.whatsapp(raw, undefined, 'text/plain')).status).toBe(200);
  });

  it.each(Object.entries(ODD_CHARACTERS))(
    'R4: %s in every text field is kept (as PostgreSQL can store it), never a 5xx',
    async (_, odd) => {
      const waId = randomWaId();
      const sender = { waId, name: `Dana ${odd}` };
      const ids = { text: wamid(), doc: wamid(), place: wamid(), card: wamid(), button: wamid() };
      const payload = webhook(
        ...[
          inbound(sender, 'text', { body: odd }, { id: ids.text }),
          inbound(
            sender,
            'document',
            { ...contents.document, caption: odd, filename: `${odd}.pdf` },
            { id: ids.doc },
          ),
          inbound(sender, 'location', { ...contents.location, name: odd, address: odd }, { id: ids.place }),
          inbound(sender, 'contacts', [{ name: { formatted_name: odd }, phones: [{ phone: odd }] }], {
            id: ids.card,
          }),
          inbound(sender, 'button', { text: odd, payload: odd }, { id: ids.button }),
        ].map((w) => w.entry[0]!.changes[0]!.value),
      );
      const res = await h.whatsapp(JSON.stringify(payload));
      expect(res.status, await res.clone().text()).toBe(200);
      const text = await stored('whatsapp', ids.text);
      expect(text.text).toBe(kept(odd));
      expect(text.conversation.contact.name).toBe(kept(`Dana ${odd}`));
      const doc = await stored('whatsapp', ids.doc);
      expect(doc.attachments[0]).toMatchObject({ name: kept(`${odd}.pdf`), caption: kept(odd) });
      for (const id of [ids.place, ids.card, ids.button])
        expect((await stored('whatsapp', id)).text).toContain(kept(odd));
    },
  );

  it.each(Object.entries(ODD_CHARACTERS))('%s in ids and numbers never causes a 5xx', async (_, odd) => {
    const oddId = await h.whatsapp(
      JSON.stringify(inbound({ waId: `1555${odd}` }, 'text', { body: 'x' }, { id: `wamid.${odd}` })),
    );
    expect(oddId.status).toBe(200);
    const before = await h.rows();
    const unknownNumber = await h.whatsapp(
      JSON.stringify(inbound({ waId: randomWaId() }, 'text', { body: 'x' }, { phoneNumberId: odd })),
    );
    await h.expectRefused(unknownNumber, before, 404);
    const status = await h.whatsapp(
      JSON.stringify(
        webhook({
          statuses: [
            {
              id: `wamid.status${odd}`,
              status: 'failed',
              timestamp: unixNow(),
              errors: [{ code: 1, title: odd }],
            },
          ],
        }),
      ),
    );
    expect(status.status).toBe(200);
  });
});

describe('WhatsApp GET /webhooks/whatsapp (subscription handshake)', () => {
  const handshake = (q: Record<string, string>) => h.request(`/webhooks/whatsapp?${new URLSearchParams(q)}`);
  const ok = { 'hub.mode': 'subscribe', 'hub.verify_token': WA_VERIFY, 'hub.challenge': '1158201444' };

  it('the verify token answers the challenge as plain text', async () => {
    const res = await handshake(ok);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1158201444');
  });

  it.each([
    ['a wrong verify token', { ...ok, 'hub.verify_token': 'guess' }],
    ['no verify token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
    ['another mode', { ...ok, 'hub.mode': 'unsubscribe' }],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': WA_VERIFY }],
    ['a NUL in the token', { ...ok, 'hub.verify_token': `${WA_VERIFY}\u0000` }],
  ])('%s is refused with 403', async (_, q) => {
    expect((await handshake(q)).status).toBe(403);
  });
});

describe('Twilio POST /webhooks/twilio/sms and /webhooks/twilio/status', () => {
  const SMS = '/webhooks/twilio/sms';
  const sign = (path: string, form: Record<string, string>) =>
    twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`, form);
  const form = incomingSms(randomPhone(), 'Is my parcel late?');

  it.each([
    ['no signature', null],
    ['an empty signature', ''],
    [
      'a signature made with another auth token',
      twilioSignature('0'.repeat(32), `${PUBLIC_URL}${SMS}`, form),
    ],
    ['the signature for the status URL', sign('/webhooks/twilio/status', form)],
    ['the signature of another form, replayed onto this one', sign(SMS, incomingSms(randomPhone(), 'other'))],
  ])('%s is refused with 401 and writes nothing', async (_, signature) => {
    const before = await h.rows();
    await h.expectRefused(await h.twilioForm(SMS, form, { signature }), before, 401);
  });

  it('the same signed request replayed is acknowledged again and kept once', async () => {
    const replayed = incomingSms(randomPhone(), 'Sent twice');
    const before = await h.rows();
    for (let i = 0; i < 3; i++) expect((await h.twilioForm(SMS, replayed)).status).toBe(200);
    expect((await h.rows()).message).toBe(before.message + 1);
  });

  const signedBody = (body: string) => ({ body, signature: sign(SMS, {}) });
  it.each([
    ['JSON instead of a form', 415, { contentType: 'application/json', body: JSON.stringify(form) }],
    ['no Content-Type', 415, { contentType: '' }],
    ['a form with broken URL encoding', 400, signedBody('Body=%zz&From=%2B1555')],
    ['a form that is not UTF-8', 400, signedBody('Body=%FF%FE&From=%2B1555')],
    ['a form without MessageSid', 400, { params: { ...form, MessageSid: '' } }],
    ['a form without From', 400, { params: { ...form, From: '' } }],
    ['NumMedia that is not a count', 400, { params: { ...form, NumMedia: 'lots' } }],
    ['NumMedia over 10', 400, { params: { ...form, NumMedia: '11' } }],
    [
      'a media URL that is not https',
      400,
      { params: { ...form, NumMedia: '1', MediaUrl0: 'http://x.test/a' } },
    ],
    ['a WhatsApp sender on the SMS webhook', 422, { params: { ...form, From: 'whatsapp:+15550001' } }],
    ['a number Parley does not have', 404, { params: { ...form, To: '+15559990000' } }],
  ])('%s is refused with %i and writes nothing', async (_, status, o) => {
    const params = { ...form, MessageSid: `SM${wamid().slice(6, 38)}`, ...('params' in o ? o.params : {}) };
    const before = await h.rows();
    await h.expectRefused(await h.twilioForm(SMS, params, 'params' in o ? {} : o), before, status);
  });

  it('a form over BODY_LIMIT_BYTES is refused with 413 and writes nothing', async () => {
    const big = incomingSms(randomPhone(), 'x'.repeat(BODY_LIMIT));
    const before = await h.rows();
    await h.expectRefused(await h.twilioForm(SMS, big), before, 413);
  });

  it.each(Object.entries(ODD_CHARACTERS))(
    'R4: %s in the text, the sender and the ids is kept, never a 5xx',
    async (_, odd) => {
      const text = incomingSms(randomPhone(), `Hello ${odd}`);
      expect((await h.twilioForm(SMS, text)).status).toBe(200);
      expect((await stored('sms', text.MessageSid!)).text).toBe(kept(`Hello ${odd}`));
      const oddIds = incomingSms(`+1555${odd}`, 'x', { MessageSid: `SM${odd}` });
      expect((await h.twilioForm(SMS, oddIds)).status).toBe(200);
      const status = { MessageSid: `SM${odd}x`, MessageStatus: 'failed', ErrorCode: odd, ErrorMessage: odd };
      expect((await h.twilioForm('/webhooks/twilio/status', status)).status).toBe(204);
      const unknownState = { MessageSid: `SM${odd}y`, MessageStatus: odd };
      expect((await h.twilioForm('/webhooks/twilio/status', unknownState)).status).toBe(204);
    },
  );
});

it('the app still answers /healthz and /readyz after the corpus, and logged no failed request', async () => {
  await h.expectStillServing();
});
