import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createQueues, type Queues } from '../../src/jobs/queues.ts';
import { testRedisPrefix } from './test-db.ts';
import { redisUrl } from './test-env.ts';

/** Redis connections and queues under a key prefix private to this test file. */
export function createTestRedis() {
  const prefix = testRedisPrefix();
  const producer = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const workerConnection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const queues: Queues = createQueues(producer, prefix);
  afterAll(async () => {
    await queues.close();
    await flushPrefix(producer, prefix);
    producer.disconnect();
    workerConnection.disconnect();
  });
  return { prefix, producer, workerConnection, queues };
}

/** Deletes every key under the prefix: what a Redis restart without persistence does to our data. */
export async function flushPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Resolves when no job of any queue is waiting, delayed, active or prioritized. */
export async function queuesIdle(queues: Queues): Promise<boolean> {
  for (const q of queues.byName.values()) {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    if (Object.values(c).some((n) => n > 0)) return false;
  }
  return true;
}
