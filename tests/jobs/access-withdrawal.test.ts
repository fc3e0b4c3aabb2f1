import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatUnlinkNotice, Conversation, Message, User } from '../../src/db/entities/index.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import { type RunningWorkers, startWorkers } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import { cliActor } from '../../src/setup/actor.ts';
import { updateUser } from '../../src/setup/users.ts';
import { applyWorkspace } from '../../src/setup/workspace/apply.ts';
import { unlinkNoticeProcessor } from '../../workers/unlink-notice.worker.ts';
import { userHomeProcessor } from '../../workers/user-home.worker.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { settledQueues } from '../support/settled.ts';
import { createTestDb } from '../support/test-db.ts';
import { openConv } from '../use-cases/management/support.ts';

/**
 * R34/R35 through the doors that have no job queue (the CLI, the workspace file): the change and
 * its consequences are rows, written in the change's own transaction, and the reconciler finishes
 * the job: dashboards redrawn by force, the previous chat user told.
 */
const db = await createTestDb();
const redis = createTestRedis();
const slack = recordingSurface('slack');
const surfaces = new Map([['slack', slack.surface]]);
let ws: Workspace;
let workers: RunningWorkers;

const reconcileLater = () =>
  reconcile({
    em: db.em(),
    queues: redis.queues,
    channels: new Map(),
    surfaces: true,
    dispatch: async () => {},
    // The reconciler leaves a change a few seconds to its own wake-up first.
    now: () => new Date(Date.now() + 10_000),
  });
/** The two queues this test runs workers for are idle (mirror jobs the reconciler wakes have no worker here). */
const drained = () => settledQueues(redis.queues, { only: ['user-home', 'notices'], timeoutMs: 10_000 });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  workers = startWorkers({
    connection: redis.workerConnection,
    prefix: redis.prefix,
    orm: db.orm,
    concurrency: 2,
    poolMax: 5,
    logger: createLogger('silent'),
    processors: {
      userHome: userHomeProcessor({ surfaces }),
      unlinkNotice: unlinkNoticeProcessor({ surfaces }),
    },
  });
});
afterAll(async () => {
  await workers.close();
});

describe('access withdrawn where no queue is at hand', () => {
  it('R34: `parley users` removing someone from a group takes them off its lists in the same transaction, and the reconciler redraws their dashboards by force', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.alice, ws.bob], assignees: [ws.bob] });
    await updateUser(db.em(), ws.bob.id, { groupIds: [] }, cliActor);
    const after = await db.em().findOneOrFail(Conversation, conv.id);
    expect([after.visibleToIds, after.assigneeIds]).toEqual([[ws.alice.id], []]);
    const line = await db
      .em()
      .findOneOrFail(Message, { conversation: conv.id, kind: 'system' }, { orderBy: { seq: 'desc' } });
    expect(line.text).toBe(
      'Bob left Support: no longer assigned, no longer on the list of users who see this conversation',
    );

    await reconcileLater();
    await drained();
    expect(slack.homes).toContainEqual({ userId: ws.bob.id, force: true });
    expect((await db.em().findOneOrFail(User, ws.bob.id)).accessChangedAt).toBeNull();
  });

  it('R35: a relink from the workspace file is audited, and the reconciler tells the previous Slack user once', async () => {
    await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE_OLD' });
    await applyWorkspace(
      db.em(),
      { users: [{ email: ws.alice.email, name: 'Alice', slackUserId: 'U_ALICE_NEW' }] },
      {
        actor: cliActor,
      },
    );
    const notice = await db.em().findOneOrFail(ChatUnlinkNotice, { platformUserId: 'U_ALICE_OLD' });
    expect(notice.toldAt).toBeNull();

    await reconcileLater();
    await drained();
    await reconcileLater();
    await drained();
    expect(slack.unlinkNotices.filter((n) => n.platformUserId === 'U_ALICE_OLD')).toHaveLength(1);
    expect(slack.unlinkNotices[0]?.text).toContain('no longer linked to the Parley user Alice');
    expect((await db.em().findOneOrFail(ChatUnlinkNotice, notice.id)).toldAt).not.toBeNull();
  });
});
