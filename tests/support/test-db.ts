import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createOrm, type Orm } from '../../src/db/orm.ts';
import { adminUrl, baseDatabaseUrl } from './test-env.ts';

export interface TestDb {
  orm: Orm;
  url: string;
  /** A fresh EntityManager fork, as a request or job would get. */
  em: () => EntityManager;
}

/** A private database for this test file, copied from the migrated template and dropped afterwards. */
export async function createTestDb(): Promise<TestDb> {
  const template = inject('templateDb');
  const name = `${template}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const url = baseDatabaseUrl(name);
  const orm = await createOrm({ databaseUrl: url, poolMax: 5 });
  afterAll(async () => {
    await orm.close(true);
    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  return { orm, url, em: () => orm.em.fork() as EntityManager };
}

/** A Redis key prefix private to this test file. */
export const testRedisPrefix = () => `parley-test-${randomBytes(6).toString('hex')}`;
