import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Group } from '../../src/db/entities/index.ts';
import { cronProblem } from '../../src/domain/cron.ts';
import { adminCall, type ErrorBody, sharedRedis, testApp } from '../http/helpers.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const BAD = '61 25 * * 9';
const WHY =
  'minute 61 is out of range (0-59); hour 25 is out of range (0-23); day of week 9 is out of range (0-7)';

const parley = setupCli(db);

const groupsNamed = (name: string) => db.em().count(Group, { name });

describe('digest schedules are checked with the parser BullMQ schedules them with (R27)', () => {
  it('R27: says which field of a cron is wrong and why, and accepts what BullMQ can run', () => {
    expect(cronProblem(BAD)).toBe(`"${BAD}": ${WHY}`);
    expect(cronProblem('0 0 31 2 *')).toBe(
      '"0 0 31 2 *": that day of the month never occurs in the months given',
    );
    expect(cronProblem('0 8 * *')).toContain('a cron expression has 5 fields');
    expect(cronProblem('*/0 * * * *')).toContain('minute "*/0"');
    expect(cronProblem('H 8 * * *')).toContain('H, a random value');
    for (const ok of ['0 8 * * 1-5', '30 17 * * FRI', '0 9 1 * *', '0 0 8 * * MON-FRI', '0 8 L * *']) {
      expect(cronProblem(ok), ok).toBeNull();
    }
  });

  it('R27: the admin API refuses an invalid digestCron on create and update, naming the field, and stores nothing', async () => {
    const created = await adminCall(app, 'POST', '/groups', { name: 'Night shift', digestCron: BAD });
    expect(created.status).toBe(422);
    const body = (await created.json()) as ErrorBody;
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details?.issues).toEqual([{ path: 'digestCron', message: `"${BAD}": ${WHY}` }]);
    expect(await groupsNamed('Night shift')).toBe(0);

    const ok = await adminCall(app, 'POST', '/groups', { name: 'Day shift', digestCron: '0 8 * * 1-5' });
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string };
    const patched = await adminCall(app, 'PATCH', `/groups/${id}`, { digestCron: '0 24 * * *' });
    expect(patched.status).toBe(422);
    expect(((await patched.json()) as ErrorBody).error.message).toContain(
      'digestCron: "0 24 * * *": hour 24 is out of range (0-23)',
    );
    expect((await db.em().findOneOrFail(Group, id)).digestCron).toBe('0 8 * * 1-5');
  });

  it('R27: the workspace file and the CLI refuse it, naming the field, and write nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-cron-'));
    const file = join(dir, 'ws.yaml');
    await writeFile(
      file,
      `account: { name: Acme }\ngroups:\n  - name: Evening\n  - name: Weekend\n    digestCron: "${BAD}"\n`,
    );
    const applied = await parley('workspace', 'apply', file);
    expect(applied.exitCode).not.toBe(0);
    expect(applied.text).toContain(`groups[1].digestCron: "${BAD}": ${WHY}`);
    expect(await groupsNamed('Evening')).toBe(0);
    expect(await groupsNamed('Weekend')).toBe(0);

    const cli = await parley('groups', 'create', 'Late', '--digest-cron', BAD);
    expect(cli.exitCode).not.toBe(0);
    expect(cli.text).toContain(`digestCron: "${BAD}": minute 61 is out of range (0-59)`);
    expect(await groupsNamed('Late')).toBe(0);
  });
});
