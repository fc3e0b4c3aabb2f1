import type { Redis } from 'ioredis';
import { liveKey } from './portal-address.ts';

/**
 * Whether a visitor is connected: a sorted set per widget and identity whose members are the open
 * streams, each scored with the time it stops counting. A stream refreshes its member at every
 * heartbeat; a process that dies leaves members that simply expire, and the key has a TTL too.
 */
export interface Presence {
  touch(widget: string, address: string, streamId: string): Promise<void>;
  /** The stream closed; it still counts for `graceMs` (a page reload is not leaving). */
  leave(widget: string, address: string, streamId: string): Promise<void>;
  isPresent(widget: string, address: string): Promise<boolean>;
}

export interface PresenceOptions {
  /** How long a stream counts as connected after its last heartbeat. */
  ttlMs: number;
  graceMs: number;
}

export function createPresence(redis: Redis, prefix: string, opts: PresenceOptions): Presence {
  const key = (widget: string, address: string) => `${prefix}:webchat:presence:${widget}:${liveKey(address)}`;
  const keep = async (k: string, member: string, until: number) => {
    await redis
      .multi()
      .zremrangebyscore(k, '-inf', Date.now())
      .zadd(k, until, member)
      .pexpire(k, Math.max(opts.ttlMs, until - Date.now()) + 1_000)
      .exec();
  };
  return {
    touch: (widget, address, streamId) => keep(key(widget, address), streamId, Date.now() + opts.ttlMs),
    leave: async (widget, address, streamId) => {
      if (opts.graceMs <= 0) await redis.zrem(key(widget, address), streamId);
      else await keep(key(widget, address), streamId, Date.now() + opts.graceMs);
    },
    isPresent: async (widget, address) =>
      (await redis.zcount(key(widget, address), `(${Date.now()}`, '+inf')) > 0,
  };
}
