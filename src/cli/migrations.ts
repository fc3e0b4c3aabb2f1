import pg from 'pg';
import { createOrm } from '../db/orm.ts';

/**
 * Applies pending migrations (creating the database if missing) under a PostgreSQL advisory
 * lock, so several processes starting at once migrate exactly once.
 */
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  const orm = await createOrm({ databaseUrl, poolMax: 2 });
  try {
    await orm.schema.ensureDatabase({ create: true });
  } finally {
    await orm.close(true);
  }
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query(`select pg_advisory_lock(hashtext('parley.migrate'))`);
    const migrating = await createOrm({ databaseUrl, poolMax: 2 });
    try {
      const applied = await migrating.migrator.up();
      return applied.map((m) => m.name);
    } finally {
      await migrating.close(true);
    }
  } finally {
    await lock.end();
  }
}

/** Generates a migration from the difference between the entities and the migrated schema. */
export async function createMigration(databaseUrl: string): Promise<string | null> {
  await migrateDatabase(databaseUrl);
  const orm = await createOrm({ databaseUrl, poolMax: 2 });
  try {
    const result = await orm.migrator.create();
    return result.diff.up.length > 0 ? result.fileName : null;
  } finally {
    await orm.close(true);
  }
}

/**
 * The SQL that would bring a migrated database in line with the entities, compared both ways:
 * against the live schema and against the committed snapshot. Empty when they all agree.
 */
export async function pendingSchemaChanges(databaseUrl: string): Promise<string[]> {
  const orm = await createOrm({ databaseUrl, poolMax: 2 });
  try {
    const live = (await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim();
    const snapshotBehind = await orm.migrator.checkSchema();
    return [
      ...(live ? [live] : []),
      ...(snapshotBehind
        ? ['-- migrations/.snapshot-parley.json is behind the entities: run npm run migration:create']
        : []),
    ];
  } finally {
    await orm.close(true);
  }
}
