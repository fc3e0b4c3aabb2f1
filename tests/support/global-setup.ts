import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../src/cli/migrations.ts';
import { adminUrl, baseDatabaseUrl } from './test-env.ts';

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
  };
}
