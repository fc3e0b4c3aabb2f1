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

// Each test makes the groups and users it works on, so it runs alone (`-t`) or in any order.
let made = 0;
const newGroup = async (body: Record<string, unknown> = {}) =>
  ok<{ id: string }>(await call('POST', '/groups', { name: `Team ${++made}`, ...body }), 201);
const newUser = async (body: Record<string, unknown> = {}) => {
  const n = ++made;
  return ok<{ id: string; email: string }>(
    await call('POST', '/users', { email: `user${n}@acme.test`, name: `User ${n}`, ...body }),
    201,
  );
};

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
    expect(await ok(await call('GET', `/groups/${group.id}`))).toMatchObject({
      name: 'Support',
      slackChannelId: 'C0SUPPORT',
      teamsChannelId: '19:chan@thread.tacv2',
      aiAgent: { enabled: true, name: 'Ava' },
      digestCron: '0 8 * * 1-5',
    });
  });

  it('refuses a second group with the same name (409) and a Teams team without its channel (422)', async () => {
    await newGroup({ name: 'Escalations' });
    const dup = await call('POST', '/groups', { name: 'Escalations' });
    expect(dup.status).toBe(409);
    expect((await errorOf(dup)).message).toContain('"Escalations" already exists');
    const half = await call('POST', '/groups', { name: 'Half', teamsTeamId: 'team-1' });
    expect(half.status).toBe(422);
    expect((await errorOf(half)).message).toContain('teamsChannelId');
  });

  it('updates a group: unlinks Slack with null, turns the AI agent off, leaves the rest alone', async () => {
    const group = await newGroup({
      slackChannelId: 'C0UPDATE',
      teamsTeamId: 'team-2',
      teamsChannelId: '19:update@thread.tacv2',
      aiAgent: { enabled: true, name: 'Ava' },
      digestCron: '0 8 * * 1-5',
    });
    const updated = await ok(
      await call('PATCH', `/groups/${group.id}`, { slackChannelId: null, aiAgent: { enabled: false } }),
    );
    expect(updated).toMatchObject({
      slackChannelId: null,
      teamsChannelId: '19:update@thread.tacv2',
      aiAgent: { enabled: false },
      digestCron: '0 8 * * 1-5',
    });
  });

  it('R41: a group replies in the thread by default; its reply mode is set and audited, a wrong word refused naming the choices', async () => {
    const group = await newGroup();
    expect(await ok(await call('GET', `/groups/${group.id}`))).toMatchObject({ replies: 'thread' });
    expect(await ok(await call('PATCH', `/groups/${group.id}`, { replies: 'explicit' }))).toMatchObject({
      replies: 'explicit',
    });
    const audit = await db.em().fork().find(AuditEvent, { action: 'group.updated' });
    expect(audit.map((a) => a.data)).toContainEqual({
      groupId: group.id,
      changed: ['replies'],
      via: 'admin-api',
    });
    const wrong = await call('PATCH', `/groups/${group.id}`, { replies: 'sometimes' });
    expect(wrong.status).toBe(422);
    expect((await errorOf(wrong)).message).toMatch(/replies.*"thread".*"explicit"/s);
    expect(await ok(await call('GET', `/groups/${group.id}`))).toMatchObject({ replies: 'explicit' });
  });

  it('R36, R37: sets the AI agent (mode, caps) and the auto responder; refuses bad hours naming the field', async () => {
    const group = await newGroup();
    const autoResponder = {
      enabled: true,
      timeZone: 'Europe/Berlin',
      hours: { mon: [{ from: '09:00', to: '17:00' }], fri: [{ from: '09:00', to: '24:00' }] },
      holidays: ['2026-12-25'],
      awayMessage: 'We are closed now.',
      intervalMinutes: 120,
    };
    const aiAgent = { enabled: true, name: 'Ava', mode: 'draft', maxTurns: 5, dailyTokenBudget: 100_000 };
    const updated = await ok(await call('PATCH', `/groups/${group.id}`, { aiAgent, autoResponder }));
    expect(updated).toMatchObject({ aiAgent, autoResponder });
    expect(await ok(await call('GET', `/groups/${group.id}`))).toMatchObject({ aiAgent, autoResponder });

    for (const [bad, named] of [
      [{ ...autoResponder, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ ...autoResponder, hours: { mon: [{ from: '17:00', to: '09:00' }] } }, 'mon'],
      [{ ...autoResponder, holidays: ['2026-02-30'] }, 'holidays'],
      [{ ...autoResponder, hours: { someday: [] } }, 'someday'],
    ] as const) {
      const res = await call('PATCH', `/groups/${group.id}`, { autoResponder: bad });
      expect(res.status).toBe(422);
      expect((await errorOf(res)).message).toContain(named);
    }
    const res = await call('PATCH', `/groups/${group.id}`, { aiAgent: { ...aiAgent, mode: 'yolo' } });
    expect(res.status).toBe(422);
    expect(await ok(await call('GET', `/groups/${group.id}`))).toMatchObject({ aiAgent, autoResponder });
  });

  it('lists groups by name', async () => {
    await newGroup({ name: 'Zeta desk' });
    await newGroup({ name: 'Billing' });
    const { items } = await ok<{ items: { name: string }[] }>(await call('GET', '/groups'));
    // Other tests' groups may be there too: these two are listed, by name.
    expect(items.map((g) => g.name).filter((n) => n === 'Billing' || n === 'Zeta desk')).toEqual([
      'Billing',
      'Zeta desk',
    ]);
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
  it('creates a user in groups, with a lower-cased email and agent role by default', async () => {
    const groupId = (await newGroup()).id;
    const user = await ok<{ id: string }>(
      await call('POST', '/users', {
        email: 'Alice@Acme.test',
        name: 'Alice',
        groupIds: [groupId],
        slackUserId: 'U0ALICE',
      }),
      201,
    );
    expect(user).toMatchObject({
      email: 'alice@acme.test',
      role: 'agent',
      groupIds: [groupId],
      active: true,
    });
  });

  it('refuses an email (any case) or a Slack user id that another user has, with 409', async () => {
    await newUser({ email: 'Dora@Acme.test', name: 'Dora', slackUserId: 'U0DORA' });
    const email = await call('POST', '/users', { email: 'DORA@acme.test', name: 'Other Dora' });
    expect(email.status).toBe(409);
    expect((await errorOf(email)).message).toContain('email already belongs to dora@acme.test');
    const slack = await call('POST', '/users', {
      email: 'bob@acme.test',
      name: 'Bob',
      slackUserId: 'U0DORA',
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
    const groupId = (await newGroup()).id;
    const other = (await newGroup()).id;
    const erin = await newUser({
      email: 'erin@acme.test',
      name: 'Erin',
      groupIds: [other],
      slackUserId: 'U0ERIN',
    });
    const updated = await ok(
      await call('PATCH', `/users/${erin.id}`, {
        role: 'admin',
        groupIds: [groupId],
        teamsUserId: '29:erin',
        active: false,
      }),
    );
    expect(updated).toMatchObject({
      role: 'admin',
      groupIds: [groupId],
      teamsUserId: '29:erin',
      active: false,
      slackUserId: 'U0ERIN',
    });
    await ok(await call('POST', '/users', { email: 'zed@acme.test', name: 'Zed' }), 201);
    const inGroup = await ok<{ items: { email: string }[] }>(await call('GET', `/users?groupId=${groupId}`));
    expect(inGroup.items.map((u) => u.email)).toEqual(['erin@acme.test']);
    const left = await ok<{ items: { email: string }[] }>(await call('GET', `/users?groupId=${other}`));
    expect(left.items).toEqual([]);
    const all = await ok<{ items: { email: string }[] }>(await call('GET', '/users'));
    expect(all.items.map((u) => u.email)).toContain('zed@acme.test');
  });

  it('refuses an unknown role and an unknown user id', async () => {
    const user = await newUser();
    expect((await call('PATCH', `/users/${user.id}`, { role: 'owner' })).status).toBe(422);
    expect((await ok<{ role: string }>(await call('GET', `/users/${user.id}`))).role).toBe('agent');
    expect((await call('GET', '/users/00000000-0000-4000-8000-000000000002')).status).toBe(404);
  });
});
