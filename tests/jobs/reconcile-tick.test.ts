import type { Queue } from 'bullmq';
import { beforeAll, describe, expect, it } from 'vitest';
import { Group } from '../../src/db/entities/index.ts';
import { reconcileTick } from '../../src/jobs/reconcile-tick.ts';
import { capturedLogger } from '../http/helpers.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;
let broken: Group;

beforeAll(async () => {
  const em = db.em();
  ws = await seedWorkspace(em);
  broken = em.create(Group, { account: ws.account, name: 'Night' });
  await em.flush();
});

const digestSchedules = async () =>
  (await redis.queues.byName.get('digest')!.getJobSchedulers(0, -1)).map((s) => [s.key, s.pattern]).sort();

describe('the reconciler tick', () => {
  it('R27: a group whose stored cron BullMQ cannot run, a failing repair and a failing sweep stop nothing else; a warning names the group and the fix', async () => {
    // Written before crons were checked: straight to the database, as an old row would be.
    await db.em().nativeUpdate(Group, { id: broken.id }, { digestCron: '61 25 * * 9' });
    await db.em().nativeUpdate(Group, { id: ws.group.id }, { digestCron: '0 8 * * 1-5' });
    await db.em().nativeUpdate(Group, { id: ws.otherGroup.id }, { digestCron: '30 17 * * 5' });
    const { reply } = await conversationWithQueuedReply(db.em(), ws, 'repaired despite the bad group');
    const swept: string[] = [];
    const { logger, lines } = capturedLogger();

    // Redis refuses every mirror wake-up: that repair fails, the ones after it still run.
    const refusing = {
      add: async () => Promise.reject(new Error('mirror queue refused')),
      addBulk: async () => Promise.reject(new Error('mirror queue refused')),
    } as unknown as Queue;
    const queues = { ...redis.queues, byName: new Map([...redis.queues.byName, ['mirror', refusing]]) };

    const report = await reconcileTick({
      em: db.em(),
      queues,
      channels: new Map(),
      surfaces: new Map([['slack', recordingSurface().surface]]),
      sweeps: [
        async () => {
          throw new Error('Slack is down');
        },
        async () => {
          swept.push('second surface');
        },
      ],
      dispatch: async () => {},
      logger,
      aiBurstWindowMs: 2_000,
      webchatCleanupEveryMs: 60_000,
    });

    // The healthy groups' digests are scheduled; the broken one is skipped.
    expect(await digestSchedules()).toEqual(
      [
        [`digest_${ws.group.id}`, '0 8 * * 1-5'],
        [`digest_${ws.otherGroup.id}`, '30 17 * * 5'],
      ].sort(),
    );
    // The other repairs happened: the lost delivery is woken, the cleanup is scheduled, the next sweep ran.
    expect(report.deliveries).toBe(1);
    expect(await redis.queues.byName.get('deliver')!.getJob(`deliver_${reply.id}_0`)).toBeTruthy();
    expect(await redis.queues.byName.get('webchat-cleanup')!.getJobScheduler('webchat-cleanup')).toBeTruthy();
    expect(swept).toEqual(['second surface']);

    expect(report.failed).toEqual(['mirrors', 'digestSchedule:Night', 'surfaceSweep1']);
    const warnings = lines.filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warnings).toContainEqual(
      expect.stringContaining(
        'digest of group "Night" not scheduled: digestCron "61 25 * * 9": minute 61 is out of range (0-59)',
      ),
    );
    expect(warnings.find((w) => w.includes('"Night"'))).toContain(`PATCH /groups/${broken.id}`);
    expect(warnings).toContainEqual(expect.stringContaining('reconciler step "surfaceSweep1" failed'));
  });
});
