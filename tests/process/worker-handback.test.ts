import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import { enqueue } from '../../src/jobs/queues.ts';
import { startWorkers } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import { drainWorkers } from '../../src/process/drain-workers.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * Stopping the workers of a process that is shutting down: running jobs finish; one still running
 * at SHUTDOWN_TIMEOUT_MS is handed back, not lost: it stays in Redis, its lock lapses, and
 * another worker's stalled-job check runs it again.
 */
const db = await createTestDb();
const redis = createTestRedis();

/** Workers whose deliver job runs until `release` (a vendor call that hangs). */
function workersWithHangingJob() {
  let started!: () => void;
  const running = new Promise<void>((r) => {
    started = r;
  });
  let release!: () => void;
  const hang = new Promise<void>((r) => {
    release = r;
  });
  const workers = startWorkers({
    connection: redis.workerConnection.duplicate(),
    prefix: redis.prefix,
    orm: db.orm,
    concurrency: 1,
    poolMax: 5,
    logger: createLogger('silent'),
    processors: {
      deliver: async () => {
        started();
        await hang;
      },
    },
  });
  return { workers, running, release };
}

describe('draining workers on shutdown', () => {
  it('waits for the running job to finish when it does within the deadline', async () => {
    const { workers, running, release } = workersWithHangingJob();
    const messageId = randomUUID();
    await enqueue(redis.queues, 'deliver', { messageId, attempt: 0 });
    await running;
    const deadline = new AbortController();
    let drained = false;
    const draining = drainWorkers(workers.workers, deadline.signal).then(() => {
      drained = true;
    });
    const job = await redis.queues.byName.get('deliver')!.getJob(`deliver_${messageId}_0`);
    expect(await job?.getState()).toBe('active');
    expect(drained).toBe(false);
    release();
    await draining;
    expect(drained).toBe(true);
    expect(await redis.queues.byName.get('deliver')!.getActiveCount()).toBe(0);
  });

  it('at the deadline hands the running job back; another worker runs it once its lock lapses', async () => {
    const { workers, running, release } = workersWithHangingJob();
    onTestFinished(release);
    const messageId = randomUUID();
    await enqueue(redis.queues, 'deliver', { messageId, attempt: 0 });
    await running;
    const deadline = new AbortController();
    const draining = drainWorkers(workers.workers, deadline.signal);
    deadline.abort();
    await draining;

    const queue = redis.queues.byName.get('deliver')!;
    const [job] = await queue.getJobs(['active']);
    expect(job?.data).toMatchObject({ messageId });
    // The lock is no longer renewed; deleting it (and the 30 s throttle of stalled-job checks)
    // stands for that time passing.
    await redis.producer.del(
      `${redis.prefix}:deliver:${job!.id}:lock`,
      `${redis.prefix}:deliver:stalled-check`,
    );

    const ranAgain: string[] = [];
    const other = new Worker(
      'deliver',
      async (j) => {
        ranAgain.push(j.data.messageId);
      },
      { connection: redis.workerConnection.duplicate(), prefix: redis.prefix, stalledInterval: 100 },
    );
    onTestFinished(() => other.close());
    await expect.poll(() => ranAgain, { timeout: 10_000 }).toEqual([messageId]);
    await expect.poll(() => queue.getActiveCount()).toBe(0);
  });
});
