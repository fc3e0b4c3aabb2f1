import { createHash, timingSafeEqual } from 'node:crypto';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Config } from '../config.ts';
import { AppError } from '../domain/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import { StartupError } from '../process/startup-errors.ts';
import type { AppEnv } from './env.ts';
import { notFound, onError } from './on-error.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `GET /metrics` in Prometheus' text format. With a token, only for `Authorization: Bearer
 * <METRICS_TOKEN>` (401 otherwise); without one only on METRICS_PORT (startMetricsServer).
 */
export function metricsRoutes(metrics: Metrics, token: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    if (token) {
      const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), digest(token))) {
        c.header('WWW-Authenticate', 'Bearer realm="parley-metrics"');
        throw new AppError(
          'unauthenticated',
          'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".',
        );
      }
    }
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': metrics.registry.contentType });
  });
  return app;
}

/**
 * METRICS_PORT: `/metrics` on a port of its own, in every process role (a worker process has no
 * other HTTP server). Answers nothing else. Resolves once the port is bound (a busy port rejects
 * with a StartupError naming METRICS_PORT); the returned function closes it.
 */
export function startMetricsServer(
  s: { config: Config; logger: Logger; metrics: Metrics },
  port: number,
): Promise<() => Promise<void>> {
  const app = new Hono<AppEnv>();
  app.route('/', metricsRoutes(s.metrics, s.config.METRICS_TOKEN));
  app.onError(onError(s.logger));
  app.notFound(notFound);
  const server = createAdaptorServer({ fetch: app.fetch });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new StartupError(`METRICS_PORT: port ${port} is already in use; set METRICS_PORT to a free port`)
          : err,
      ),
    );
    server.listen(port, s.config.HOST, () => {
      s.logger.info({ port }, `metrics are served on port ${port} at /metrics`);
      resolve(close);
    });
  });
}
