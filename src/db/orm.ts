import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { entities } from './entities/index.ts';

export const migrationsPath = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface OrmOptions {
  databaseUrl: string;
  poolMax?: number;
  logger?: Logger;
}

export function ormConfig({ databaseUrl, poolMax = 10, logger }: OrmOptions): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: poolMax },
    // Every request and job forks its own EntityManager; the global one must never be used.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { checkDuplicateTableNames: true },
    debug: false,
    logger: logger ? (msg) => logger.debug({ orm: true }, msg) : undefined,
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      glob: '!(*.d).{js,ts}',
      emit: 'ts',
      snapshot: true,
      snapshotName: '.snapshot-parley',
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
  });
}

export type Orm = MikroORM;

/** Connects (lazily: the first query opens the pool). Migrations: see src/cli/migrations.ts. */
export async function createOrm(opts: OrmOptions): Promise<Orm> {
  return new MikroORM(ormConfig(opts));
}
