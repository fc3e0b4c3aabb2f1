import type { ChannelAdapterModule } from '../../../src/ports/adapter-module.ts';
import { createLiveHub } from './live.ts';
import { createPresence } from './presence.ts';
import { webchatRoutes } from './routes.ts';
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
      return createWebchatChannel({
        hub: createLiveHub(deps.redis, deps.logger),
        presence: createPresence(deps.redis, config.REDIS_PREFIX, {
          // Two missed heartbeats and the visitor is gone.
          ttlMs: heartbeatMs * 2 + 5_000,
          graceMs: opts.leaveGraceMs ?? 10_000,
        }),
        prefix: config.REDIS_PREFIX,
        heartbeatMs,
      });
    },
    routes: webchatRoutes,
  };
}

export const webchatAdapter = createWebchatAdapter();
