import { beforeAll, describe, expect, it } from 'vitest';
import { smsAdapter } from '../../adapters/channels/sms/index.ts';
import { ChannelEndpoint, ContactIdentity, Message } from '../../src/db/entities/index.ts';
import { parsePhoneNumber } from '../../src/domain/phone-number.ts';
import { incomingSms, PUBLIC_URL } from '../adapters/sms/harness.ts';
import { ACCOUNT_SID, AUTH_TOKEN, TWILIO_URL, twilioWebhook } from '../support/fakes/twilio.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { useMsw } from '../support/msw.ts';
import { createTestApp } from '../support/test-app.ts';
import { createTestDb } from '../support/test-db.ts';
import { ADMIN_TOKEN, adminCall, bodyOf } from './helpers.ts';

/**
 * Phone numbers are parsed and kept in E.164 (`+14155550100`), the form Twilio writes in `To` and
 * `From`: a number typed with spaces and brackets still receives its texts (R2), and one number is
 * one person on SMS and WhatsApp (R3). A number without its country code is refused, never guessed.
 */
const db = await createTestDb();
useMsw();
const { app } = createTestApp({
  db,
  modules: [smsAdapter],
  env: {
    PUBLIC_URL,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    TWILIO_API_URL: TWILIO_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  },
});
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

const INTERNATIONAL = 'international form: "+", the country code and the number, e.g. +14155550100';

async function refused(res: Response, path: string, message: string) {
  expect(res.status).toBe(422);
  const { error } = await bodyOf(res);
  expect(error.code).toBe('validation_failed');
  expect(error.details?.issues).toContainEqual({ path, message });
}

const endpoint = (channel: string, address: string) =>
  call('POST', '/endpoints', { groupId: ws.group.id, channel, address, name: `${channel} ${address}` });
const contact = (name: string, channel: string, address: string) =>
  call('POST', '/contacts', { name, identities: [{ channel, address }] });

describe('parsing a phone number', () => {
  it.each([
    ['+1 (415) 555-0100', '+14155550100'],
    ['+1 415.555.0100', '+14155550100'],
    [' +44 20 7946 0958 ', '+442079460958'],
    ['+15550001111', '+15550001111'],
  ])('%s is kept as %s', (typed, e164) => {
    expect(parsePhoneNumber(typed)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['hello', 'is not a phone number'],
    ['4155550100', 'has no country code'],
    ['00 44 20 7946 0958', 'has no country code'],
    ['+1555', 'is not a possible phone number for its country'],
    ['+1 415 555 0100 call me', 'is not a phone number'],
    ['+1 415 555 0100 ext. 12', 'has an extension'],
  ])('%s is refused: %s', (typed, why) => {
    const parsed = parsePhoneNumber(typed);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(why);
  });
});

describe('SMS endpoints', () => {
  it('"hello" as an SMS number is refused naming the address; nothing is written', async () => {
    await refused(
      await endpoint('sms', 'hello'),
      'address',
      `"hello" is not a phone number; write it in ${INTERNATIONAL}`,
    );
    expect(await db.em().count(ChannelEndpoint, { address: 'hello' })).toBe(0);
  });

  it('a number typed without "+" and country code is refused, asking for the international form', async () => {
    await refused(
      await endpoint('sms', '4155550100'),
      'address',
      `"4155550100" has no country code; write it in ${INTERNATIONAL}`,
    );
  });

  it('R2: "+1 (415) 555-0100" is stored as +14155550100, and a Twilio webhook to +14155550100 reaches it', async () => {
    const res = await endpoint('sms', '+1 (415) 555-0100');
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { id: string; address: string };
    expect(created.address).toBe('+14155550100');
    // The same number typed another way is the same endpoint.
    expect((await endpoint('sms', '+1 415 555 0100')).status).toBe(409);

    const form: Record<string, string> = {
      ...incomingSms('+15557650001', 'Is this the right number?'),
      To: '+14155550100',
    };
    const path = '/webhooks/twilio/sms';
    const hook = await app.request(path, twilioWebhook(PUBLIC_URL, path, form));
    expect(hook.status, await hook.clone().text()).toBe(200);
    const message = await db
      .em()
      .findOneOrFail(
        Message,
        { provider: 'sms', providerMessageId: form.MessageSid! },
        { populate: ['conversation.endpoint'] },
      );
    expect(message.conversation.endpoint?.id).toBe(created.id);
  });

  it('a WhatsApp endpoint takes the phone number id, and says so when given the number', async () => {
    await refused(
      await endpoint('whatsapp', '+1 555 078 3881'),
      'address',
      'must be the phone number id from Meta\'s API Setup page (digits, e.g. "106540352242922"), not the phone number',
    );
    expect((await endpoint('whatsapp', '106540352240077')).status).toBe(201);
  });
});

describe('contact identities', () => {
  it('R3: "sms:not a number" is refused naming the identity; nothing is written', async () => {
    await refused(
      await contact('Nobody', 'sms', 'not a number'),
      'identities[0].address',
      `"not a number" is not a phone number; write it in ${INTERNATIONAL}`,
    );
    expect(await db.em().count(ContactIdentity, { address: 'not a number' })).toBe(0);
  });

  it('R3: a number typed with spaces is stored in E.164, and the same number on WhatsApp is the same address', async () => {
    const res = await call('POST', '/contacts', {
      name: 'Dana',
      identities: [
        { channel: 'sms', address: '+1 (415) 555-0123' },
        { channel: 'whatsapp', address: '+1 415-555-0123' },
      ],
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { identities } = (await res.json()) as { identities: { channel: string; address: string }[] };
    expect(identities.map((i) => `${i.channel} ${i.address}`).sort()).toEqual([
      'sms +14155550123',
      'whatsapp +14155550123',
    ]);
    // The same number typed another way already belongs to Dana.
    expect((await contact('Dana again', 'sms', '+14155550123')).status).toBe(409);
  });

  it("a WhatsApp identity may be Meta's business-scoped user id; a number without country code is refused", async () => {
    expect((await contact('Hidden number', 'whatsapp', 'US.13491208655302741918')).status).toBe(201);
    await refused(
      await contact('No country', 'whatsapp', '4155550100'),
      'identities[0].address',
      `"4155550100" has no country code; write it in ${INTERNATIONAL}`,
    );
  });
});
