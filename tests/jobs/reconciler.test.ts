import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Message } from '../../src/db/entities/index.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import { type RunningWorkers, startWorkers } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import { deliverMessage } from '../../src/use-cases/deliver-message.ts';
import { deliverProcessor } from '../../workers/deliver.worker.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { recordingChannel, TransientSendError } from '../support/fake-channel.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis, flushPrefix } from '../support/redis.ts';
import { settledQueues } from '../support/settled.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
const wa = recordingChannel('whatsapp');
const channels = new Map([['whatsapp', wa.channel]]);
const dispatch = async () => {};
let ws: Workspace;
let workers: RunningWorkers;

const runReconciler = () =>
  reconcile({ em: db.em(), queues: redis.queues, channels, surfaces: false, dispatch });
const stateOf = async (id: string) => (await db.em().findOneOrFail(Message, id)).deliveryState;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  workers = startWorkers({
    connection: redis.workerConnection,
    prefix: redis.prefix,
    orm: db.orm,
    concurrency: 4,
    poolMax: 5,
    logger: createLogger('silent'),
    processors: { deliver: deliverProcessor({ channels, queues: redis.queues, dispatch }) },
  });
});
afterAll(async () => {
  await workers.close();
});

describe('reconciler', () => {
  it('re-enqueues work Redis lost, and the work is done exactly once', async () => {
    await workers.workers[0]!.pause();
    const { reply } = await conversationWithQueuedReply(db.em(), ws, 'lost-in-redis');
    await enqueue(redis.queues, 'deliver', { messageId: reply.id, attempt: 0 });
    // Redis restarts without persistence: every pending job is gone.
    expect(await flushPrefix(redis.producer, redis.prefix)).toBeGreaterThan(0);
    workers.workers[0]!.resume();

    const report = await runReconciler();
    expect(report.deliveries).toBe(1);
    await vi.waitFor(async () => expect(await stateOf(reply.id)).toBe('sent'), { timeout: 10_000 });

    // Running it again (and again) finds nothing due and sends nothing twice.
    expect((await runReconciler()).deliveries).toBe(0);
    await settledQueues(redis.queues, { reconcile: runReconciler });
    expect(wa.sent.filter((m) => m.text === 'lost-in-redis')).toHaveLength(1);
  });

  it('collapses duplicate wake-ups for the same message into one send', async () => {
    await workers.workers[0]!.pause();
    const { reply } = await conversationWithQueuedReply(db.em(), ws, 'woken-thrice');
    await enqueue(redis.queues, 'deliver', { messageId: reply.id, attempt: 0 });
    await enqueue(redis.queues, 'deliver', { messageId: reply.id, attempt: 0 });
    await runReconciler();
    workers.workers[0]!.resume();
    await vi.waitFor(async () => expect(await stateOf(reply.id)).toBe('sent'), { timeout: 10_000 });
    await settledQueues(redis.queues, { reconcile: runReconciler });
    expect(wa.sent.filter((m) => m.text === 'woken-thrice')).toHaveLength(1);
  });

  it('does not pick up a message whose delivery is not due yet', async () => {
    const { reply } = await conversationWithQueuedReply(db.em(), ws, 'later');
    // The provider asked for the send to be retried in an hour.
    const busy = recordingChannel('whatsapp');
    busy.onNextSend(async () => {
      throw new TransientSendError('rate limited by provider', 3_600_000);
    });
    const tried = await deliverMessage(
      { em: db.em(), channels: new Map([['whatsapp', busy.channel]]) },
      reply.id,
    );
    expect(tried).toMatchObject({ outcome: 'retry', delayMs: 3_600_000 });
    expect((await runReconciler()).deliveries).toBe(0);
    await settledQueues(redis.queues);
    expect(await stateOf(reply.id)).toBe('queued');
    expect(wa.sent.filter((m) => m.text === 'later')).toHaveLength(0);
  });
});
