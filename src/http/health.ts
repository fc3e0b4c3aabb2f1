import { Hono } from 'hono';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AppEnv } from './env.ts';

const READY_TIMEOUT_MS = 2000;

type Check = 'ok' | 'failed' | 'timeout';

/** Runs a probe with a deadline; the reason of a failure goes to the log, not to the caller. */
async function probe(name: string, fn: () => Promise<unknown>, logger: Logger): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([fn().then(() => 'ok' as const), deadline]);
  } catch (err) {
    logger.warn({ err, dependency: name }, 'readiness check failed');
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: PostgreSQL and Redis answer too (load balancers use this one). */
export function healthRoutes(deps: { redis: Redis | Cluster; logger: Logger }) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const [postgres, redis] = await Promise.all([
        probe('postgres', () => c.get('em').getConnection().execute('select 1'), deps.logger),
        probe('redis', () => deps.redis.ping(), deps.logger),
      ]);
      const checks = { postgres, redis };
      const failed = Object.entries(checks)
        .filter(([, v]) => v !== 'ok')
        .map(([k]) => k);
      if (failed.length > 0) return c.json({ status: 'unavailable', checks, failed }, 503);
      return c.json({ status: 'ready', checks }, 200);
    });
}
