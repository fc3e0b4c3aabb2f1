import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PARLEY_NODE_FLAGS, PARLEY_NODE_OPTIONS } from '../../bench/parley-processes.ts';
import { configVariables, loadConfig } from '../../src/config.ts';
import { healthRoutes } from '../../src/http/health.ts';
import { createLogger } from '../../src/logger.ts';

/**
 * Dockerfile and compose.yaml (README, "Running in containers"): no container engine runs here,
 * so what they name is checked against what Parley has: config variables, CLI commands, files, routes.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');

interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const parleyServices = Object.entries(compose.services).filter(([, s]) => s.build === '.');

/** The commands `parley --help` lists (commander's own listing of the registered commands). */
function cliCommands(): string[] {
  const help = execFileSync(process.execPath, [`${root}src/main.ts`, '--help'], { encoding: 'utf8' });
  const listing = help.slice(help.indexOf('Commands:'));
  return [...listing.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] as string);
}

/** A compose value with `${NAME:-default}` replaced by its default, as with an empty .env. */
const withDefaults = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

/** The JSON-array (exec form) arguments of a Dockerfile instruction. */
function execForm(dockerfile: string, instruction: string): string[] {
  const line = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .find((l) => l.startsWith(`${instruction} `));
  if (!line) throw new Error(`no ${instruction} in the Dockerfile`);
  return JSON.parse(line.slice(line.indexOf('['))) as string[];
}

describe('container files', () => {
  it('compose runs the migration step, one web and two workers beside PostgreSQL and Redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['migrate', 'postgres', 'redis', 'web', 'worker']);
    const commandOf = Object.fromEntries(parleyServices.map(([name, s]) => [name, s.command]));
    expect(commandOf).toEqual({ migrate: ['migrate'], web: ['web'], worker: ['worker'] });
    expect(compose.services.worker?.deploy?.replicas).toBe(2);
    for (const name of ['web', 'worker'])
      expect(compose.services[name]?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
  });

  it("every Parley service's variables are in the config schema, parse, and name the compose database and Redis", () => {
    const pg = compose.services.postgres?.environment ?? {};
    for (const [name, service] of parleyServices) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, withDefaults(String(v))]),
      );
      expect(
        Object.keys(env).filter((k) => !configVariables.includes(k)),
        name,
      ).toEqual([]);
      const config = loadConfig(env);
      expect(config.DATABASE_URL).toBe(
        `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
      );
      expect(new URL(config.REDIS_URL).hostname).toBe('redis');
    }
  });

  it("every Parley service's command, and the image's default, is a command of the CLI", () => {
    const commands = cliCommands();
    expect(commands).toEqual(expect.arrayContaining(['all', 'web', 'worker', 'migrate']));
    const dockerfile = read('Dockerfile');
    const used = [...parleyServices.map(([, s]) => s.command?.[0]), execForm(dockerfile, 'CMD')[0]];
    expect(used.filter((c) => !commands.includes(String(c)))).toEqual([]);
  });

  it("the benchmarks start Parley with npm start's Node flags and NODE_OPTIONS, so their figures are the ones users get", () => {
    // Found late: only the memory benchmark used the young generation's size; the others ran with
    // V8's own, four times larger here, and measured other garbage-collection pauses.
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(/NODE_OPTIONS="(\S+) \$\{NODE_OPTIONS:-\}"/.exec(start)?.[1]).toBe(PARLEY_NODE_OPTIONS);
    expect(/exec node (.*?) ?src\/main\.ts/.exec(start)?.[1]?.split(' ')).toEqual(PARLEY_NODE_FLAGS);
  });

  it('the image runs src/main.ts with node itself, copies what exists, and checks a /readyz route Parley has', () => {
    const dockerfile = read('Dockerfile');
    const entrypoint = execForm(dockerfile, 'ENTRYPOINT');
    expect([entrypoint[0], entrypoint.at(-1)]).toEqual(['node', 'src/main.ts']);
    // Node's flags (V8's heap growth, not accepted in NODE_OPTIONS) are the same as `npm start`'s
    // and `npx parley`'s, so the image keeps the memory the benchmarks measured.
    const flags = entrypoint.slice(1, -1);
    expect(flags).toContain('--heap-growing-percent=25');
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(/exec node (.*?) ?src\/main\.ts/.exec(start)?.[1]?.split(' ')).toEqual(flags);
    expect(read('bin/parley.js').split('\n')[0]).toContain(flags.join(' '));
    expect(existsSync(`${root}src/main.ts`)).toBe(true);
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(
      (m) => m[1]?.split(' ') ?? [],
    );
    expect(copied.filter((path) => !existsSync(`${root}${path}`))).toEqual([]);
    expect(dockerfile).toMatch(/^FROM node:24-slim/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^USER node$/m);

    const check = execForm(dockerfile, 'HEALTHCHECK');
    expect(check.join(' ')).toContain('/readyz');
    const redis = new Redis({ lazyConnect: true });
    const routes = healthRoutes({ redis, logger: createLogger('silent') }).routes.map(
      (r) => `${r.method} ${r.path}`,
    );
    expect(routes).toContain('GET /readyz');
  });
});
