import type { EntityManager } from '@mikro-orm/postgresql';
import { buildChannels } from '../../src/adapters.ts';
import { loadConfig } from '../../src/config.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createApp } from '../../src/http/app.ts';
import { createInboundGroupCommit } from '../../src/http/webhooks/inbound-group-commit.ts';
import { createStatusGroupCommit } from '../../src/http/webhooks/status-group-commit.ts';
import { createDispatcher } from '../../src/jobs/dispatch.ts';
import { createLogger } from '../../src/logger.ts';
import type { ChannelAdapterModule } from '../../src/ports/adapter-module.ts';
import type { Storage } from '../../src/ports/storage.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { createTestRedis } from './redis.ts';
import { localTestStorage } from './storage.ts';
import type { TestDb } from './test-db.ts';

/**
 * The real Hono app with the given channel adapters mounted, on this file's database and Redis
 * prefix, for tests that call `app.request()`. Environment values (secrets, PUBLIC_URL) come from
 * `env`; dispatched events are kept in `events` and also enqueued (no worker runs unless a test starts one).
 */
export function createTestApp(opts: {
  db: TestDb;
  modules: ChannelAdapterModule[];
  env?: Record<string, string>;
  storage?: Storage;
}) {
  const config = loadConfig({ PUBLIC_URL: 'https://parley.test', LOG_LEVEL: 'silent', ...opts.env });
  const logger = createLogger('silent');
  const redis = createTestRedis();
  const storage = opts.storage ?? localTestStorage(config.ATTACHMENT_MAX_BYTES);
  const events: DomainEvent[] = [];
  const dispatcher = createDispatcher(redis.queues, { surfaces: false });
  const dispatch = async (e: DomainEvent[]) => {
    events.push(...e);
    await dispatcher(e);
  };
  const context = (): UseCaseContext => ({ em: opts.db.em() as EntityManager, dispatch });
  // Webhook messages are written by the group commit, as in `parley web`.
  const appendInbound = createInboundGroupCommit({
    fork: () => opts.db.em() as EntityManager,
    logger,
    maxBatch: config.WEBHOOK_BATCH_MAX,
  });
  const updateDelivery = createStatusGroupCommit({
    fork: () => opts.db.em() as EntityManager,
    logger,
    maxBatch: config.WEBHOOK_BATCH_MAX,
  });
  const channels = buildChannels(config, { redis: redis.producer, storage, logger }, opts.modules);
  const app = createApp({
    config,
    orm: opts.db.orm,
    redis: redis.producer,
    logger,
    extraRoutes: (a) => channels.mount(a, { context, config, logger, appendInbound, updateDelivery }),
  });
  return { app, config, channels: channels.registry, context, dispatch, events, storage, redis };
}
