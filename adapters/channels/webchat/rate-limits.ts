import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../../src/config.ts';
import { AppError } from '../../../src/domain/errors.ts';

export type LimitedAction = 'sessions' | 'messages' | 'uploads';
export type LimitScope = 'ip' | 'widget';

/**
 * Abuse limits of the public webchat API: how many sessions, messages and uploads one client
 * address and one widget may make per minute. Counted in Redis, so every web process shares one
 * budget; if Redis does not answer, each process counts in its own memory meanwhile (a limit
 * still holds, per process) rather than refusing every visitor.
 */
export interface WebchatLimits {
  /** Counts one request; over the limit it throws `rate_limited` (429, Retry-After). */
  count(action: LimitedAction, scope: LimitScope, key: string): Promise<void>;
}

const perMinute = (config: Config): Record<LimitedAction, Record<LimitScope, number>> => ({
  sessions: {
    ip: config.WEBCHAT_SESSIONS_PER_IP_PER_MINUTE,
    widget: config.WEBCHAT_SESSIONS_PER_WIDGET_PER_MINUTE,
  },
  messages: {
    ip: config.WEBCHAT_MESSAGES_PER_IP_PER_MINUTE,
    widget: config.WEBCHAT_MESSAGES_PER_WIDGET_PER_MINUTE,
  },
  uploads: {
    ip: config.WEBCHAT_UPLOADS_PER_IP_PER_MINUTE,
    widget: config.WEBCHAT_UPLOADS_PER_WIDGET_PER_MINUTE,
  },
});

/** What the widget shows the visitor (it shows the error message as it is). */
const refusals: Record<LimitedAction, Record<LimitScope, string>> = {
  sessions: {
    ip: 'Too many chats were started from your network just now.',
    widget: 'This chat is very busy.',
  },
  messages: {
    ip: 'You are sending messages faster than we can take them.',
    widget: 'This chat is very busy.',
  },
  uploads: { ip: 'Too many files were sent from your network just now.', widget: 'This chat is very busy.' },
};

export function createWebchatLimits(redis: Redis, config: Config): WebchatLimits {
  const limits = perMinute(config);
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = (action: LimitedAction, scope: LimitScope) => {
    const name = `${action}:${scope}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      const points = limits[action][scope];
      limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.REDIS_PREFIX}:webchat:limit:${name}`,
        points,
        duration: 60,
        // Straight to the in-memory count while Redis is away, instead of queueing behind it.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };

  return {
    async count(action, scope, key) {
      if (limits[action][scope] === 0) return;
      try {
        await limiterFor(action, scope).consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new AppError(
          'rate_limited',
          `${refusals[action][scope]} Please wait ${retryAfterSeconds} seconds and try again.`,
          { limit: `${action}_per_${scope}`, retryAfterSeconds },
        );
      }
    },
  };
}
