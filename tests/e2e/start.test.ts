import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { adminUrl, baseDatabaseUrl, redisUrl } from '../support/test-env.ts';

/** The README's `npm start` path: `parley all` on a database that does not exist yet. */
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [main, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, output: () => out };
}

describe('parley all', () => {
  it('creates the database, migrates, serves health and readiness, runs workers, and stops cleanly on SIGTERM', async () => {
    const database = `${inject('templateDb')}_boot`;
    const port = await freePort();
    const { child, output } = run(['all'], {
      DATABASE_URL: baseDatabaseUrl(database),
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: `parley-boot-${port}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    await expect
      .poll(output, { timeout: 20_000, interval: 100 })
      .toMatch(/Parley is listening on http:\/\/localhost:\d+/);
    expect(output()).toMatch(/channels: webchat/);
    expect(output()).toMatch(/Parley workers started/);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);

    const c = new pg.Client({ connectionString: adminUrl() });
    await c.connect();
    const { rows } = await c.query('select 1 from pg_database where datname = $1', [database]);
    await c.end();
    expect(rows).toHaveLength(1);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output()).toMatch(/stopped/);
  });

  it('refuses to start with a wrong variable, naming it, and exits non-zero', async () => {
    const { child, output } = run(['all'], { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output()).toMatch(/PORT:/);
    expect(output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
  });
});
