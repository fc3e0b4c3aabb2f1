import pg from 'pg';
import { migrateDatabase } from '../src/cli/migrations.ts';
import * as q from './dashboards-seed-sql.ts';
import { COMMON_WORDS, FIRST_NAMES, LAST_NAMES, RARE_WORDS } from './dashboards-words.ts';

/**
 * Seeds the dashboard benchmark's database fast: a fresh database migrated by Parley's own
 * migrations, then bulk INSERT … SELECT statements (dashboards-seed-sql.ts). Indexes and keys of
 * the bulk tables are dropped during the load and rebuilt from their exact definitions afterwards
 * (one sort per index instead of a million index insertions); the schema is checked to be the same.
 */

export const BASE_COUNTS = { groups: 20, users: 200, contacts: 100_000, conversations: 100_000 };
/** Messages are 1–19 per conversation, 10 on average: 1,000,000 at scale 1. */
const ADMIN_EVERY = 10;
const BULK_TABLES = ['contact', 'contact_identity', 'conversation', 'message', 'read_state'];

export interface SeedReport {
  scale: number;
  counts: Record<string, number>;
  /** Wall time of the seed (after migrations, before checking schema and counters), and of each step. */
  ms: number;
  steps: { step: string; ms: number }[];
}

export const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** The same server's maintenance database, to drop and create the benchmark's own. */
export function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/** Drops and recreates the benchmark database, then applies Parley's migrations to it. */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  // The database is dropped: refuse anything that does not look like a benchmark's own.
  if (!/^[a-z0-9_]*bench[a-z0-9_]*$/.test(name)) {
    throw new Error(`Refusing to drop database "${name}": its name must contain "bench".`);
  }
  const admin = new pg.Client({ connectionString: maintenanceUrl(databaseUrl) });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(databaseUrl);
}

export async function seedDashboardData(databaseUrl: string, scale = 1): Promise<SeedReport> {
  const contacts = Math.max(1, Math.round(BASE_COUNTS.contacts * scale));
  const conversations = Math.max(1, Math.round(BASE_COUNTS.conversations * scale));
  const poolSize = Math.max(1000, Math.round(100_000 * scale));
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const steps: SeedReport['steps'] = [];
  const started = performance.now();
  const step = async (name: string, run: () => Promise<unknown>) => {
    const t = performance.now();
    await run();
    steps.push({ step: name, ms: Math.round(performance.now() - t) });
  };
  try {
    await db.query(`set synchronous_commit = off`);
    await db.query(`set maintenance_work_mem = '1GB'`);
    await db.query(`set work_mem = '256MB'`);
    await db.query(`select setseed(0.42)`);
    const schemaBefore = await schemaFingerprint(db);
    const saved = await dropBulkIndexes(db);
    let accountId = '';
    await step('account, groups, endpoints, users', async () => {
      const acc = await db.query<{ id: string }>(q.insertAccount, ['Bench Co', 1001 + conversations]);
      accountId = acc.rows[0]!.id;
      await db.query(q.insertGroups, [accountId, BASE_COUNTS.groups]);
      await db.query(q.insertEndpoints, [accountId]);
      await db.query(q.insertUsers, [accountId, BASE_COUNTS.users, ADMIN_EVERY]);
    });
    await step('contacts', async () => {
      await db.query(q.createContactPlan, [contacts, FIRST_NAMES, LAST_NAMES]);
      await db.query(q.insertContacts, [accountId]);
      await db.query(q.insertIdentities, [accountId]);
    });
    await step('conversations', async () => {
      await db.query(q.createConversationPlan, [conversations, BASE_COUNTS.groups]);
      await db.query(q.insertConversations, [accountId]);
    });
    await step('messages', async () => {
      await db.query(q.createSentencePool, [poolSize, COMMON_WORDS, RARE_WORDS]);
      await db.query(q.indexSentencePool);
      await db.query(q.insertMessages, [accountId, poolSize]);
    });
    await step('read marks, internal chats', async () => {
      await db.query(q.insertReadStates);
      await db.query(q.insertInternalChats, [accountId]);
      await db.query(q.insertInternalMessages);
    });
    await step('rebuild indexes and keys', () => restoreBulkIndexes(db, saved));
    // VACUUM as autovacuum would on a settled table: statistics and the visibility map.
    await step('vacuum analyze', () => db.query('vacuum (analyze)'));
    const ms = Math.round(performance.now() - started);
    const schemaAfter = await schemaFingerprint(db);
    if (schemaAfter !== schemaBefore) {
      throw new Error('Seeding changed the schema: indexes were not rebuilt as they were.');
    }
    const bad = (await db.query<{ n: number }>(q.countInconsistent)).rows[0]?.n;
    if (bad !== 0) throw new Error(`${bad} seeded conversations disagree with their messages.`);
    return { scale, counts: await countRows(db), ms, steps };
  } finally {
    await db.end();
  }
}

interface SavedDdl {
  foreignKeys: { table: string; name: string; def: string }[];
  keys: { table: string; name: string; def: string }[];
  indexes: { name: string; def: string }[];
}

async function dropBulkIndexes(db: pg.Client): Promise<SavedDdl> {
  const constraints = await db.query<{ table: string; name: string; type: string; def: string }>(
    `select conrelid::regclass::text as "table", conname as name, contype as type, pg_get_constraintdef(oid) as def
    from pg_constraint
    where contype in ('p', 'u', 'f') and (conrelid = any($1::regclass[]) or confrelid = any($1::regclass[]))`,
    [BULK_TABLES],
  );
  const indexes = await db.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes
    where schemaname = 'public' and tablename = any($1)
      and indexname not in (select conname from pg_constraint where connamespace = 'public'::regnamespace)`,
    [BULK_TABLES],
  );
  const saved: SavedDdl = {
    foreignKeys: constraints.rows.filter((c) => c.type === 'f'),
    keys: constraints.rows.filter((c) => c.type !== 'f'),
    indexes: indexes.rows,
  };
  for (const c of [...saved.foreignKeys, ...saved.keys]) {
    await db.query(`alter table ${c.table} drop constraint "${c.name}"`);
  }
  for (const i of saved.indexes) await db.query(`drop index "${i.name}"`);
  return saved;
}

async function restoreBulkIndexes(db: pg.Client, saved: SavedDdl): Promise<void> {
  for (const c of saved.keys) await db.query(`alter table ${c.table} add constraint "${c.name}" ${c.def}`);
  for (const i of saved.indexes) await db.query(i.def);
  for (const c of saved.foreignKeys)
    await db.query(`alter table ${c.table} add constraint "${c.name}" ${c.def}`);
}

/** Every constraint and index definition of the schema, to prove the rebuild restored them all. */
async function schemaFingerprint(db: pg.Client): Promise<string> {
  const res = await db.query<{ d: string }>(
    `select 'c ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) as d
      from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select 'i ' || indexdef from pg_indexes where schemaname = 'public'
    order by 1`,
  );
  return res.rows.map((r) => r.d).join('\n');
}

async function countRows(db: pg.Client): Promise<Record<string, number>> {
  const tables = ['groups', 'users', 'contact', 'conversation', 'message', 'read_state', 'internal_chat'];
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const res = await db.query<{ n: number }>(`select count(*)::int as n from ${t}`);
    counts[t] = res.rows[0]!.n;
  }
  return counts;
}
