import { beforeAll, describe, expect, it } from 'vitest';
import { Group } from '../../src/db/entities/index.ts';
import { syncDigestSchedules } from '../../src/jobs/digest-schedules.ts';
import { createLogger } from '../../src/logger.ts';
import { SurfaceRetryLater } from '../../src/ports/agent-surface.ts';
import { digestProcessor } from '../../workers/digest.worker.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis, flushPrefix } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

const schedules = async () =>
  (await redis.queues.byName.get('digest')!.getJobSchedulers(0, -1)).map((s) => [s.key, s.pattern, s.tz]);

describe('digest schedules (R27)', () => {
  it('R27: each group with a schedule gets one, changes follow the group, and a Redis that lost them is repaired', async () => {
    await db.em().nativeUpdate(Group, { id: ws.group.id }, { digestCron: '0 8 * * 1-5' });
    await syncDigestSchedules(db.em(), redis.queues);
    expect(await schedules()).toEqual([[`digest_${ws.group.id}`, '0 8 * * 1-5', 'UTC']]);
    expect((await syncDigestSchedules(db.em(), redis.queues)).changed).toBe(0);

    await db.em().nativeUpdate(Group, { id: ws.group.id }, { digestCron: '30 17 * * 5' });
    await syncDigestSchedules(db.em(), redis.queues);
    expect(await schedules()).toEqual([[`digest_${ws.group.id}`, '30 17 * * 5', 'UTC']]);

    await flushPrefix(redis.producer, redis.prefix);
    await syncDigestSchedules(db.em(), redis.queues);
    expect(await schedules()).toHaveLength(1);

    await db.em().nativeUpdate(Group, { id: ws.group.id }, { digestCron: null });
    await syncDigestSchedules(db.em(), redis.queues);
    expect(await schedules()).toEqual([]);
  });

  it('R27: a digest job posts the group digest on every chat surface; one that must wait gets a job of its own, the others are not posted twice', async () => {
    const posted: string[] = [];
    const slack = recordingSurface();
    slack.surface.postDigest = async (groupId) => {
      posted.push(`slack:${groupId}`);
    };
    const teams = recordingSurface();
    let teamsPaced = true;
    teams.surface.postDigest = async (groupId) => {
      if (teamsPaced) throw new SurfaceRetryLater('paced', 1_500);
      posted.push(`teams:${groupId}`);
    };
    const run = digestProcessor({
      surfaces: new Map([
        ['teams', teams.surface],
        ['slack', slack.surface],
      ]),
      queues: redis.queues,
      logger: createLogger('silent'),
    });
    await flushPrefix(redis.producer, redis.prefix);
    // biome-ignore lint/suspicious/noExplicitAny: the processor ignores its context
    await run({ groupId: ws.group.id }, {} as any);
    // Slack posted although Teams was paced before it; Teams waits in a job of its own.
    expect(posted).toEqual([`slack:${ws.group.id}`]);
    const waiting = await redis.queues.byName.get('digest')!.getDelayed();
    expect(waiting.map((j) => [j.data, j.opts.delay])).toEqual([
      [{ groupId: ws.group.id, surface: 'teams' }, 1_500],
    ]);
    // That job posts Teams' digest only.
    teamsPaced = false;
    // biome-ignore lint/suspicious/noExplicitAny: the processor ignores its context
    await run(waiting[0]!.data, {} as any);
    expect(posted).toEqual([`slack:${ws.group.id}`, `teams:${ws.group.id}`]);
  });
});
