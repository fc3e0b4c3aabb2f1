import type { EntityManager } from '@mikro-orm/postgresql';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Logger } from '../logger.ts';
import type { Storage } from '../ports/storage.ts';
import { adminApi } from './admin/index.ts';
import type { AppEnv } from './env.ts';
import { healthRoutes } from './health.ts';
import { notFound, onError } from './on-error.ts';
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
}

/** The HTTP app: health, the admin API, and whatever `extraRoutes` adds. Never opens a port itself. */
export function createApp(deps: AppDeps): App {
  const { config, orm, logger } = deps;
  const app = new Hono<AppEnv>();

  // An incoming X-Request-Id is kept when it is short and plain ([A-Za-z0-9_-=], at most 128 chars).
  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(requestLog(logger));
  // Refused before anything reads (or hashes) the body. File uploads (multipart, on the upload
  // route only) may be as large as an attachment; every other body is held to BODY_LIMIT_BYTES.
  const limits = {
    body: config.BODY_LIMIT_BYTES,
    upload: Math.max(config.BODY_LIMIT_BYTES, config.ATTACHMENT_MAX_BYTES + 64 * 1024),
  };
  const limited = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError('payload_too_large', `The request body is larger than ${maxSize} bytes.`, {
          limitBytes: maxSize,
        });
      },
    });
  const bodyLimitFor = { body: limited(limits.body), upload: limited(limits.upload) };
  app.use((c, next) => {
    if (c.req.path !== UPLOAD_PATH || !(c.req.header('content-type') ?? '').startsWith('multipart/form-data'))
      return bodyLimitFor.body(c, next);
    // An upload without a Content-Length is not buffered here (Hono's bodyLimit would hold it
    // whole in memory): the upload route counts its bytes while it streams them to storage.
    const announced = c.req.raw.headers.has('content-length') && !c.req.raw.headers.has('transfer-encoding');
    return announced ? bodyLimitFor.upload(c, next) : next();
  });
  app.use(async (c, next) => {
    c.set('em', orm.em.fork() as EntityManager);
    c.set('dispatch', deps.dispatch);
    await next();
  });

  app.route('/', healthRoutes(deps));
  app.route('/', adminApi(config, deps.storage ? { storage: deps.storage } : {}));
  deps.extraRoutes?.(app);

  app.onError(onError(logger));
  app.notFound(notFound);
  return app;
}
