import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';

/**
 * The cap on live streams per session, counted in Redis so it holds across web processes: a
 * sorted set per session whose members are its open streams, each scored with the time it stops
 * counting. An open stream refreshes its member at every heartbeat, so the members of a process
 * that died simply expire (and the key has a TTL too): the count heals itself.
 */
export interface StreamSlots {
  /** Takes a slot for the stream; false when the session already holds `cap` live streams. */
  take(sessionId: string, streamId: string): Promise<boolean>;
  refresh(sessionId: string, streamId: string): Promise<void>;
  release(sessionId: string, streamId: string): Promise<void>;
}

/** Drops expired members, then admits the stream if there is room, in one atomic step. */
const TAKE = `
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('zadd', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), ARGV[4])
redis.call('pexpire', KEYS[1], tonumber(ARGV[3]) + 1000)
return 1`;

export function createStreamSlots(
  redis: Redis,
  opts: { prefix: string; cap: number; ttlMs: number; logger: Logger },
): StreamSlots {
  const key = (sessionId: string) => `${opts.prefix}:webchat:streams:${sessionId}`;
  return {
    async take(sessionId, streamId) {
      try {
        const admitted = await redis.eval(
          TAKE,
          1,
          key(sessionId),
          Date.now(),
          opts.cap,
          opts.ttlMs,
          streamId,
        );
        return admitted === 1;
      } catch (err) {
        // A cap that cannot be counted does not take the chat down with Redis.
        opts.logger.warn({ err, sessionId }, 'webchat stream cap not checked: Redis did not answer');
        return true;
      }
    },
    async refresh(sessionId, streamId) {
      const k = key(sessionId);
      await redis
        .multi()
        .zadd(k, Date.now() + opts.ttlMs, streamId)
        .pexpire(k, opts.ttlMs + 1000)
        .exec();
    },
    async release(sessionId, streamId) {
      await redis.zrem(key(sessionId), streamId);
    },
  };
}
