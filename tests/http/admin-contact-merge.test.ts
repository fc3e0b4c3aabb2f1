import { describe, expect, it } from 'vitest';
import { Contact, Conversation, SurfaceThread } from '../../src/db/entities/index.ts';
import { seedContact } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { openConv, workspace } from '../use-cases/management/support.ts';
import { adminCall, sharedRedis, testApp } from './helpers.ts';

/** R43 in the admin API: POST /contacts/{id}/merge. */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const ws = await workspace(db);
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);

describe('POST /contacts/{id}/merge', () => {
  it('R43: moves the other contact’s conversations here and marks their headers for a redraw; refuses itself and unknown ids', async () => {
    const { contact: keep } = await seedContact(db.em(), ws.account, { name: 'Kept' });
    const { contact: gone } = await seedContact(db.em(), ws.account, { name: 'Gone' });
    const conv = await openConv(db, ws, { contactId: gone.id });
    const em = db.em();
    em.create(SurfaceThread, {
      conversation: conv.id,
      surface: 'slack',
      place: 'C_SUPPORT',
      ref: { channel: 'C_SUPPORT', ts: '1.1' },
    });
    await em.flush();

    const res = await call('POST', `/contacts/${keep.id}/merge`, { mergeId: gone.id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keptId: keep.id, moved: 1, closed: [] });
    const fresh = db.em().fork();
    expect((await fresh.findOneOrFail(Conversation, { id: conv.id })).contact.id).toBe(keep.id);
    expect((await fresh.findOneOrFail(SurfaceThread, { conversation: conv.id })).headerDirty).toBe(true);
    expect(await fresh.count(Contact, { id: gone.id })).toBe(0);

    expect((await call('POST', `/contacts/${keep.id}/merge`, { mergeId: keep.id })).status).toBe(422);
    expect((await call('POST', `/contacts/${keep.id}/merge`, { mergeId: gone.id })).status).toBe(404);
  });
});
