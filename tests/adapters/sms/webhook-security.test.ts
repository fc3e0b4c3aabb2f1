import { beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../../adapters/channels/sms/signature.ts';
import { ContactIdentity } from '../../../src/db/entities/index.ts';
import { AUTH_TOKEN } from '../../support/fakes/twilio.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { errorOf, incomingSms, PUBLIC_URL, randomPhone, smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
beforeAll(async () => {
  await seedWorkspace(db.em());
});

/** Nothing at all was written: no message and no contact for the number. */
async function expectNothingWritten(before: number, from: string) {
  expect(await h.messageCount()).toBe(before);
  expect(await db.em().count(ContactIdentity, { address: from })).toBe(0);
}

describe('Twilio webhook signature', () => {
  it('a request signed with the auth token for PUBLIC_URL is accepted and answered with empty TwiML', async () => {
    const form = incomingSms(randomPhone(), 'Hi there');
    const res = await h.postSms(form);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await res.text()).toContain('<Response></Response>');
    expect((await h.byProviderId(form.MessageSid!)).text).toBe('Hi there');
  });

  it('a missing signature is refused with 401 and writes nothing', async () => {
    const before = await h.messageCount();
    const form = incomingSms(randomPhone(), 'unsigned');
    const res = await h.postSms(form, { signature: null });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/X-Twilio-Signature header is missing/);
    await expectNothingWritten(before, form.From!);
  });

  it('a signature made with another auth token is refused', async () => {
    const before = await h.messageCount();
    const form = incomingSms(randomPhone(), 'forged');
    const sig = twilioSignature('0'.repeat(32), `${PUBLIC_URL}/webhooks/twilio/sms`, form);
    const res = await h.postSms(form, { signature: sig });
    expect(res.status).toBe(401);
    await expectNothingWritten(before, form.From!);
  });

  it('a signature computed for another URL (the socket address) is refused', async () => {
    const before = await h.messageCount();
    const form = incomingSms(randomPhone(), 'wrong url');
    const sig = twilioSignature(AUTH_TOKEN, 'http://localhost/webhooks/twilio/sms', form);
    const res = await h.postSms(form, { signature: sig });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toContain(`${PUBLIC_URL}/webhooks/twilio/sms`);
    await expectNothingWritten(before, form.From!);
  });

  it('a form changed after signing is refused', async () => {
    const before = await h.messageCount();
    const form = incomingSms(randomPhone(), 'original');
    const sig = twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, form);
    const res = await h.postSms({ ...form, Body: 'tampered' }, { signature: sig });
    expect(res.status).toBe(401);
    await expectNothingWritten(before, form.From!);
  });

  it('the status callback needs the signature too, query string included', async () => {
    const params = { MessageSid: 'SM00000000000000000000000000000001', MessageStatus: 'delivered' };
    const signedWithoutQuery = twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/webhooks/twilio/status`, params);
    const res = await h.postStatus(params, '?mid=8d3c1e6a-1f0e-4c55-9d55-6f1c1d7e0b2a', {
      signature: signedWithoutQuery,
    });
    expect(res.status).toBe(401);
  });
});

describe('malformed and unsupported webhooks', () => {
  it('a JSON body is refused with 415 and writes nothing', async () => {
    const before = await h.messageCount();
    const form = incomingSms(randomPhone(), 'json');
    const res = await h.postSms(form, { contentType: 'application/json', body: JSON.stringify(form) });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).message).toMatch(/application\/x-www-form-urlencoded/);
    await expectNothingWritten(before, form.From!);
  });

  it('broken URL encoding is refused with 400 and writes nothing', async () => {
    const before = await h.messageCount();
    const res = await h.postSms({}, { body: 'From=%2B1555&Body=%E0%A4%A&To=%2B15550001111', signature: 'x' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/not valid URL encoding/);
    expect(await h.messageCount()).toBe(before);
  });

  it('a signed form without MessageSid is refused with 400 naming the field', async () => {
    const before = await h.messageCount();
    const { MessageSid: _sid, ...form } = incomingSms(randomPhone(), 'no sid');
    const res = await h.postSms(form);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/no MessageSid/);
    expect(await h.messageCount()).toBe(before);
  });

  it('a message to a number no group owns is refused with a reason and writes nothing', async () => {
    const before = await h.messageCount();
    const form = incomingSms(randomPhone(), 'wrong number', { To: '+15559990000' });
    const res = await h.postSms(form);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/No sms endpoint "\+15559990000" is set up/);
    await expectNothingWritten(before, form.From!);
  });

  it('a WhatsApp message routed through Twilio is refused: the SMS channel takes SMS only', async () => {
    const before = await h.messageCount();
    const from = `whatsapp:${randomPhone()}`;
    const res = await h.postSms(incomingSms(from, 'hi', { To: 'whatsapp:+15550001111' }));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).message).toMatch(/WhatsApp Cloud API channel/);
    expect(await h.messageCount()).toBe(before);
  });

  it('an MMS with a non-numeric NumMedia is refused with 400', async () => {
    const res = await h.postSms(incomingSms(randomPhone(), '', { NumMedia: 'lots' }));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/NumMedia "lots"/);
  });
});
