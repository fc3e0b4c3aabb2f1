import { describe, expect, it } from 'vitest';
import { redisSendRateLimiter } from '../../src/jobs/send-rate.ts';
import { createTestRedis } from '../support/redis.ts';

const redis = createTestRedis();

describe('per-endpoint send rate', () => {
  it('gives one slot per interval per endpoint, and says how long to wait for the next', async () => {
    let now = 1_000_000;
    const take = redisSendRateLimiter(redis.producer, redis.prefix, () => now);
    expect(await take('number-a', 2)).toBe(0);
    expect(await take('number-a', 2)).toBe(500);
    // Another number is not held up by the first.
    expect(await take('number-b', 2)).toBe(0);
    now += 200;
    expect(await take('number-a', 2)).toBe(300);
    now += 300;
    expect(await take('number-a', 2)).toBe(0);
  });
});
