import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Queue } from 'bullmq';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The ingest ceiling: a bare Hono endpoint that does what any webhook must at least do — one
 * INSERT and one BullMQ `add` — with Parley's pool sizes, and nothing else. Run as its own process
 * (`node bench/ceiling-server.ts <port> <databaseUrl> <prefix>`), like `parley web`.
 */
const [port, databaseUrl, prefix] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
await pool.query(
  'create table if not exists bench_ceiling (id uuid primary key, body jsonb not null, created_at timestamptz not null default now())',
);
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
const queue = new Queue('ceiling', { connection: redis, prefix: prefix! });

const app = new Hono();
app.post('/ingest', async (c) => {
  const body = await c.req.text();
  const id = randomUUID();
  await pool.query('insert into bench_ceiling (id, body) values ($1, $2)', [id, body]);
  await queue.add('ceiling', { id }, { jobId: id, removeOnComplete: true });
  return c.json({ ok: true });
});
app.get('/readyz', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await queue.close();
  await pool.end();
  redis.disconnect();
  process.exit(0);
});
