import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type AppDeps, createApp } from '../../src/http/app.ts';
import type { TestDb } from '../support/test-db.ts';
import { redisUrl } from '../support/test-env.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A pino logger whose lines land in `lines`, so tests can read what was logged. */
export function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

export function sharedRedis(): Redis {
  const redis = new Redis(redisUrl(), { lazyConnect: true });
  afterAll(() => redis.quit());
  return redis;
}

/** An app over the test database; `env` overrides the environment it is configured from. */
export function testApp(
  db: TestDb,
  redis: Redis,
  env: Record<string, string> = {},
  extra: Partial<AppDeps> = {},
) {
  const { logger, lines } = capturedLogger();
  const config = loadConfig({ ADMIN_API_TOKEN: ADMIN_TOKEN, ...env });
  const app = createApp({ config, orm: db.orm, redis, logger, ...extra });
  return { app, lines };
}

/** Sends a request to the admin API with the token (unless `token` says otherwise) and a JSON body. */
export function adminCall(
  app: ReturnType<typeof createApp>,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = ADMIN_TOKEN,
) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return app.request(`/api/admin/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId?: string;
    details?: { issues?: { path: string; message: string }[]; rule?: string } & Record<string, unknown>;
  };
}

/** The JSON body of a response, typed as the test expects it. */
export const bodyOf = async <T = ErrorBody>(res: Response) => (await res.json()) as T;
