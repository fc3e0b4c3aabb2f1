import { once } from 'node:events';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../support/test-env.ts';
import { alive, listening, main, parleyEnv, processTree, ready, run } from './child.ts';

/**
 * Stopping Parley the ways a user or a process manager does: SIGTERM to `npm start`, to
 * `npx parley web`, or to the binary run directly (a container's init). Each time the process
 * that served drains and exits; none is left serving without a parent.
 */
const strays: number[] = [];
const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 2 });
afterAll(() => {
  for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
  redis.disconnect();
});

const START = { timeout: 60_000, interval: 200 };

/** Starts a command, waits until it is ready, and returns it with every process it started. */
async function started(command: string, args: string[], name: string, extra: Record<string, string> = {}) {
  const { port, env } = await parleyEnv(name, extra);
  const proc = run(command, args, env);
  await expect.poll(() => ready(port), START).toBe(true);
  const tree = processTree(proc.child.pid!);
  strays.push(...tree);
  return { ...proc, port, tree, prefix: env.REDIS_PREFIX };
}

/**
 * A request whose body is still coming: in flight until `finish`. Resolves once its handler runs
 * (it counts the request against the webchat limits in Redis before it reads the body).
 */
async function requestInFlight(port: number, prefix: string) {
  const body = JSON.stringify({ widget: 'wid_nobody' });
  const socket = connect(port, '127.0.0.1');
  socket.write(
    `POST /webchat/api/sessions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://localhost:${port}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
  );
  let response = '';
  socket.on('data', (d) => {
    response += d;
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await expect.poll(() => redis.keys(`${prefix}:webchat:limit:*`), START).not.toEqual([]);
  expect(response).toBe('');
  return { finish: () => socket.write(body.slice(3)), response: () => response, closed };
}

describe('stopping Parley', () => {
  it('SIGTERM to `npm start` stops the server npm started: it logs why, drains, and npm exits 0', {
    timeout: 90_000,
  }, async () => {
    const { child, output, exited, port, tree } = await started('npm', ['start'], 'npm_start');
    expect(tree.length).toBeGreaterThan(1);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect.poll(() => tree.filter(alive), START).toEqual([]);
    expect(await listening(port)).toBe(false);
    expect(output()).toMatch(/"signal":"SIGTERM".*shutting down/);
    expect(output()).toMatch(/"msg":"stopped \(SIGTERM\)"/);
  });

  it('SIGTERM to `npx parley web` stops the server too, though npm runs it through a shell that does not pass the signal on', {
    timeout: 90_000,
  }, async () => {
    const { child, output, exited, port, tree } = await started('npx', ['parley', 'web'], 'npx_web', {
      npm_config_yes: 'true',
    });
    child.kill('SIGTERM');
    // npm ends as its shell did, by the signal; the server notices that npm is gone and stops cleanly.
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    await expect.poll(() => tree.filter(alive), START).toEqual([]);
    expect(await listening(port)).toBe(false);
    expect(output()).toMatch(/"reason":"npm exited".*shutting down/);
    expect(output()).toMatch(/"msg":"stopped \(npm exited\)"/);
  });

  it('run directly (a container init): a request in flight when SIGTERM comes is answered, new connections are refused, and it exits 0', {
    timeout: 90_000,
  }, async () => {
    const { child, output, exited, port, prefix } = await started(process.execPath, [main, 'web'], 'direct');
    const request = await requestInFlight(port, prefix);

    child.kill('SIGTERM');
    await expect.poll(output, START).toMatch(/shutting down/);
    expect(await listening(port)).toBe(false);
    expect(output()).not.toMatch(/stopped/);

    request.finish();
    await request.closed;
    expect(request.response()).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(request.response()).toMatch(/connection: close/i);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output()).toMatch(/stopped \(SIGTERM\)/);
  });

  it('a request still running at SHUTDOWN_TIMEOUT_MS is cut off, and the process still exits 0', {
    timeout: 90_000,
  }, async () => {
    const { child, output, exited, port, prefix } = await started(
      process.execPath,
      [main, 'web'],
      'deadline',
      {
        SHUTDOWN_TIMEOUT_MS: '1000',
      },
    );
    const request = await requestInFlight(port, prefix);
    child.kill('SIGTERM');
    await request.closed;
    expect(request.response()).toBe('');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output()).toMatch(/still busy after 1000 ms \(SHUTDOWN_TIMEOUT_MS\)/);
    expect(output()).toMatch(/stopped \(SIGTERM\)/);
  });

  it('a second signal while draining exits at once, non-zero (128 + SIGINT)', {
    timeout: 90_000,
  }, async () => {
    const { child, output, exited, port, prefix } = await started(process.execPath, [main, 'web'], 'twice', {
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    // Keeps the drain waiting, as a long request would.
    await requestInFlight(port, prefix);
    child.kill('SIGTERM');
    await expect.poll(output, START).toMatch(/shutting down/);
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(output()).toMatch(/SIGINT while shutting down: exiting now/);
    expect(output()).not.toMatch(/stopped/);
  });
});
