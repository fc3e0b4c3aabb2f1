import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';
import { liveKey } from './portal-address.ts';

/**
 * Live fan-out across processes: a visitor's open streams (in any web process) listen on one Redis
 * pub/sub channel per widget and visitor identity. Messages carry no content, only "look again":
 * the stream reads what is new from PostgreSQL after its cursor, so a repeated wake-up never shows
 * a message twice, and a reconnecting browser (Last-Event-ID) or subscriber (it wakes every
 * stream) catches up on what was published while it was away.
 */
export interface LiveHub {
  /** Resolves once Redis confirmed the subscription, so a read that follows misses nothing. */
  subscribe(channel: string, onWake: () => void): Promise<() => Promise<void>>;
  publish(channel: string): Promise<void>;
}

/** Keyed by the visitor's live key: a reply to any identity of a signed-in customer wakes their streams. */
export const liveChannel = (prefix: string, widget: string, address: string) =>
  `${prefix}:webchat:live:${widget}:${liveKey(address)}`;

export function createLiveHub(redis: Redis, logger: Logger): LiveHub {
  // One dedicated subscriber connection per process, opened while at least one stream is open.
  let subscriber: Redis | null = null;
  const listeners = new Map<string, Set<() => void>>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const connect = (): Redis => {
    const s = redis.duplicate();
    s.on('message', (channel: string) => {
      for (const wake of listeners.get(channel) ?? []) wake();
    });
    // ioredis subscribes again after a reconnect, but what was published meanwhile is gone:
    // every stream looks in PostgreSQL once more.
    let connectedBefore = false;
    s.on('ready', () => {
      if (connectedBefore) for (const set of listeners.values()) for (const wake of set) wake();
      connectedBefore = true;
    });
    s.on('error', (err: Error) => logger.warn({ err: err.message }, 'webchat subscriber connection error'));
    return s;
  };

  const unsubscribe = (channel: string, onWake: () => void) =>
    serial(async () => {
      const set = listeners.get(channel);
      if (!set?.delete(onWake) || set.size > 0) return;
      listeners.delete(channel);
      const s = subscriber;
      if (!s) return;
      if (listeners.size === 0) {
        subscriber = null;
        s.disconnect();
      } else {
        await s.unsubscribe(channel).catch(() => undefined);
      }
    });

  return {
    subscribe: (channel, onWake) =>
      serial(async () => {
        subscriber ??= connect();
        let set = listeners.get(channel);
        if (!set) {
          set = new Set();
          listeners.set(channel, set);
          try {
            await subscriber.subscribe(channel);
          } catch (err) {
            // Degraded, not broken: the stream still re-reads PostgreSQL at every heartbeat.
            logger.warn({ err, channel }, 'webchat could not subscribe to live updates');
          }
        }
        set.add(onWake);
        return () => unsubscribe(channel, onWake);
      }),
    publish: async (channel) => {
      await redis.publish(channel, '1');
    },
  };
}
