import type { Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startWorker } from '../../src/cli/main-commands.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type App, createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import type { ChannelAdapterModule } from '../../src/ports/adapter-module.ts';
import { createServices, type Services } from '../../src/services.ts';
import { flushPrefix } from './redis.ts';
import { localTestStorage } from './storage.ts';
import { type TestDb, testRedisPrefix } from './test-db.ts';
import { redisUrl } from './test-env.ts';

/**
 * Parley as it runs (`createServices`, the real app, the real BullMQ workers and reconciler) on
 * this file's database and a Redis prefix of its own. Registers its start and stop hooks; call
 * at the top of a test file. Vendors are faked by the caller (msw).
 */
export function runningParley(
  db: TestDb,
  opts: {
    env: Record<string, string>;
    channelModules: ChannelAdapterModule[];
    logger?: Logger;
    workers?: boolean;
  },
) {
  const config: Config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: testRedisPrefix(),
    PUBLIC_URL: 'https://parley.test',
    LOG_LEVEL: 'silent',
    RECONCILE_INTERVAL_MS: '1000',
    // Tests wait for the queues to settle; a header's count need not wait 5 s for Slack's sake here.
    HEADER_COUNT_REDRAW_MS: '300',
    WORKER_CONCURRENCY: '4',
    DATABASE_POOL_MAX: '4',
    ...opts.env,
  });
  const h = {} as { services: Services; app: App; stop?: () => Promise<void> };
  beforeAll(async () => {
    h.services = await createServices(config, opts.logger ?? createLogger('silent'), {
      storage: localTestStorage(config.ATTACHMENT_MAX_BYTES),
      channelModules: opts.channelModules,
    });
    h.app = createApp({
      config,
      orm: h.services.orm,
      redis: h.services.redis,
      logger: h.services.logger,
      dispatch: h.services.dispatch,
      extraRoutes: h.services.mountChannelRoutes,
    });
    if (opts.workers !== false) h.stop = startWorker(h.services);
  });
  afterAll(async () => {
    await h.stop?.();
    await flushPrefix(h.services.redis, config.REDIS_PREFIX);
    await h.services.close();
  });
  return {
    config,
    get services() {
      return h.services;
    },
    get app() {
      return h.app;
    },
  };
}
