import { resolve } from 'node:path';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '../config.ts';
import type { Logger } from '../logger.ts';
import {
  type EmbeddedPostgresClass,
  loadEmbeddedPostgres,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
import { findRedisServer, startRedis } from './local-redis.ts';
import { LocalServiceError } from './local-service-error.ts';
import { answers, hostPort } from './tcp.ts';

export { answers, LocalServiceError };

/**
 * `parley all | web | worker`: puts the started services' URLs into `env` before the config is read
 * (they stop when the process exits), or throws a LocalServiceError (a StartupError: one line, exit
 * code 2). PARLEY_TEST_DEFAULT_DATABASE_URL and PARLEY_TEST_DEFAULT_REDIS_URL (tests only) move
 * where the defaults are looked for.
 */
export async function useLocalServices(
  env: Record<string, string | undefined>,
  logger: Logger,
): Promise<void> {
  const local = await startLocalServices(env, logger, {
    defaults: {
      databaseUrl: env.PARLEY_TEST_DEFAULT_DATABASE_URL ?? DEFAULT_DATABASE_URL,
      redisUrl: env.PARLEY_TEST_DEFAULT_REDIS_URL ?? DEFAULT_REDIS_URL,
    },
  });
  Object.assign(env, local.env);
}

export interface LocalServices {
  /** DATABASE_URL / REDIS_URL of what was started; empty when nothing was. */
  env: { DATABASE_URL?: string; REDIS_URL?: string };
  /** Stops what was started (also done, without waiting, when the process exits). */
  stop: () => Promise<void>;
}

export interface LocalServiceOptions {
  /** Where Parley looks by default: the config schema's defaults (tests point them at closed ports). */
  defaults: { databaseUrl: string; redisUrl: string };
  /** The embedded cluster's data directory. */
  dataDir?: string;
  /** How the dev dependency is loaded (a production install has none). */
  loadEmbeddedPostgres?: () => Promise<{ default: EmbeddedPostgresClass }>;
}

/**
 * A first run without PostgreSQL or Redis (README, "Quick start"): when DATABASE_URL / REDIS_URL
 * are unset and nothing answers at their defaults, an embedded PostgreSQL (the `embedded-postgres`
 * dev dependency, data under ./data/postgres) and a `redis-server` from the PATH are started.
 * Set variables and answering services are always used as they are.
 */
export async function startLocalServices(
  env: Record<string, string | undefined>,
  logger: Logger,
  options: LocalServiceOptions,
): Promise<LocalServices> {
  const { databaseUrl, redisUrl } = options.defaults;
  const needPostgres = env.DATABASE_URL === undefined && !(await answers(databaseUrl));
  const needRedis = env.REDIS_URL === undefined && !(await answers(redisUrl));
  // Refuse before starting anything, so a failed first run leaves nothing behind.
  const redisServer = needRedis ? findRedisServer(env.PATH, redisUrl) : undefined;
  const stops: (() => Promise<void>)[] = [];
  const result: LocalServices = {
    env: {},
    stop: async () => {
      for (const stop of stops.splice(0).reverse()) await stop();
    },
  };
  try {
    if (needPostgres) {
      const dataDir = resolve(options.dataDir ?? 'data/postgres');
      const load = options.loadEmbeddedPostgres ?? loadEmbeddedPostgres;
      const pg = await startEmbeddedPostgres(databaseUrl, dataDir, load, logger);
      stops.push(pg.stop);
      result.env.DATABASE_URL = pg.url;
      logger.info(
        { databaseUrl: pg.url, dataDir },
        `no PostgreSQL at ${hostPort(databaseUrl)} and DATABASE_URL unset: started an embedded PostgreSQL on port ${new URL(pg.url).port}, data in ${dataDir}`,
      );
    }
    if (redisServer) {
      const redis = await startRedis(redisServer, redisUrl);
      stops.push(redis.stop);
      result.env.REDIS_URL = redis.url;
      logger.info(
        { redisUrl: redis.url },
        `no Redis at ${hostPort(redisUrl)} and REDIS_URL unset: started ${redisServer} on port ${new URL(redis.url).port} (no persistence)`,
      );
    }
  } catch (err) {
    await result.stop();
    throw err;
  }
  return result;
}
