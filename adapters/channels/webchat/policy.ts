import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config.ts';
import type { Logger } from '../../../src/logger.ts';
import { createWebchatLimits, type WebchatLimits } from './rate-limits.ts';
import { createStreamSlots, type StreamSlots } from './stream-slots.ts';

/** The limits the public widget API holds every visitor to (README, "Webchat": "Limits"). */
export interface WebchatPolicy {
  limits: WebchatLimits;
  streamSlots: StreamSlots;
  /** A session unused this long has ended (401 `expired_session`); the widget starts a new one. */
  sessionIdleMs: number;
  /** How stale a session's `lastSeenAt` may get before a request writes it again: one write per interval, not per request. */
  lastSeenRefreshMs: number;
  /** An upload not sent in a message within this time can no longer be attached (and is deleted). */
  uploadMaxAgeMs: number;
  /** Proxies whose X-Forwarded-For entries are trusted for the client address. */
  trustProxyHops: number;
  /** Parley's own origin (PUBLIC_URL): its demo page may show any widget. */
  ownOrigin: string;
}

export function createWebchatPolicy(
  redis: Redis,
  config: Config,
  logger: Logger,
  streamTtlMs: number,
): WebchatPolicy {
  const sessionIdleMs = config.WEBCHAT_SESSION_IDLE_MINUTES * 60_000;
  return {
    limits: createWebchatLimits(redis, config),
    streamSlots: createStreamSlots(redis, {
      prefix: config.REDIS_PREFIX,
      cap: config.WEBCHAT_STREAMS_PER_SESSION,
      ttlMs: streamTtlMs,
      logger,
    }),
    sessionIdleMs,
    lastSeenRefreshMs: Math.min(5 * 60_000, Math.floor(sessionIdleMs / 10)),
    uploadMaxAgeMs: config.WEBCHAT_UPLOAD_MAX_AGE_MINUTES * 60_000,
    trustProxyHops: config.WEBCHAT_TRUST_PROXY_HOPS,
    ownOrigin: new URL(config.publicUrl).origin,
  };
}
