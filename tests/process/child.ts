import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { flushPrefix } from '../support/redis.ts';
import { testRedisPrefix } from '../support/test-db.ts';
import { baseDatabaseUrl, redisUrl } from '../support/test-env.ts';

/** Parley as its own process (`npm start`, `npx parley …`, or the binary run directly), as a user or a process manager starts it. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

const children: ChildProcess[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  // Whatever happened, the processes' Redis keys go.
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 2 });
  for (const prefix of prefixes) await flushPrefix(redis, prefix);
  redis.disconnect();
});

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A database of its own (created and migrated by the process; dropped with the run's template) and a Redis prefix. */
export async function parleyEnv(name: string, extra: Record<string, string> = {}) {
  const port = await freePort();
  const prefix = testRedisPrefix();
  prefixes.push(prefix);
  return {
    port,
    env: {
      DATABASE_URL: baseDatabaseUrl(`${inject('templateDb')}_${name}`),
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...extra,
    },
  };
}

/** Starts `command args` in the repository (or `cwd`) with only these variables (and PATH, HOME for npm). */
export function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string } = {},
) {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? repo,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
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
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  return { child, output: () => out, exited };
}

/** Runs the binary directly (as a container's init does) and waits for it to end. */
export async function runToEnd(args: string[], env: Record<string, string>) {
  const { output, exited } = run(process.execPath, [main, ...args], env);
  const { code } = await exited;
  return { code, output: output() };
}

/** Answers /readyz with 200. */
export async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/** Whether anything still accepts connections on the port. */
export async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`);
    return true;
  } catch {
    return false;
  }
}

/** The process and every process under it. */
export function processTree(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of rows) if (parent === tree[i]) tree.push(child);
  return tree;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
