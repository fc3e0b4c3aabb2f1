import { describe, expect, it } from 'vitest';
import { ChannelEndpoint, Contact, Group } from '../../src/db/entities/index.ts';
import { createTestDb } from '../support/test-db.ts';
import { adminCall, bodyOf, sharedRedis, testApp } from './helpers.ts';

/**
 * The admin API refuses what it does not know instead of dropping it: an unknown key is a typo
 * an admin must hear about (a group created without its Slack channel, a send rate never applied).
 * Endpoint settings are checked against the endpoint's channel (its adapter's settings schema).
 */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);

async function created<T = { id: string }>(res: Response): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as T;
}

/** A refusal in the one error shape: 422 validation_failed naming the field at fault. */
async function refused(res: Response, ...mentions: string[]) {
  expect(res.status).toBe(422);
  const { error } = await bodyOf(res);
  expect(error.code).toBe('validation_failed');
  for (const m of mentions) expect(error.message).toContain(m);
  return error;
}

const support = await created(await call('POST', '/groups', { name: 'Support' }));
let made = 0;
const widget = () => `wid_strict_${++made}`;

describe('unknown keys in a request body', () => {
  it('a group with "slackChanelId" is refused naming the key and the key that was meant; nothing is written', async () => {
    const error = await refused(
      await call('POST', '/groups', { name: 'Typo team', slackChanelId: 'C0TYPO' }),
      'unknown field "slackChanelId"',
      'did you mean "slackChannelId"?',
    );
    expect(error.details?.issues).toEqual([
      { path: '', message: 'unknown field "slackChanelId" (did you mean "slackChannelId"?)' },
    ]);
    expect(await db.em().count(Group, { name: 'Typo team' })).toBe(0);
  });

  it('a change to a group with an unknown key is refused and changes nothing', async () => {
    await refused(
      await call('PATCH', `/groups/${support.id}`, { name: 'Renamed', digestCorn: '0 8 * * 1-5' }),
      'unknown field "digestCorn" (did you mean "digestCron"?)',
    );
    expect((await db.em().findOneOrFail(Group, support.id)).name).toBe('Support');
  });

  it('an unknown key deep inside is refused at its path (an identity of a contact)', async () => {
    await refused(
      await call('POST', '/contacts', {
        name: 'Nested typo',
        identities: [{ channel: 'webchat', address: 'portal:n-1', adress: 'x' }],
      }),
      'identities[0]: unknown field "adress" (did you mean "address"?)',
    );
    expect(await db.em().count(Contact, { name: 'Nested typo' })).toBe(0);
  });

  it('a key nothing resembles is refused without a guess', async () => {
    const error = await refused(
      await call('POST', '/users', { email: 'x@acme.test', name: 'X', shoeSize: 42 }),
    );
    expect(error.message).toContain('unknown field "shoeSize"');
    expect(error.message).not.toContain('did you mean');
  });

  it('an unknown query parameter of a list filter is refused, rather than listing everything', async () => {
    await refused(
      await call('GET', `/endpoints?group=${support.id}`),
      'unknown field "group" (did you mean "groupId"?)',
    );
    await refused(await call('GET', '/contacts?tags=vip'), 'unknown field "tags" (did you mean "tag"?)');
    expect((await call('GET', '/contacts?tag=vip&limit=5&offset=0')).status).toBe(200);
  });
});

describe("endpoint settings, checked by the endpoint's channel", () => {
  it('"sendRatePerSecnd" in the settings of a new endpoint is refused; nothing is written', async () => {
    const address = widget();
    await refused(
      await call('POST', '/endpoints', {
        groupId: support.id,
        channel: 'webchat',
        address,
        name: 'Chat',
        settings: { sendRatePerSecnd: 5 },
      }),
      'settings: unknown field "sendRatePerSecnd" (did you mean "sendRatePerSecond"?)',
    );
    expect(await db.em().count(ChannelEndpoint, { address })).toBe(0);
  });

  it('replacing the settings with an unknown key is refused and keeps the stored settings', async () => {
    const ep = await created(
      await call('POST', '/endpoints', {
        groupId: support.id,
        channel: 'sms',
        address: '+15550002001',
        name: 'SMS',
        settings: { sendRatePerSecond: 1 },
      }),
    );
    await refused(
      await call('PATCH', `/endpoints/${ep.id}`, { settings: { sendRatePerSecnd: 2 } }),
      'settings: unknown field "sendRatePerSecnd"',
    );
    // Another channel's setting is not this channel's: templates are WhatsApp's.
    await refused(
      await call('PATCH', `/endpoints/${ep.id}`, { settings: { templates: [] } }),
      'settings: unknown field "templates"',
    );
    await refused(
      await call('PATCH', `/endpoints/${ep.id}`, { settings: { messagingServiceSid: 'MG-nope' } }),
      'settings.messagingServiceSid: must be a Messaging Service SID',
    );
    expect((await db.em().findOneOrFail(ChannelEndpoint, ep.id)).settings).toEqual({ sendRatePerSecond: 1 });
  });

  it('a WhatsApp template with a misspelt field is refused at its place in the settings', async () => {
    await refused(
      await call('POST', '/endpoints', {
        groupId: support.id,
        channel: 'whatsapp',
        address: '106540352249001',
        name: 'WhatsApp',
        settings: { templates: [{ name: 'order_update', language: 'en_US', paramters: ['name'] }] },
      }),
      'settings.templates[0]: unknown field "paramters" (did you mean "parameters"?)',
    );
  });

  it('every setting the README documents is accepted on its channel', async () => {
    const settingsByChannel = {
      whatsapp: {
        sendRatePerSecond: 20,
        templates: [
          { name: 'order_update', language: 'en_US', parameters: ['customer name', 'order number'] },
          { name: 'welcome_back', language: 'en_US', parameters: ['first_name'], parameterFormat: 'named' },
        ],
      },
      sms: { sendRatePerSecond: 1, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' },
      webchat: {
        secret: 'a-long-random-string',
        allowedOrigins: ['https://www.acme.example', 'https://shop.acme.example'],
        customerScope: 'acme',
        sendRatePerSecond: 50,
      },
    };
    const addresses = { whatsapp: '106540352249002', sms: '+15550002002', webchat: widget() };
    for (const [channel, settings] of Object.entries(settingsByChannel)) {
      const ep = await created<{ settings: unknown }>(
        await call('POST', '/endpoints', {
          groupId: support.id,
          channel,
          address: addresses[channel as keyof typeof addresses],
          name: `${channel} endpoint`,
          settings,
        }),
      );
      expect(ep.settings).toEqual(settings);
    }
  });
});
