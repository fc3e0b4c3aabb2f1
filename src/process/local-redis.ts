import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { LocalServiceError } from './local-service-error.ts';
import { answers, hostPort, portFor } from './tcp.ts';

/** The `redis-server` on the PATH, or a one-line error saying how to get one. */
export function findRedisServer(path: string | undefined, defaultUrl: string): string {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new LocalServiceError(
    `no Redis at ${hostPort(defaultUrl)} and no redis-server on the PATH: install Redis (apt-get install redis-server, brew install redis) or set REDIS_URL`,
  );
}

/** A throwaway redis-server (no persistence) at the default URL's port when free. */
export async function startRedis(redisServer: string, defaultUrl: string) {
  const port = await portFor(defaultUrl);
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  // Its own process group: a terminal's Ctrl-C reaches Parley, which drains its workers before Redis goes.
  const child = spawn(
    redisServer,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output = (output + d).slice(-2000);
  });
  child.stderr?.on('data', (d) => {
    output = (output + d).slice(-2000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);
  const stop = async () => {
    process.removeListener('exit', killNow);
    killNow();
    await exited;
  };
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitUntilAnswering(url, child))) {
    await stop();
    const last = output.trim().split('\n').pop() ?? '';
    throw new LocalServiceError(`${redisServer} did not start on port ${port} (${last}); set REDIS_URL`);
  }
  return { url, stop };
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await answers(url)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
