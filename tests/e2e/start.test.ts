import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { Message } from '../../src/db/entities/index.ts';
import { createOrm } from '../../src/db/orm.ts';
import { BOT, BOT_TOKEN, fakeSlack, SLACK_API_URL, SLACK_SIGNING_SECRET } from '../support/fake-slack.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { flushPrefix } from '../support/redis.ts';
import { eventually } from '../support/slack-app.ts';
import { testRedisPrefix } from '../support/test-db.ts';
import { adminUrl, baseDatabaseUrl, redisUrl } from '../support/test-env.ts';
import { serveVendorFake } from '../support/vendor-server.ts';

/**
 * The README's `npm start` path: `parley all` on a database that does not exist yet, as its own
 * process. Slack is on, against the Slack fake served over HTTP (msw cannot reach another
 * process); a visitor's webchat message goes through the process's port and reaches Slack.
 */
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const children: ChildProcess[] = [];
const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 2 });
const prefix = testRedisPrefix();
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // Whatever happened, this file leaves no keys behind.
  await flushPrefix(redis, prefix);
  redis.disconnect();
});

/** Keys under a prefix. */
async function keysUnder(p: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

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
  it('R28: creates the database, migrates, serves health and readiness; a webchat message sent to its port is committed and reaches Slack through its workers; it stops cleanly on SIGTERM and its Redis keys are removed', {
    timeout: 120_000,
  }, async () => {
    const slack = fakeSlack();
    const fake = await serveVendorFake(slack.handlers, new URL(SLACK_API_URL).origin);
    const database = `${inject('templateDb')}_boot`;
    const port = await freePort();
    const storageDir = mkdtempSync(join(tmpdir(), 'parley-boot-'));
    onTestFinished(() => rmSync(storageDir, { recursive: true, force: true }));
    const { child, output } = run(['all'], {
      DATABASE_URL: baseDatabaseUrl(database),
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SLACK_API_URL: `${fake.url}${new URL(SLACK_API_URL).pathname}`,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET,
      // The process keeps any upload in a throwaway place.
      STORAGE_DIR: storageDir,
    });
    try {
      // Creating and migrating the database takes a while on a busy machine.
      await expect
        .poll(output, { timeout: 60_000, interval: 100 })
        .toMatch(/Parley is listening on http:\/\/localhost:\d+/);
      expect(output()).toMatch(/channels: webchat; chat surfaces: slack/);
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

      // The workspace, set up in the database the process created: a group on #support with a widget.
      const orm = await createOrm({ databaseUrl: baseDatabaseUrl(database), poolMax: 2 });
      try {
        await seedWorkspace(orm.em.fork() as EntityManager);

        // A visitor writes through the process's port, as the widget does.
        const api = (path: string, body: unknown, token?: string) =>
          fetch(`http://127.0.0.1:${port}/webchat/api/${path}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              origin: `http://localhost:${port}`,
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body: JSON.stringify(body),
          });
        const session = await api('sessions', { widget: 'wid_support' });
        expect(session.status).toBe(201);
        const { token } = (await session.json()) as { token: string };
        const sent = await api(
          'messages',
          { text: 'Hello from the boot test 👋', clientMessageId: 'c1' },
          token,
        );
        expect(sent.status).toBe(201);
        const { messageId } = (await sent.json()) as { messageId: string };

        // Committed: the process answered after the commit, so it is there for anyone to read.
        const stored = await orm.em.fork().findOneOrFail(Message, messageId);
        expect([stored.kind, stored.text, stored.provider]).toEqual([
          'inbound',
          'Hello from the boot test 👋',
          'webchat',
        ]);

        // Its effect: the process's workers draw the conversation in the group's Slack channel.
        const header = await eventually(
          () =>
            slack.posts.find(
              (p) =>
                p.channel === 'C_SUPPORT' &&
                !p.thread_ts &&
                slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes('Hello from the boot test 👋')),
            ),
          45_000,
        );
        expect(header.bot_id).toBe(BOT.botId);
      } finally {
        await orm.close(true);
      }

      // SIGTERM: running jobs finish, then the process exits 0.
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(output()).toMatch(/stopped/);

      // Once stopped, nothing more can happen: one thread, the message in it once.
      const headers = slack.posts.filter((p) => p.channel === 'C_SUPPORT' && !p.thread_ts);
      expect(headers).toHaveLength(1);
      expect(
        slack
          .threadOf('C_SUPPORT', headers[0]!.ts)
          .filter((p) => p.text.includes('Hello from the boot test')),
      ).toHaveLength(1);
      // Every call the process made was one the fake knows, and it logged no error.
      expect(fake.unhandled).toEqual([]);
      const errors = output()
        .split('\n')
        .filter((line) => /^\{.*"level":(50|60)/.test(line));
      expect(errors).toEqual([]);
    } finally {
      await fake.close();
    }

    // The process kept its Redis keys under its own prefix; removing them leaves nothing behind.
    expect((await keysUnder(prefix)).length).toBeGreaterThan(0);
    await flushPrefix(redis, prefix);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('refuses to start with a wrong variable, naming it, and exits non-zero', async () => {
    const { child, output } = run(['all'], { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output()).toMatch(/PORT:/);
    expect(output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
  });
});
