import { describe, expect, it } from 'vitest';
import { AuditEvent } from '../../src/db/entities/index.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { adminCall, sharedRedis, testApp } from './helpers.ts';

/** R40 in the admin API: the team's saved replies and users' own, checked as in chat, audited. */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);
const ws = await seedWorkspace(db.em());

describe('/saved-replies', () => {
  it('R40: creates the team’s and a user’s own, lists, changes and deletes them; each change audited', async () => {
    const team = await call('POST', '/saved-replies', {
      name: 'hours',
      text: 'Open 9–17, {contact.firstName}',
    });
    expect(team.status).toBe(201);
    const created = (await team.json()) as { id: string; ownerId: string | null };
    expect(created.ownerId).toBeNull();
    const own = await call('POST', '/saved-replies', {
      name: 'hours',
      text: 'Alice’s hours',
      ownerId: ws.alice.id,
    });
    expect(own.status).toBe(201);
    expect(await own.json()).toMatchObject({ ownerId: ws.alice.id, ownerEmail: ws.alice.email });

    const list = (await (await call('GET', '/saved-replies')).json()) as { items: { name: string }[] };
    expect(list.items).toHaveLength(2);
    const mine = (await (await call('GET', `/saved-replies?ownerId=${ws.alice.id}`)).json()) as {
      items: { text: string }[];
    };
    expect(mine.items.map((r) => r.text)).toEqual(['Alice’s hours']);

    const patched = await call('PATCH', `/saved-replies/${created.id}`, { text: 'Open 8–18' });
    expect(await patched.json()).toMatchObject({ text: 'Open 8–18' });
    expect((await call('DELETE', `/saved-replies/${created.id}`)).status).toBe(204);
    expect((await call('GET', `/saved-replies/${created.id}`)).status).toBe(404);
    const actions = (
      await db
        .em()
        .fork()
        .find(AuditEvent, { action: { $like: 'saved_reply.%' } })
    ).map((a) => a.action);
    expect(actions.sort()).toEqual([
      'saved_reply.created',
      'saved_reply.created',
      'saved_reply.deleted',
      'saved_reply.updated',
    ]);
  });

  it('R40: refuses a name taken (whatever its case), a two-word name and an unknown placeholder, saying what to do', async () => {
    expect(
      (await call('POST', '/saved-replies', { name: 'refund', text: 'Refunds take 5 days' })).status,
    ).toBe(201);
    const taken = await call('POST', '/saved-replies', { name: 'REFUND', text: 'Again' });
    expect(taken.status).toBe(409);
    const twoWords = await call('POST', '/saved-replies', { name: 'refund policy', text: 'x' });
    expect(twoWords.status).toBe(422);
    expect(JSON.stringify(await twoWords.json())).toContain('one word');
    const placeholder = await call('POST', '/saved-replies', { name: 'bad', text: 'Hi {firstName}' });
    expect(placeholder.status).toBe(422);
    expect(JSON.stringify(await placeholder.json())).toContain('{firstName} is not a placeholder');
    const list = (await (await call('GET', '/saved-replies')).json()) as { items: { name: string }[] };
    expect(list.items.map((r) => r.name)).not.toContain('bad');
  });
});
