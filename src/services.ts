import type { EntityManager } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { createStorage } from '../adapters/storage/index.ts';
import { buildChannels, channelModules } from './adapters.ts';
import { buildAiModel } from './ai-models.ts';
import { migrateDatabase } from './cli/migrations.ts';
import type { Config } from './config.ts';
import { createOrm, type Orm } from './db/orm.ts';
import type { DomainEvent } from './domain/events.ts';
import type { App } from './http/app.ts';
import { createInboundGroupCommit } from './http/webhooks/inbound-group-commit.ts';
import { paymentRoutes } from './http/webhooks/payments.ts';
import { createStatusGroupCommit } from './http/webhooks/status-group-commit.ts';
import { createDispatcher } from './jobs/dispatch.ts';
import { createQueues, type Queues } from './jobs/queues.ts';
import type { Logger } from './logger.ts';
import { collectQueueDepth } from './metrics/queue-depth.ts';
import { createMetrics, type Metrics } from './metrics/registry.ts';
import { buildPaymentProvider } from './payments.ts';
import type { ChannelAdapterModule, SurfaceAdapterModule } from './ports/adapter-module.ts';
import type { SurfaceRegistry } from './ports/agent-surface.ts';
import type { AiModel } from './ports/ai-model.ts';
import type { ChannelRegistry } from './ports/customer-channel.ts';
import type { PaymentProvider } from './ports/payments.ts';
import type { Storage } from './ports/storage.ts';
import { buildSurfaces } from './surfaces.ts';
import type { UseCaseContext } from './use-cases/context.ts';

const DISPATCH_TIMEOUT_MS = 2_000;

/** Everything a Parley process shares: one ORM, one Redis connection, the queues and the adapters. */
export interface Services {
  config: Config;
  logger: Logger;
  orm: Orm;
  redis: Redis;
  queues: Queues;
  /** This process's metrics (README "Monitoring"): one registry per Services, never shared. */
  metrics: Metrics;
  storage: Storage;
  channels: ChannelRegistry;
  /** Mounts the configured channels' routes (webhooks, webchat) and surfaces' routes (Slack events) on an app. */
  mountChannelRoutes: (app: App) => void;
  surfaces: SurfaceRegistry;
  /** The AI agent's model (R36); null when OPENAI_API_KEY is unset (an enabled agent then hands off). */
  aiModel: AiModel | null;
  /** The payment provider issuing pay links (R38); null when STRIPE_SECRET_KEY is unset (admins mark invoices paid). */
  payments: PaymentProvider | null;
  /** The surfaces' periodic work (missed Slack replies), run by the reconciler loop. */
  sweeps: (() => Promise<void>)[];
  /** `background`: work that waits behind ordinary traffic (dispatch.ts). */
  dispatch: (events: DomainEvent[], how?: { background?: boolean }) => Promise<void>;
  /** A use-case context with a fresh EntityManager fork (one per request or job). */
  context: (em?: EntityManager) => UseCaseContext;
  close(): Promise<void>;
}

export async function createServices(
  config: Config,
  logger: Logger,
  opts: {
    migrate?: boolean;
    storage?: Storage;
    channelModules?: ChannelAdapterModule[];
    /** Chat surfaces (Slack, Teams) built when configured; the table in src/surfaces.ts by default. */
    surfaceModules?: SurfaceAdapterModule[];
  } = {},
): Promise<Services> {
  if (opts.migrate) {
    const applied = await migrateDatabase(config.DATABASE_URL);
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
  }
  const orm = await createOrm({
    databaseUrl: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    logger,
  });
  // The producer connection fails fast when Redis is away (workers open their own blocking one):
  // a webhook must not hang on a wake-up call that the reconciler can make later.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 2_000 });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const queues = createQueues(redis, config.REDIS_PREFIX);
  const metrics = createMetrics();
  collectQueueDepth(metrics, queues);
  const vendorCalls = metrics.vendorCalls;
  const storage = opts.storage ?? createStorage(config);
  const built = buildChannels(
    config,
    { redis, storage, logger, vendorCalls },
    opts.channelModules ?? channelModules,
  );
  const channels = built.registry;
  const builtSurfaces = await buildSurfaces(
    config,
    {
      redis,
      storage,
      logger,
      vendorCalls,
      config,
      prefix: config.REDIS_PREFIX,
      em: () => orm.em.fork() as EntityManager,
      context: () => context(),
    },
    opts.surfaceModules,
  );
  const surfaces = builtSurfaces.registry;
  const aiModel = await buildAiModel(config);
  const payments = await buildPaymentProvider(config);
  const dispatcher = createDispatcher(queues, {
    surfaces: surfaces.size > 0,
    aiBurstWindowMs: config.AI_BURST_WINDOW_MS,
  });
  // A failed wake-up is logged, not thrown: the change is committed and the reconciler will find it.
  const dispatch = async (events: DomainEvent[], how?: { background?: boolean }) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        dispatcher(events, how),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('enqueue timed out')), DISPATCH_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      logger.warn({ err }, 'could not enqueue jobs; the reconciler will pick the work up');
    } finally {
      clearTimeout(timer);
    }
  };
  const context = (em?: EntityManager) => ({
    em: em ?? (orm.em.fork() as EntityManager),
    dispatch,
    paymentProvider: payments?.name ?? null,
  });
  return {
    config,
    logger,
    orm,
    redis,
    queues,
    metrics,
    storage,
    channels,
    mountChannelRoutes: (app) => {
      const appendInbound = createInboundGroupCommit({
        fork: () => orm.em.fork() as EntityManager,
        logger,
        maxBatch: config.WEBHOOK_BATCH_MAX,
        onBatch: (channel, size) => metrics.webhookBatch.observe({ channel, kind: 'message' }, size),
      });
      const updateDelivery = createStatusGroupCommit({
        fork: () => orm.em.fork() as EntityManager,
        logger,
        maxBatch: config.WEBHOOK_BATCH_MAX,
        onBatch: (channel, size) => metrics.webhookBatch.observe({ channel, kind: 'status' }, size),
      });
      const webhooks = { context: () => context(), config, logger, metrics, appendInbound, updateDelivery };
      built.mount(app, webhooks);
      for (const b of builtSurfaces.built) if (b.routes) app.route('/', b.routes());
      if (payments) app.route('/', paymentRoutes(payments, { context: () => context(), logger }));
    },
    surfaces,
    aiModel,
    payments,
    sweeps: builtSurfaces.built.flatMap((b) => (b.sweep ? [b.sweep.bind(b)] : [])),
    dispatch,
    context,
    close: async () => {
      await queues.close();
      await orm.close(true);
      redis.disconnect();
    },
  };
}
