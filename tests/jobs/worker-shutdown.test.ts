import { describe, expect, it, vi } from 'vitest';
import { Message } from '../../src/db/entities/index.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { startWorkers } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import { deliverProcessor } from '../../workers/deliver.worker.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { recordingChannel } from '../support/fake-channel.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();

describe('worker shutdown', () => {
  it('stopping the worker lets the running send finish and record its result first', async () => {
    const ws = await seedWorkspace(db.em());
    const wa = recordingChannel();
    let started!: () => void;
    const sendStarted = new Promise<void>((r) => {
      started = r;
    });
    let release!: () => void;
    wa.onNextSend(() => {
      started();
      return new Promise<void>((r) => {
        release = r;
      });
    });
    const workers = startWorkers({
      connection: redis.workerConnection,
      prefix: redis.prefix,
      orm: db.orm,
      concurrency: 1,
      poolMax: 5,
      logger: createLogger('silent'),
      processors: {
        deliver: deliverProcessor({
          channels: new Map([['whatsapp', wa.channel]]),
          queues: redis.queues,
          dispatch: async () => {},
        }),
      },
    });
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    await enqueue(redis.queues, 'deliver', { messageId: reply.id, attempt: 0 });
    await sendStarted;
    const closed = workers.close();
    let closedYet = false;
    void closed.then(() => {
      closedYet = true;
    });
    await vi.waitFor(() => expect(release).toBeTypeOf('function'), { timeout: 5_000 });
    expect(closedYet).toBe(false);
    release();
    await closed;
    expect((await db.em().findOneOrFail(Message, reply.id)).deliveryState).toBe('sent');
    expect(wa.sent).toHaveLength(1);
  });
});
