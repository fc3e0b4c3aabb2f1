import { describe, expect, it } from 'vitest';
import {
  Account,
  ChannelEndpoint,
  Contact,
  ContactIdentity,
  Conversation,
  Group,
} from '../../src/db/entities/index.ts';
import { createTestDb } from '../support/test-db.ts';
import { adminCall, bodyOf, sharedRedis, testApp } from './helpers.ts';

const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);

async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

const support = await ok<{ id: string }>(await call('POST', '/groups', { name: 'Support' }), 201);
const sales = await ok<{ id: string }>(await call('POST', '/groups', { name: 'Sales' }), 201);
const ada = await ok<{ id: string }>(
  await call('POST', '/users', { email: 'ada@acme.test', name: 'Ada', groupIds: [support.id] }),
  201,
);
const bob = await ok<{ id: string }>(
  await call('POST', '/users', { email: 'bob@acme.test', name: 'Bob', groupIds: [support.id] }),
  201,
);

// Each test makes the endpoints and contacts it works on, so it runs alone (`-t`) or in any order.
let made = 0;
/** A WhatsApp endpoint of Support with an address no other test uses, created through the API. */
async function newEndpoint(over: Record<string, unknown> = {}) {
  return ok<{ id: string; address: string }>(
    await call('POST', '/endpoints', {
      groupId: support.id,
      channel: 'whatsapp',
      address: `10654035224${String(++made).padStart(4, '0')}`,
      name: 'Support WhatsApp',
      ...over,
    }),
    201,
  );
}
/** A contact with an SMS number no other test uses, created through the API. */
async function newContact(name: string, over: Record<string, unknown> = {}) {
  const phone = `+1555765${String(++made).padStart(4, '0')}`;
  const contact = await ok<{ id: string; identities: { channel: string; address: string }[] }>(
    await call('POST', '/contacts', { name, identities: [{ channel: 'sms', address: phone }], ...over }),
    201,
  );
  return { ...contact, phone };
}

describe('channel endpoints', () => {
  it('creates an endpoint owned by a group, with settings', async () => {
    const ep = await ok<{ id: string }>(
      await call('POST', '/endpoints', {
        groupId: support.id,
        channel: 'whatsapp',
        address: '106540352242922',
        name: 'Support WhatsApp',
        settings: { templates: [{ name: 'hello', language: 'en_US' }] },
      }),
      201,
    );
    expect(ep).toMatchObject({
      groupId: support.id,
      channel: 'whatsapp',
      settings: { templates: [{ name: 'hello', language: 'en_US' }] },
    });
    expect(await ok(await call('GET', `/endpoints/${ep.id}`))).toMatchObject({ address: '106540352242922' });
  });

  it('refuses a channel that is not one of the channels, naming them', async () => {
    const res = await call('POST', '/endpoints', {
      groupId: support.id,
      channel: 'fax',
      address: '1',
      name: 'Fax',
    });
    expect(res.status).toBe(422);
    expect((await bodyOf(res)).error.message).toContain('channel: must be one of webchat, whatsapp, sms');
  });

  it('refuses a second endpoint with the same channel and address (409), but not the same address on another channel', async () => {
    const { address } = await newEndpoint();
    const dup = await call('POST', '/endpoints', {
      groupId: sales.id,
      channel: 'whatsapp',
      address,
      name: 'Again',
    });
    expect(dup.status).toBe(409);
    expect((await bodyOf(dup)).error.code).toBe('conflict');
    await ok(
      await call('POST', '/endpoints', { groupId: sales.id, channel: 'webchat', address, name: 'Chat' }),
      201,
    );
  });

  it('refuses an endpoint for a group that does not exist', async () => {
    const res = await call('POST', '/endpoints', {
      groupId: '00000000-0000-4000-8000-000000000009',
      channel: 'sms',
      address: '+15550001199',
      name: 'Nowhere',
    });
    expect(res.status).toBe(404);
  });

  it('renames, replaces settings and moves an endpoint to another group; lists by group', async () => {
    const ep = await newEndpoint({ settings: { templates: [{ name: 'hello', language: 'en_US' }] } });
    const field = await ok<{ id: string }>(await call('POST', '/groups', { name: 'Field team' }), 201);
    const moved = await ok<{ settings: unknown }>(
      await call('PATCH', `/endpoints/${ep.id}`, {
        name: 'Field WhatsApp',
        settings: { sendRatePerSecond: 10 },
        groupId: field.id,
      }),
    );
    expect(moved).toMatchObject({ name: 'Field WhatsApp', groupId: field.id });
    expect(moved.settings).toEqual({ sendRatePerSecond: 10 });
    const { items } = await ok<{ items: { address: string }[] }>(
      await call('GET', `/endpoints?groupId=${field.id}`),
    );
    expect(items.map((e) => e.address)).toEqual([ep.address]);
  });

  it('deletes an unused endpoint', async () => {
    const ep = await ok<{ id: string }>(
      await call('POST', '/endpoints', {
        groupId: support.id,
        channel: 'webchat',
        address: 'wid_x',
        name: 'Chat',
      }),
      201,
    );
    await ok(await call('DELETE', `/endpoints/${ep.id}`), 204);
    expect((await call('GET', `/endpoints/${ep.id}`)).status).toBe(404);
  });

  it('refuses to delete an endpoint conversations came in on', async () => {
    const ep = await newEndpoint();
    const em = db.em();
    const contact = em.create(Contact, {
      account: await em.findOneOrFail(Account, { name: 'Parley' }),
      name: 'Gus',
    });
    em.create(Conversation, {
      account: contact.account,
      group: em.getReference(Group, sales.id),
      number: 3,
      contact,
      channel: 'whatsapp',
      endpoint: em.getReference(ChannelEndpoint, ep.id),
    });
    await em.flush();
    const res = await call('DELETE', `/endpoints/${ep.id}`);
    expect(res.status).toBe(409);
    expect((await bodyOf(res)).error.message).toContain('rename it or move it');
  });
});

