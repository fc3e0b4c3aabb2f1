import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../src/cli/migrations.ts';
import { createLogger } from '../../src/logger.ts';
import { LocalServiceError, startLocalServices } from '../../src/process/local-services.ts';
import { adminUrl, baseDatabaseUrl, redisUrl } from './test-env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Builds one migrated template database per test run; each test file then copies it
 * (CREATE DATABASE ... TEMPLATE), which takes milliseconds and isolates files completely.
 * Names carry a run id, so several runs on one machine never touch each other's databases.
 */
export default async function setup(project: TestProject) {
  const local = await localServicesForTests();
  const run = randomBytes(4).toString('hex');
  const template = `parley_t_${run}`;
  await migrateDatabase(baseDatabaseUrl(template));
  project.provide('templateDb', template);
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    const { rows } = await c.query(`select datname from pg_database where datname like $1`, [`${template}%`]);
    for (const r of rows) await c.query(`drop database if exists "${r.datname}" with (force)`);
    await c.end();
    await local.stop();
  };
}

/**
 * A machine without PostgreSQL or Redis (README, "Development"): when TEST_DATABASE_URL /
 * TEST_REDIS_URL are unset and nothing answers at their defaults, the embedded PostgreSQL and a
 * `redis-server` are started once, as `npm start` does; test files (forked after this) inherit
 * their URLs through the environment.
 */
async function localServicesForTests() {
  const local = await startLocalServices(
    {
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_URL: process.env.TEST_REDIS_URL,
      PATH: process.env.PATH,
    },
    createLogger('info'),
    { defaults: { databaseUrl: adminUrl(), redisUrl: redisUrl() } },
  ).catch((err: unknown) => {
    if (err instanceof LocalServiceError)
      throw new Error(`${err.message} (or set TEST_DATABASE_URL / TEST_REDIS_URL)`);
    throw err;
  });
  if (local.env.DATABASE_URL) process.env.TEST_DATABASE_URL = local.env.DATABASE_URL;
  if (local.env.REDIS_URL) process.env.TEST_REDIS_URL = local.env.REDIS_URL;
  return local;
}
