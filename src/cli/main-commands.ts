import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import { aiHandoffNoticeProcessor } from '../../workers/ai-handoff-notice.worker.ts';
import { aiReplyProcessor } from '../../workers/ai-reply.worker.ts';
import { autoRespondProcessor } from '../../workers/auto-respond.worker.ts';
import { broadcastProcessor, broadcastProgressProcessor } from '../../workers/broadcast.worker.ts';
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
import { teamsCleanupProcessor } from '../../workers/teams-cleanup.worker.ts';
import { unlinkNoticeProcessor } from '../../workers/unlink-notice.worker.ts';
import { userHomeProcessor } from '../../workers/user-home.worker.ts';
import { webchatCleanupProcessor } from '../../workers/webchat-cleanup.worker.ts';
import type { Config } from '../config.ts';
import { createApp } from '../http/app.ts';
import { syncCleanupSchedule, syncTeamsCleanupSchedule } from '../jobs/cleanup-schedule.ts';
import { syncDigestSchedules } from '../jobs/digest-schedules.ts';
import { reconcile, startReconcileLoop } from '../jobs/reconciler.ts';
import { redisSendRateLimiter } from '../jobs/send-rate.ts';
import { startWorkers } from '../jobs/worker.ts';
import type { Logger } from '../logger.ts';
import { createServices, type Services } from '../services.ts';

type Stop = () => Promise<void>;

/** `parley web`: the HTTP app (webhooks, admin API, health). */
export function startWeb(s: Services): Stop {
  const app = createApp({
    config: s.config,
    orm: s.orm,
    redis: s.redis,
    logger: s.logger,
    dispatch: s.dispatch,
    storage: s.storage,
    extraRoutes: s.mountChannelRoutes,
  });
  const server = serve({ fetch: app.fetch, port: s.config.PORT, hostname: s.config.HOST });
  s.logger.info(
    {
      url: s.config.publicUrl,
      port: s.config.PORT,
      channels: [...s.channels.keys()],
      surfaces: [...s.surfaces.keys()],
    },
    `Parley is listening on ${s.config.publicUrl} (channels: ${[...s.channels.keys()].join(', ')}; chat surfaces: ${[...s.surfaces.keys()].join(', ') || 'none'})`,
  );
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      // Live streams (webchat) never end on their own; their clients reconnect to another process.
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
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
      // R38: events are applied even after the provider was unconfigured (they were verified when received).
      paymentEvent: paymentEventProcessor({ dispatch: s.dispatch }),
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
    run: async (em) => {
      const report = await reconcile({
        em,
        queues: s.queues,
        channels: s.channels,
        surfaces: s.surfaces.size > 0,
        dispatch: s.dispatch,
        aiBurstWindowMs: s.config.AI_BURST_WINDOW_MS,
      });
      if (
        report.deliveries +
          report.interrupted +
          report.mirrors +
          report.media +
          report.ai +
          report.autoResponses +
          (report.internalPosts ?? 0) +
          (report.broadcasts ?? 0) >
        0
      )
        s.logger.info(report, 'reconciled due work');
      if (s.surfaces.size > 0) await syncDigestSchedules(em, s.queues);
      await syncCleanupSchedule(s.queues, s.config.WEBCHAT_CLEANUP_INTERVAL_MINUTES * 60_000).catch((err) =>
        s.logger.warn({ err }, 'webchat cleanup schedule not set; trying again next time'),
      );
      if (s.surfaces.has('teams'))
        await syncTeamsCleanupSchedule(s.queues).catch((err) =>
          s.logger.warn({ err }, 'Teams cleanup schedule not set; trying again next time'),
        );
      for (const sweep of s.sweeps) {
        await sweep().catch((err) => s.logger.warn({ err }, 'surface sweep failed; it runs again next time'));
      }
      return report;
    },
    onError: (err) => s.logger.error({ err }, 'reconcile failed'),
  });
  s.logger.info({ queues: workers.workers.map((w) => w.name) }, 'Parley workers started');
  return async () => {
    await loop.stop();
    await workers.close();
    connection.disconnect();
  };
}

/** Teams is configured (loadConfig requires its three variables together). */

/** Starts the given roles and stops them in order on SIGTERM/SIGINT (running jobs finish first). */
export async function runProcess(config: Config, logger: Logger, roles: ('web' | 'worker')[]): Promise<void> {
  const services = await createServices(config, logger, { migrate: true });
  const stops: Stop[] = [];
  if (roles.includes('worker')) stops.push(startWorker(services));
  if (roles.includes('web')) stops.push(startWeb(services));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const stop of stops.reverse()) await stop();
    await services.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
