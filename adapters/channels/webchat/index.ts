import type { ChannelAdapterModule } from '../../../src/ports/adapter-module.ts';
import { createLiveHub } from './live.ts';
import { createWebchatPolicy } from './policy.ts';
import { createPresence } from './presence.ts';
import { webchatRoutes } from './routes.ts';
import { webchatSetupSchemas } from './setup-schemas.ts';
import { createWebchatChannel } from './webchat.channel.ts';

export interface WebchatOptions {
  /** Heartbeat of an open stream, which also refreshes presence (default 20 s). */
  heartbeatMs?: number;
  /** How long a closed stream still counts as connected: a page reload is not leaving (default 10 s). */
  leaveGraceMs?: number;
}

/** The embeddable webchat: always on (it needs no provider secrets), served by Parley itself. */
export function createWebchatAdapter(opts: WebchatOptions = {}): ChannelAdapterModule {
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  return {
    name: 'webchat',
    create(config, deps) {
      // Two missed heartbeats and a stream is gone (from presence and from its session's stream count).
      const streamTtlMs = heartbeatMs * 2 + 5_000;
      return createWebchatChannel({
        hub: createLiveHub(deps.redis, deps.logger),
        presence: createPresence(deps.redis, config.REDIS_PREFIX, {
          ttlMs: streamTtlMs,
          graceMs: opts.leaveGraceMs ?? 10_000,
        }),
        policy: createWebchatPolicy(deps.redis, config, deps.logger, streamTtlMs),
        prefix: config.REDIS_PREFIX,
        heartbeatMs,
      });
    },
    routes: webchatRoutes,
    setup: webchatSetupSchemas,
  };
}

export const webchatAdapter = createWebchatAdapter();
