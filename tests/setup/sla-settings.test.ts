import { describe, expect, it } from 'vitest';
import { AuditEvent, Conversation, Group } from '../../src/db/entities/index.ts';
import { applyWorkspace } from '../../src/setup/workspace/apply.ts';
import { exportWorkspace } from '../../src/setup/workspace/export.ts';
import { adminCall, sharedRedis, testApp } from '../http/helpers.ts';
import { seedContact, seedWorkspace } from '../support/fixtures.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

/** R39's targets from every door: the admin API, the CLI and the workspace file. */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);
const parley = setupCli(db);
const ws = await seedWorkspace(db.em());
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error;

describe('SLA targets: admin API, CLI, workspace file (R39)', () => {
  it('R39: PATCH /groups/{id} sets targets (per tag too) and the escalation channel; bad targets are refused naming the field', async () => {
    const sla = {
      firstResponseMinutes: 30,
      nextResponseMinutes: 120,
      warnBeforeMinutes: 10,
      tags: { vip: { firstResponseMinutes: 10 } },
      escalation: { slack: 'C_ESCALATE' },
    };
    const res = await call('PATCH', `/groups/${ws.otherGroup.id}`, { sla });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ sla });
    for (const [bad, named] of [
      [{ firstResponseMinutes: 0 }, 'firstResponseMinutes'],
      [{ warnBeforeMinutes: 5 }, 'set firstResponseMinutes or nextResponseMinutes'],
      [{ firstResponseMinutes: 30, tags: { vip: {} } }, 'a tag needs'],
      [{ firstResponseMinutes: 30, hurry: true }, 'hurry'],
    ] as const) {
      const r = await call('PATCH', `/groups/${ws.otherGroup.id}`, { sla: bad });
      expect(r.status).toBe(422);
      expect((await errorOf(r)).message).toContain(named);
    }
    expect((await db.em().fork().findOneOrFail(Group, ws.otherGroup.id)).sla).toEqual(sla);
  });

  it('R39: targets set for the first time start the clock of customers already waiting now, not when they began to wait', async () => {
    const em = db.em();
    const { contact } = await seedContact(em, ws.group.account, { phone: '+15550394444' });
    const longAgo = new Date('2026-01-05T09:00:00Z');
    const conv = em.create(Conversation, {
      account: ws.group.account,
      group: ws.group,
      number: 9001,
      contact,
      channel: 'whatsapp',
      humanWaitingSince: longAgo,
      unrepliedCount: 1,
      oldestUnrepliedAt: longAgo,
    });
    await em.flush();
    const before = Date.now();
    const res = await call('PATCH', `/groups/${ws.group.id}`, { sla: { firstResponseMinutes: 30 } });
    expect(res.status).toBe(200);
    const after = await db.em().fork().findOneOrFail(Conversation, conv.id);
    expect(after.humanWaitingSince!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // R11 is untouched: the customer's message still waits since it came.
    expect(after.oldestUnrepliedAt).toEqual(longAgo);
  });

  it('R39: parley sla set|show|report|off, audited as group changes', async () => {
    expect((await parley('groups', 'create', 'Sla CLI')).exitCode).toBe(0);
    const set = await parley(
      'sla',
      'set',
      '--group',
      'Sla CLI',
      '--first',
      '45',
      '--next',
      '90',
      '--tag',
      'vip=15/30',
      '--escalate-teams',
      '19:esc@thread.tacv2',
    );
    expect(set.exitCode, set.err).toBe(0);
    expect(set.out).toContain('first response 45 min, next response 90 min');
    expect(set.out).toContain('contacts tagged vip: first 15 min, next 30 min');
    expect(set.out).toContain('around the clock');
    const group = await db.em().fork().findOneOrFail(Group, { name: 'Sla CLI' });
    expect(group.sla).toEqual({
      firstResponseMinutes: 45,
      nextResponseMinutes: 90,
      tags: { vip: { firstResponseMinutes: 15, nextResponseMinutes: 30 } },
      escalation: { teams: '19:esc@thread.tacv2' },
    });
    const audited = await db.em().fork().find(AuditEvent, { action: 'group.updated' });
    expect(
      audited.some((a) => a.data.groupId === group.id && (a.data.changed as string[]).includes('sla')),
    ).toBe(true);

    const bad = await parley('sla', 'set', '--group', 'Sla CLI', '--tag', 'vip:15');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.err).toContain('--tag "vip:15" is not tag=first[/next]');
    expect((await parley('groups', 'create', 'Sla none')).exitCode).toBe(0);
    const empty = await parley('sla', 'set', '--group', 'Sla none', '--warn-before', '5');
    expect(empty.err).toContain(
      'Sla none has no SLA targets yet: give --first <minutes>, --next <minutes> or a --tag.',
    );
    const report = await parley('sla', 'report', '--group', 'Sla CLI');
    expect(report.out).toMatch(/Sla CLI\s+-\s+0\s+-/);

    const off = await parley('sla', 'off', '--group', 'Sla CLI');
    expect(off.out).toContain('Sla CLI has no SLA targets now.');
    expect((await db.em().fork().findOneOrFail(Group, { name: 'Sla CLI' })).sla).toBeNull();
  });

  it('R39: the workspace file sets targets and exports them back', async () => {
    const fileDb = await createTestDb();
    const sla = { firstResponseMinutes: 60, tags: { vip: { firstResponseMinutes: 15 } } };
    await applyWorkspace(fileDb.em(), { account: { name: 'Acme' }, groups: [{ name: 'Desk', sla }] });
    expect((await fileDb.em().fork().findOneOrFail(Group, { name: 'Desk' })).sla).toEqual(sla);
    const exported = await exportWorkspace(fileDb.em().fork());
    expect(exported.groups?.find((g) => g.name === 'Desk')).toMatchObject({ sla });
    const changed = await applyWorkspace(fileDb.em(), { groups: [{ name: 'Desk', sla: null }] });
    expect(changed.groups.updated).toEqual([{ key: 'Desk', fields: ['sla'] }]);
  });
});