describe('contacts', () => {
  it('creates a contact with identities on several channels (R3) and a portal profile', async () => {
    const dana = await ok<{ id: string; identities: { channel: string; address: string }[] }>(
      await call('POST', '/contacts', {
        name: 'Dana Customer',
        tags: ['vip', 'vip', 'eu'],
        identities: [
          { channel: 'whatsapp', address: '+15557654321' },
          { channel: 'sms', address: '+15557654321' },
        ],
        portalProfile: { externalId: 'cust-42', email: 'dana@example.com' },
      }),
      201,
    );
    expect(dana).toMatchObject({ tags: ['vip', 'eu'], portalProfile: { externalId: 'cust-42' } });
    expect(dana.identities.map((i) => `${i.channel} ${i.address}`).sort()).toEqual([
      'sms +15557654321',
      'webchat portal:cust-42',
      'whatsapp +15557654321',
    ]);
  });

  it('refuses an identity that already reaches another contact, with 409', async () => {
    const { phone } = await newContact('Olga');
    const res = await call('POST', '/contacts', {
      name: 'Eve',
      identities: [{ channel: 'sms', address: phone }],
    });
    expect(res.status).toBe(409);
    expect((await bodyOf(res)).error.message).toContain(phone);
    expect(await db.em().count(Contact, { name: 'Eve' })).toBe(0);
  });

  it('R16: sets default assignees that every new conversation from the contact is assigned to', async () => {
    const { id } = await newContact('Pia');
    const updated = await ok(await call('PATCH', `/contacts/${id}`, { defaultAssigneeIds: [ada.id] }));
    expect(updated).toMatchObject({ defaultAssigneeIds: [ada.id], defaultVisibleToIds: null });
  });

  it('R18: refuses default assignees outside the default visibility list', async () => {
    const { id } = await newContact('Quinn', { defaultAssigneeIds: [ada.id] });
    const res = await call('PATCH', `/contacts/${id}`, { defaultVisibleToIds: [bob.id] });
    expect(res.status).toBe(422);
    const { error } = await bodyOf(res);
    expect(error.code).toBe('rule_violation');
    expect(error.details?.rule).toBe('R18');
    const ok19 = await ok(await call('PATCH', `/contacts/${id}`, { defaultVisibleToIds: [ada.id, bob.id] }));
    expect(ok19).toMatchObject({ defaultVisibleToIds: [ada.id, bob.id] });
  });

  it('updates name, tags, opt-outs and the portal profile (moving its webchat identity)', async () => {
    const { id } = await newContact('Rosa', {
      tags: ['vip', 'eu'],
      portalProfile: { externalId: 'cust-44' },
    });
    const updated = await ok<{ identities: { channel: string; address: string }[] }>(
      await call('PATCH', `/contacts/${id}`, {
        name: 'Rosa C.',
        tags: ['vip'],
        optedOutChannels: ['sms'],
        portalProfile: { externalId: 'cust-43' },
      }),
    );
    expect(updated).toMatchObject({ name: 'Rosa C.', tags: ['vip'], optedOutChannels: ['sms'] });
    const webchat = updated.identities.filter((i) => i.channel === 'webchat').map((i) => i.address);
    expect(webchat).toEqual(['portal:cust-43']);
  });

  it('lists contacts filtered by tag and by part of the name', async () => {
    await newContact('Lia', { tags: ['gold'] });
    await newContact('Frank', { tags: ['eu'] });
    const gold = await ok<{ items: { name: string }[] }>(await call('GET', '/contacts?tag=gold'));
    expect(gold.items.map((c) => c.name)).toEqual(['Lia']);
    const byName = await ok<{ items: { name: string }[] }>(await call('GET', '/contacts?name=fRa'));
    expect(byName.items.map((c) => c.name)).toEqual(['Frank']);
    const all = await ok<{ items: unknown[]; limit: number }>(await call('GET', '/contacts?limit=1'));
    expect(all.items).toHaveLength(1);
    expect(all.limit).toBe(1);
  });

  it('deletes a contact without conversations (and its identities), refuses one with conversations', async () => {
    const gil = await newContact('Gil');
    await ok(await call('DELETE', `/contacts/${gil.id}`), 204);
    expect((await call('GET', `/contacts/${gil.id}`)).status).toBe(404);
    expect(await db.em().count(ContactIdentity, { address: gil.phone })).toBe(0);

    const hal = await newContact('Hal');
    const em = db.em();
    em.create(Conversation, {
      account: await em.findOneOrFail(Account, { name: 'Parley' }),
      group: em.getReference(Group, support.id),
      number: 7,
      contact: em.getReference(Contact, hal.id),
      channel: 'sms',
    });
    await em.flush();
    const refused = await call('DELETE', `/contacts/${hal.id}`);
    expect(refused.status).toBe(409);
    expect((await bodyOf(refused)).error.message).toContain('has conversations');
  });
});
