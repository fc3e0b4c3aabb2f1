import { Redis } from 'ioredis';
import { aiHandoffNoticeProcessor } from '../../workers/ai-handoff-notice.worker.ts';
import { aiReplyProcessor } from '../../workers/ai-reply.worker.ts';
import { autoRespondProcessor } from '../../workers/auto-respond.worker.ts';
import { broadcastProcessor, broadcastProgressProcessor } from '../../workers/broadcast.worker.ts';
import { csatProcessor } from '../../workers/csat.worker.ts';
import { deliverNow, deliverProcessor } from '../../workers/deliver.worker.ts';
import { digestProcessor } from '../../workers/digest.worker.ts';
import { expirePayLinkProcessor } from '../../workers/expire-pay-link.worker.ts';
import { fetchMediaProcessor } from '../../workers/fetch-media.worker.ts';
import { homeProcessor } from '../../workers/home.worker.ts';
import { internalPostProcessor } from '../../workers/internal-post.worker.ts';
import { mirrorProcessor } from '../../workers/mirror.worker.ts';
import { payLinkProcessor } from '../../workers/pay-link.worker.ts';
import { paymentEventProcessor } from '../../workers/payment-event.worker.ts';
import { purgeFilesProcessor } from '../../workers/purge-files.worker.ts';
import { slaCheckProcessor } from '../../workers/sla-check.worker.ts';
import { teamsCleanupProcessor } from '../../workers/teams-cleanup.worker.ts';
import { unlinkNoticeProcessor } from '../../workers/unlink-notice.worker.ts';
import { userHomeProcessor } from '../../workers/user-home.worker.ts';
import { webchatCleanupProcessor } from '../../workers/webchat-cleanup.worker.ts';
import type { Config } from '../config.ts';
import { createApp } from '../http/app.ts';
import { startMetricsServer } from '../http/metrics.routes.ts';
import { reconcileTick } from '../jobs/reconcile-tick.ts';
import { startReconcileLoop } from '../jobs/reconciler.ts';
import { redisSendRateLimiter } from '../jobs/send-rate.ts';
import { startWorkers } from '../jobs/worker.ts';
import type { Logger } from '../logger.ts';
import { drainWorkers } from '../process/drain-workers.ts';
import { listen } from '../process/http-server.ts';
import { type Stop, stopGracefully } from '../process/shutdown.ts';
import { checkRedis, withDatabase } from '../process/startup-errors.ts';
import { createServices, type Services } from '../services.ts';
import { migrateDatabase } from './migrations.ts';

/** `parley web`: the HTTP app (webhooks, admin API, health); resolves once its port is bound. */
export async function startWeb(s: Services): Promise<Stop> {
  const app = createApp({
    config: s.config,
    orm: s.orm,
    redis: s.redis,
    logger: s.logger,
    dispatch: s.dispatch,
    storage: s.storage,
    extraRoutes: s.mountChannelRoutes,
    metrics: s.metrics,
    queues: s.queues,
  });
  const stop = await listen(app.fetch, { port: s.config.PORT, host: s.config.HOST });
  s.logger.info(
    {
      url: s.config.publicUrl,
      port: s.config.PORT,
      channels: [...s.channels.keys()],
      surfaces: [...s.surfaces.keys()],
    },
    `Parley is listening on ${s.config.publicUrl} (channels: ${[...s.channels.keys()].join(', ')}; chat surfaces: ${[...s.surfaces.keys()].join(', ') || 'none'})`,
  );
  return stop;
}

