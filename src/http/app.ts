import type { EntityManager } from '@mikro-orm/postgresql';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { formatFileSize, sizeAndLimit } from '../domain/file-size.ts';
import type { Queues } from '../jobs/queues.ts';
import { withLogContext } from '../log-context.ts';
import type { Logger } from '../logger.ts';
import { httpMetrics } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Storage } from '../ports/storage.ts';
import { adminApi } from './admin/index.ts';
import type { AppEnv } from './env.ts';
import { healthRoutes } from './health.ts';
import { metricsRoutes } from './metrics.routes.ts';
import { notFound, onError } from './on-error.ts';
import { queueDashboard } from './queue-dashboard.ts';
import { requestLog } from './request-log.ts';

export type { AppEnv } from './env.ts';
export type App = Hono<AppEnv>;

/** The one route that takes attachment-sized bodies (the webchat widget's file uploads). */
const UPLOAD_PATH = '/webchat/api/uploads';

export interface AppDeps {
  config: Config;
  orm: Orm;
  redis: Redis | Cluster;
  logger: Logger;
  /** Wakes the jobs after a setup change (admin API) that has consequences (R34: access withdrawn). */
  dispatch?: (events: DomainEvent[]) => Promise<void>;
  /** Where attachments are stored: the admin API serves their signed links from it. */
  storage?: Storage;
  /** Mounts more routes (webhooks, surfaces) behind the same request id, logging, body limit and errors. */
  extraRoutes?: (app: App) => void;
  /** The process's metrics: requests are counted, and `/metrics` answers when METRICS_TOKEN is set. */
  metrics?: Metrics;
  /** The queues the operators' dashboard (/admin/queues, with ADMIN_API_TOKEN) shows. */
  queues?: Queues;
}

/** "The request body is 1.5 MB; …", or only the limit when the body came without a length. */
function bodyTooLarge(contentLength: string | undefined, limit: number): AppError {
  const size = Number(contentLength);
  const shown = contentLength && Number.isFinite(size) ? sizeAndLimit(size, limit) : null;
  const message = shown
    ? `The request body is ${shown.size}; requests can be at most ${shown.limit}.`
    : `The request body is larger than ${formatFileSize(limit)}, the most a request can be.`;
  return new AppError('payload_too_large', message, { limitBytes: limit });
}

/** The HTTP app: health, the admin API, and whatever `extraRoutes` adds. Never opens a port itself. */
export function createApp(deps: AppDeps): App {
  const { config, orm, logger } = deps;
  const app = new Hono<AppEnv>();

  // An incoming X-Request-Id is kept when it is short and plain ([A-Za-z0-9_-=], at most 128 chars).
  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  // Each request's log lines (its request line too) carry the ids it learns (log-context.ts).
  app.use((_c, next) => withLogContext({}, next));
  app.use(requestLog(logger));
  // Refused before anything reads (or hashes) the body, held to BODY_LIMIT_BYTES. File uploads
  // (multipart, on the upload route only) bound themselves: the route refuses an announced size
  // over the attachment limit naming the file, and counts a streamed one on its way to storage.
  const bodyLimited = bodyLimit({
    maxSize: config.BODY_LIMIT_BYTES,
    onError: (c) => {
      throw bodyTooLarge(c.req.header('content-length'), config.BODY_LIMIT_BYTES);
    },
  });
  app.use((c, next) => {
    const upload =
      c.req.path === UPLOAD_PATH && (c.req.header('content-type') ?? '').startsWith('multipart/form-data');
    return upload ? next() : bodyLimited(c, next);
  });
  app.use(async (c, next) => {
    c.set('em', orm.em.fork() as EntityManager);
    c.set('dispatch', deps.dispatch);
    await next();
  });

  app.route('/', healthRoutes(deps));
  app.route('/', adminApi(config, deps.storage ? { storage: deps.storage } : {}));
  if (deps.metrics && config.METRICS_TOKEN) app.route('/', metricsRoutes(deps.metrics, config.METRICS_TOKEN));
  if (deps.queues && config.ADMIN_API_TOKEN)
    app.route('/', queueDashboard(deps.queues, config.ADMIN_API_TOKEN));
  deps.extraRoutes?.(app);

  app.onError(onError(logger));
  app.notFound(notFound);
  return app;
}
