import { describe, expect, it } from 'vitest';
import { ChannelEndpoint } from '../../src/db/entities/index.ts';
import { createTestDb } from '../support/test-db.ts';
import { adminCall, bodyOf, sharedRedis, testApp } from './helpers.ts';

/**
 * Issue 15: a webchat widget's own texts (`strings`, per language) are endpoint settings, checked
 * like the others: a key the widget does not have, or a language that is no language tag, is refused.
 */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);

const group = (await bodyOf(await call('POST', '/groups', { name: 'Support' }))) as unknown as { id: string };
const create = (address: string, settings: unknown) =>
  call('POST', '/endpoints', { groupId: group.id, channel: 'webchat', address, name: 'Site chat', settings });

describe('a webchat widget’s strings setting', () => {
  it('overrides shipped texts and adds a language (the widget gets them from GET /webchat/api/settings: widget-info.test.ts)', async () => {
    const res = await create('wid_strings', {
      strings: { en: { title: 'Talk to Acme' }, fr: { title: 'Écrivez-nous', send: 'Envoyer' } },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const stored = await db.em().findOneOrFail(ChannelEndpoint, { address: 'wid_strings' });
    expect(stored.settings).toMatchObject({
      strings: { en: { title: 'Talk to Acme' }, fr: { title: 'Écrivez-nous', send: 'Envoyer' } },
    });
  });

  it('an unknown key is refused at its place; nothing is written', async () => {
    const res = await create('wid_typo', { strings: { de: { titel: 'Hallo' } } });
    expect(res.status).toBe(422);
    const { error } = await bodyOf(res);
    expect(error.message).toContain('settings.strings.de: unknown field "titel"');
    expect(await db.em().count(ChannelEndpoint, { address: 'wid_typo' })).toBe(0);
  });

  it('a language that is not a language tag, or an empty text, is refused', async () => {
    expect((await create('wid_lang', { strings: { 'not a language': { title: 'x' } } })).status).toBe(422);
    expect((await create('wid_empty', { strings: { en: { title: ' ' } } })).status).toBe(422);
  });
});
