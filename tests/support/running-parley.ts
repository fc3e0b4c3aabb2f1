import { type Logger, pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startWorker } from '../../src/cli/main-commands.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { type App, createApp } from '../../src/http/app.ts';
import { currentLogContext } from '../../src/log-context.ts';
import type { ChannelAdapterModule } from '../../src/ports/adapter-module.ts';
import { createServices, type Services } from '../../src/services.ts';
import { addHarnessCheck, asPattern, currentTestName, whereNow } from './harness-guard.ts';
import { flushPrefix } from './redis.ts';
import { localTestStorage } from './storage.ts';
import { type TestDb, testRedisPrefix } from './test-db.ts';
import { redisUrl } from './test-env.ts';

/** One line Parley logged (pino's JSON), with the test that was running when it was written. */
export interface LogLine {
  level: number;
  time: number;
  msg?: string;
  err?: { type?: string; message?: string; stack?: string };
  [field: string]: unknown;
  /** The test running when it was written (or the last one, when it came after that test ended). */
  test: string;
  /** `during "<test>"`, or `after "<test>" ended` for work that outlived its test. */
  where: string;
}

const LEVEL_NAMES: Record<number, string> = { 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const ERROR = 50;

/** Lines not yet looked at by the check, and the errors tests said they expect (kept for the file). */
const unchecked: LogLine[] = [];
const expectedErrors: { pattern: RegExp; test: string; seen: number; required: boolean }[] = [];

/**
 * The current test means Parley to log an error (a vendor outage it reports, a job it lets fail):
 * error lines matching `pattern` (against the message and the error's type and message) do not
 * fail it, nor do such lines from work it started that ends after it; at least one must be logged
 * before the test ends.
 */
export function expectLoggedErrors(pattern: string | RegExp): void {
  expectedErrors.push({ pattern: asPattern(pattern), test: currentTestName(), seen: 0, required: true });
}

/**
 * Like expectLoggedErrors, for errors the test's fault may or may not cause depending on timing
 * (a job caught mid-run when Redis is flushed): tolerated, not required.
 */
export function allowLoggedErrors(pattern: string | RegExp): void {
  expectedErrors.push({ pattern: asPattern(pattern), test: currentTestName(), seen: 0, required: false });
}

const errorText = (l: LogLine) => [l.msg ?? '', l.err?.type ?? '', l.err?.message ?? ''].join(' ');
const CONTEXT_SKIP = new Set(['level', 'time', 'msg', 'err', 'test', 'where', 'service', 'pid', 'hostname']);

/** A logged line as the failure shows it: level, message, its fields, the error with the top of its stack. */
function describeLine(l: LogLine): string {
  const fields = Object.entries(l)
    .filter(([k]) => !CONTEXT_SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const at = new Date(l.time).toISOString().slice(11, 23);
  const head = `  • [${LEVEL_NAMES[l.level] ?? l.level}] ${l.msg ?? ''}${fields ? ` (${fields})` : ''} at ${at}`;
  const stack = l.err?.stack
    ? l.err.stack
        .split('\n')
        .slice(0, 6)
        .map((s) => `      ${s.trim()}`)
    : l.err?.message
      ? [`      ${l.err.message}`]
      : [];
  return [head, ...stack, `    (${l.where})`].join('\n');
}

addHarnessCheck('Parley logged errors (a job failed, a request answered 500, a worker broke…)', (ended) => {
  const lines = unchecked.splice(0);
  const errors = lines.filter((l) => {
    if (l.level < ERROR) return false;
    const e = expectedErrors.find((x) => x.test === l.test && x.pattern.test(errorText(l)));
    if (e) e.seen++;
    return !e;
  });
  const out = errors.map(describeLine);
  if (errors.length) {
    const warnings = lines.filter((l) => l.level >= 40 && l.level < ERROR).slice(-5);
    if (warnings.length) out.push('  Warnings logged before them:', ...warnings.map(describeLine));
    out.push('  A test that means Parley to log an error says so first: expectLoggedErrors(/what it logs/).');
  }
  for (const e of expectedErrors.filter((x) => x.test === ended && x.required && x.seen === 0))
    out.push(
      `  • the test expected an error log matching ${e.pattern}, and none was logged\n    (in "${e.test}")`,
    );
  return out;
});

/**
 * Parley as it runs (`createServices`, the real app, the real BullMQ workers and reconciler) on
 * this file's database and a Redis prefix of its own. Registers its start and stop hooks; call
 * at the top of a test file. Vendors are faked by the caller (msw).
 *
 * Parley's log is kept in memory (`logs`, warnings and worse) instead of being silenced, and a
 * test fails when Parley logged an error or worse while it ran (a failed job, a worker error, a
 * 500): those are what a silenced logger and BullMQ's retries used to hide. A test that expects
 * one says so with `expectLoggedErrors`. `logger`, when given, gets every line too, at its level.
 */
export function runningParley(
  db: TestDb,
  opts: {
    env: Record<string, string>;
    channelModules: ChannelAdapterModule[];
    logger?: Logger;
    workers?: boolean;
  },
) {
  const config: Config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: testRedisPrefix(),
    PUBLIC_URL: 'https://parley.test',
    LOG_LEVEL: 'silent',
    RECONCILE_INTERVAL_MS: '1000',
    // Tests wait for the queues to settle; a header's count need not wait 5 s for Slack's sake here.
    HEADER_COUNT_REDRAW_MS: '300',
    WORKER_CONCURRENCY: '4',
    DATABASE_POOL_MAX: '4',
    ...opts.env,
  });
  const logs: LogLine[] = [];
  const capture = {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (!text) continue;
        const parsed = JSON.parse(text) as Omit<LogLine, 'test' | 'where'>;
        const line = { ...parsed, test: currentTestName(), where: whereNow() } as LogLine;
        logs.push(line);
        unchecked.push(line);
      }
    },
  };
  const streams: pino.StreamEntry[] = [{ level: 'warn', stream: capture }];
  if (opts.logger)
    streams.push({
      level: opts.logger.level as pino.Level,
      stream: (opts.logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!,
    });
  const lowest = streams.reduce((a, b) =>
    pino.levels.values[String(b.level)]! < pino.levels.values[String(a.level)]! ? b : a,
  );
  const logger = pino(
    { level: String(lowest.level), base: { service: 'parley' }, mixin: currentLogContext },
    pino.multistream(streams),
  );

  const h = {} as { services: Services; app: App; stop?: () => Promise<void> };
  beforeAll(async () => {
    h.services = await createServices(config, logger, {
      storage: localTestStorage(config.ATTACHMENT_MAX_BYTES),
      channelModules: opts.channelModules,
    });
    h.app = createApp({
      config,
      orm: h.services.orm,
      redis: h.services.redis,
      logger: h.services.logger,
      dispatch: h.services.dispatch,
      extraRoutes: h.services.mountChannelRoutes,
    });
    if (opts.workers !== false) h.stop = startWorker(h.services);
  });
  afterAll(async () => {
    await h.stop?.();
    await flushPrefix(h.services.redis, config.REDIS_PREFIX);
    await h.services.close();
  });
  return {
    config,
    /** What Parley logged, warnings and worse, each with the test that was running. */
    logs,
    get services() {
      return h.services;
    },
    get app() {
      return h.app;
    },
  };
}