/** `parley worker`: BullMQ workers plus the reconciler loop. */
export function startWorker(s: Services): Stop {
  // Workers block on Redis; they need their own connection that retries forever.
  const connection = new Redis(s.config.REDIS_URL, { maxRetriesPerRequest: null });
  connection.on('error', (err) => s.logger.warn({ err: err.message }, 'worker redis connection error'));
  const deliverDeps = {
    channels: s.channels,
    queues: s.queues,
    dispatch: s.dispatch,
    sendRate: redisSendRateLimiter(s.redis, s.config.REDIS_PREFIX),
    logger: s.logger,
    metrics: s.metrics,
  };
  const workers = startWorkers({
    connection,
    prefix: s.config.REDIS_PREFIX,
    orm: s.orm,
    concurrency: s.config.WORKER_CONCURRENCY,
    poolMax: s.config.DATABASE_POOL_MAX,
    // R8: broadcasts take one lane per process (each batch is short and re-enqueues the next), and
    // their progress messages one more (a message is posted once, then edited).
    queueConcurrency: { 'ai-reply': s.config.AI_CONCURRENCY, broadcast: 1, 'broadcast-progress': 1 },
    logger: s.logger,
    metrics: s.metrics,
    processors: {
      deliver: deliverProcessor(deliverDeps),
      broadcast: broadcastProcessor({ queues: s.queues, dispatch: s.dispatch }),
      fetchMedia: fetchMediaProcessor({ channels: s.channels, storage: s.storage, dispatch: s.dispatch }),
      autoRespond: autoRespondProcessor({ dispatch: s.dispatch, logger: s.logger }),
      purgeFiles: purgeFilesProcessor({ storage: s.storage }),
      aiReply: aiReplyProcessor({
        model: s.aiModel,
        queues: s.queues,
        config: s.config,
        dispatch: s.dispatch,
        deliver: (em, messageId) => deliverNow(deliverDeps, em, messageId),
      }),
      webchatCleanup: webchatCleanupProcessor({ storage: s.storage, config: s.config }),
      // R39: without a chat surface the breach is still flagged (dashboards of the admin API).
      slaCheck: slaCheckProcessor({ surfaces: s.surfaces, queues: s.queues, dispatch: s.dispatch }),
      // R38: events are applied even after the provider was unconfigured (they were verified when received).
      paymentEvent: paymentEventProcessor({ dispatch: s.dispatch }),
      csat: csatProcessor({ dispatch: s.dispatch }),
      ...(s.payments
        ? {
            payLink: payLinkProcessor({
              provider: s.payments,
              ttlMs: s.config.PAYMENT_LINK_TTL_HOURS * 3_600_000,
              dispatch: s.dispatch,
            }),
            expirePayLink: expirePayLinkProcessor({ provider: s.payments }),
          }
        : {}),
      ...(s.surfaces.has('teams') ? { teamsCleanup: teamsCleanupProcessor() } : {}),
      ...(s.surfaces.size > 0
        ? {
            mirror: mirrorProcessor({
              surfaces: s.surfaces,
              queues: s.queues,
              countRedrawMs: s.config.HEADER_COUNT_REDRAW_MS,
            }),
            home: homeProcessor({ surfaces: s.surfaces }),
            userHome: userHomeProcessor({ surfaces: s.surfaces }),
            unlinkNotice: unlinkNoticeProcessor({ surfaces: s.surfaces }),
            aiHandoffNotice: aiHandoffNoticeProcessor({ surfaces: s.surfaces, queues: s.queues }),
            broadcastProgress: broadcastProgressProcessor({ surfaces: s.surfaces, queues: s.queues }),
            internalPost: internalPostProcessor({ surfaces: s.surfaces, queues: s.queues }),
            digest: digestProcessor({ surfaces: s.surfaces, queues: s.queues, logger: s.logger }),
          }
        : {}),
    },
  });
  const loop = startReconcileLoop({
    intervalMs: s.config.RECONCILE_INTERVAL_MS,
    fork: () => s.context().em,
    run: (em) =>
      reconcileTick({
        em,
        queues: s.queues,
        channels: s.channels,
        surfaces: s.surfaces,
        sweeps: s.sweeps,
        dispatch: s.dispatch,
        logger: s.logger,
        aiBurstWindowMs: s.config.AI_BURST_WINDOW_MS,
        webchatCleanupEveryMs: s.config.WEBCHAT_CLEANUP_INTERVAL_MINUTES * 60_000,
        metrics: s.metrics,
      }),
    onError: (err) => s.logger.error({ err }, 'reconcile failed'),
  });
  s.logger.info({ queues: workers.workers.map((w) => w.name) }, 'Parley workers started');
  return async (deadline) => {
    await loop.stop();
    await drainWorkers(workers.workers, deadline);
    connection.disconnect();
  };
}

/**
 * Starts the given roles once PostgreSQL and Redis answer (a problem in the environment is a
 * StartupError naming its variable), and stops them gracefully (src/process/shutdown.ts).
 */
export async function runProcess(config: Config, logger: Logger, roles: ('web' | 'worker')[]): Promise<void> {
  await checkRedis(config.REDIS_URL);
  const applied = await withDatabase(config.DATABASE_URL, () => migrateDatabase(config.DATABASE_URL));
  if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
  const services = await withDatabase(config.DATABASE_URL, () => createServices(config, logger));
  const stops: Stop[] = [];
  try {
    // The port first: when it is taken, no worker has started taking jobs.
    if (config.METRICS_PORT) stops.push(await startMetricsServer(services, config.METRICS_PORT));
    if (roles.includes('web')) stops.push(await startWeb(services));
    if (roles.includes('worker')) stops.push(startWorker(services));
  } catch (err) {
    for (const stop of stops) await stop();
    await services.close();
    throw err;
  }
  stopGracefully({
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stops,
    close: () => services.close(),
  });
}
