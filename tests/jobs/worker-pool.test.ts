import { beforeAll, describe, expect, it } from 'vitest';
import { createOrm } from '../../src/db/orm.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { concurrencyOf, startWorkers } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import { mirrorProcessor } from '../../workers/mirror.worker.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { settledQueues } from '../support/settled.ts';
import { eventually } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

describe('workers and the database pool', () => {
  it('jobs that hold a lock connection run fewer at once than the pool has connections', () => {
    expect(concurrencyOf('mirror', { concurrency: 8, poolMax: 10 })).toBe(8);
    expect(concurrencyOf('mirror', { concurrency: 8, poolMax: 4 })).toBe(2);
    // ai-reply waits for the model holding no connection: AI_CONCURRENCY sets it, pool or not.
    expect(
      concurrencyOf('ai-reply', { concurrency: 8, poolMax: 4, queueConcurrency: { 'ai-reply': 32 } }),
    ).toBe(32);
    expect(concurrencyOf('mirror', { concurrency: 8, poolMax: 2 })).toBe(1);
    expect(concurrencyOf('deliver', { concurrency: 8, poolMax: 4 })).toBe(8);
  });

  // Up to 20 s for the mirrors on a loaded machine, then up to 20 s for the queues to settle.
  it('many conversations mirrored at once on a small pool all finish (no process-wide wait for a connection)', {
    timeout: 60_000,
  }, async () => {
    // A pool of 3 connections and 8 concurrent jobs: each mirror job holds one connection for its
    // lock and needs a second for its work.
    const orm = await createOrm({ databaseUrl: db.url, poolMax: 3 });
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const convs: { id: string }[] = [];
    for (let i = 0; i < 8; i++)
      convs.push((await conversationWithQueuedReply(db.em(), ws, `pool ${i}`)).conv);
    const workers = startWorkers({
      connection: redis.workerConnection,
      prefix: redis.prefix,
      orm,
      concurrency: 8,
      poolMax: 3,
      logger: createLogger('silent'),
      processors: { mirror: mirrorProcessor({ surfaces, queues: redis.queues }) },
    });
    try {
      for (const c of convs) await enqueue(redis.queues, 'mirror', { conversationId: c.id, rev: 'pool' });
      await eventually(
        () =>
          convs.every((c) =>
            fake.threads.some((t) => t.header.conversationId === c.id && t.items.length >= 2),
          ),
        20_000,
      );
      await settledQueues(redis.queues, { timeoutMs: 20_000 });
    } finally {
      await workers.close();
      await orm.close(true);
    }
    expect(fake.threads.filter((t) => convs.some((c) => c.id === t.header.conversationId))).toHaveLength(8);
  });
});
