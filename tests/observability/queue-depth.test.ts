import { describe, expect, it } from 'vitest';
import { BACKGROUND_PRIORITY, enqueue } from '../../src/jobs/queues.ts';
import { collectQueueDepth } from '../../src/metrics/queue-depth.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { createTestRedis } from '../support/redis.ts';

const redis = createTestRedis();
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('queue depth and the oldest waiting job, read from BullMQ at scrape time', () => {
  it('reports each queue’s jobs by state and how long the oldest ready one has waited', async () => {
    const metrics = createMetrics();
    collectQueueDepth(metrics, redis.queues);
    const empty = await metrics.registry.metrics();
    expect(empty).toMatch(/^parley_queue_jobs\{queue="deliver",state="waiting"\} 0$/m);
    expect(empty).toMatch(/^parley_queue_oldest_waiting_seconds\{queue="deliver"\} 0$/m);

    // No worker runs here: the jobs stay where they are.
    await enqueue(redis.queues, 'deliver', { messageId: id(1), attempt: 0 });
    await enqueue(
      redis.queues,
      'deliver',
      { messageId: id(2), attempt: 0 },
      { priority: BACKGROUND_PRIORITY },
    );
    await enqueue(redis.queues, 'deliver', { messageId: id(3), attempt: 0 }, { delayMs: 60_000 });
    await new Promise((r) => setTimeout(r, 30));

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^parley_queue_jobs\{queue="deliver",state="waiting"\} 1$/m);
    expect(text).toMatch(/^parley_queue_jobs\{queue="deliver",state="prioritized"\} 1$/m);
    expect(text).toMatch(/^parley_queue_jobs\{queue="deliver",state="delayed"\} 1$/m);
    expect(text).toMatch(/^parley_queue_jobs\{queue="mirror",state="waiting"\} 0$/m);
    const oldest = Number(/^parley_queue_oldest_waiting_seconds\{queue="deliver"\} (\S+)$/m.exec(text)?.[1]);
    expect(oldest).toBeGreaterThan(0);
  });
});
