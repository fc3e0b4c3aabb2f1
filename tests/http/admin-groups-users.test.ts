import { describe, expect, it } from 'vitest';
import { Account, AuditEvent, Conversation, Group } from '../../src/db/entities/index.ts';
import { seedContact } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { adminCall, sharedRedis, testApp } from './helpers.ts';

const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);

async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return (body ? JSON.parse(body) : null) as T;
}
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

describe('account', () => {
  it('is created on first use, and can be renamed (the rename is audited)', async () => {
    const first = await ok<{ id: string; name: string }>(await call('GET', '/account'));
    expect(first.name).toBe('Parley');
    const renamed = await ok<{ id: string; name: string }>(await call('PATCH', '/account', { name: 'Acme' }));
    expect(renamed).toMatchObject({ id: first.id, name: 'Acme' });
    expect((await ok<{ name: string }>(await call('GET', '/account'))).name).toBe('Acme');
    const audit = await db.em().findOneOrFail(AuditEvent, { action: 'account.updated' });
    expect(audit).toMatchObject({
      actorType: 'system',
      data: { from: 'Parley', to: 'Acme', via: 'admin-api' },
    });
  });
});

describe('groups', () => {
  let supportId = '';

  it('creates a group with its Slack channel, Teams channel, AI agent and digest schedule', async () => {
    const group = await ok<{ id: string }>(
      await call('POST', '/groups', {
        name: 'Support',
        slackChannelId: 'C0SUPPORT',
        teamsTeamId: 'team-1',
        teamsChannelId: '19:chan@thread.tacv2',
        aiAgent: { enabled: true, name: 'Ava' },
        digestCron: '0 8 * * 1-5',
      }),
      201,
    );
    supportId = group.id;
    expect(await ok(await call('GET', `/groups/${group.id}`))).toMatchObject({
      name: 'Support',
      slackChannelId: 'C0SUPPORT',
      teamsChannelId: '19:chan@thread.tacv2',
      aiAgent: { enabled: true, name: 'Ava' },
      digestCron: '0 8 * * 1-5',
    });
  });

  it('refuses a second group with the same name (409) and a Teams team without its channel (422)', async () => {
    const dup = await call('POST', '/groups', { name: 'Support' });
    expect(dup.status).toBe(409);
    expect((await errorOf(dup)).message).toContain('"Support" already exists');
    const half = await call('POST', '/groups', { name: 'Half', teamsTeamId: 'team-1' });
    expect(half.status).toBe(422);
    expect((await errorOf(half)).message).toContain('teamsChannelId');
  });

  it('updates a group: unlinks Slack with null, turns the AI agent off, leaves the rest alone', async () => {
    const updated = await ok(
      await call('PATCH', `/groups/${supportId}`, { slackChannelId: null, aiAgent: { enabled: false } }),
    );
    expect(updated).toMatchObject({
      slackChannelId: null,
      aiAgent: { enabled: false },
      digestCron: '0 8 * * 1-5',
    });
  });

  it('lists groups by name', async () => {
    await ok(await call('POST', '/groups', { name: 'Billing' }), 201);
    const { items } = await ok<{ items: { name: string }[] }>(await call('GET', '/groups'));
    expect(items.map((g) => g.name)).toEqual(['Billing', 'Support']);
  });

  it('deletes an empty group, and refuses one that still has users or conversations', async () => {
    const temp = await ok<{ id: string }>(await call('POST', '/groups', { name: 'Temp' }), 201);
    await ok(await call('DELETE', `/groups/${temp.id}`), 204);
    expect((await call('GET', `/groups/${temp.id}`)).status).toBe(404);

    const busy = await ok<{ id: string }>(await call('POST', '/groups', { name: 'Busy' }), 201);
    const user = await ok<{ id: string }>(
      await call('POST', '/users', { email: 'busy@acme.test', name: 'Busy', groupIds: [busy.id] }),
      201,
    );
    const refused = await call('DELETE', `/groups/${busy.id}`);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toContain('1 users');
    await ok(await call('PATCH', `/users/${user.id}`, { groupIds: [] }));

    // A conversation keeps its group too.
    const em = db.em();
    const account = await em.findOneOrFail(Account, {
      id: (await ok<{ id: string }>(await call('GET', '/account'))).id,
    });
    const { contact } = await seedContact(em, account);
    em.create(Conversation, {
      account,
      group: em.getReference(Group, busy.id),
      number: 1,
      contact,
      channel: 'sms',
    });
    await em.flush();
    expect((await call('DELETE', `/groups/${busy.id}`)).status).toBe(409);
  });
});

describe('users', () => {
  let groupId = '';
  let userId = '';

  it('creates a user in groups, with a lower-cased email and agent role by default', async () => {
    groupId = (await ok<{ items: { id: string; name: string }[] }>(await call('GET', '/groups'))).items.find(
      (g) => g.name === 'Support',
    )!.id;
    const user = await ok<{ id: string }>(
      await call('POST', '/users', {
        email: 'Alice@Acme.test',
        name: 'Alice',
        groupIds: [groupId],
        slackUserId: 'U0ALICE',
      }),
      201,
    );
    userId = user.id;
    expect(user).toMatchObject({
      email: 'alice@acme.test',
      role: 'agent',
      groupIds: [groupId],
      active: true,
    });
  });

  it('refuses an email (any case) or a Slack user id that another user has, with 409', async () => {
    const email = await call('POST', '/users', { email: 'ALICE@acme.test', name: 'Other Alice' });
    expect(email.status).toBe(409);
    expect((await errorOf(email)).message).toContain('email already belongs to alice@acme.test');
    const slack = await call('POST', '/users', {
      email: 'bob@acme.test',
      name: 'Bob',
      slackUserId: 'U0ALICE',
    });
    expect(slack.status).toBe(409);
    expect((await errorOf(slack)).message).toContain('Slack user id');
  });

  it('refuses groups that do not exist, naming them', async () => {
    const missing = '00000000-0000-4000-8000-000000000001';
    const res = await call('POST', '/users', { email: 'carl@acme.test', name: 'Carl', groupIds: [missing] });
    expect(res.status).toBe(422);
    expect((await errorOf(res)).message).toContain(missing);
  });

  it('updates role, groups, Teams id and active; lists by group', async () => {
    const updated = await ok(
      await call('PATCH', `/users/${userId}`, { role: 'admin', teamsUserId: '29:alice', active: false }),
    );
    expect(updated).toMatchObject({
      role: 'admin',
      teamsUserId: '29:alice',
      active: false,
      slackUserId: 'U0ALICE',
    });
    await ok(await call('POST', '/users', { email: 'zed@acme.test', name: 'Zed' }), 201);
    const inGroup = await ok<{ items: { email: string }[] }>(await call('GET', `/users?groupId=${groupId}`));
    expect(inGroup.items.map((u) => u.email)).toEqual(['alice@acme.test']);
    const all = await ok<{ items: { email: string }[] }>(await call('GET', '/users'));
    expect(all.items.map((u) => u.email)).toContain('zed@acme.test');
  });

  it('refuses an unknown role and an unknown user id', async () => {
    expect((await call('PATCH', `/users/${userId}`, { role: 'owner' })).status).toBe(422);
    expect((await call('GET', '/users/00000000-0000-4000-8000-000000000002')).status).toBe(404);
  });
});
