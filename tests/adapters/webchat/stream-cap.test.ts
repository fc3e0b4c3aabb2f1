import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDb } from '../../support/test-db.ts';
import { sseReader, webchatHarness } from './harness.ts';

/**
 * Issue 9, item 6: a session holds at most WEBCHAT_STREAMS_PER_SESSION live streams (2 here),
 * counted in Redis across web processes; a stream of a process that died stops counting by itself.
 */
const db = await createTestDb();
const h = await webchatHarness(db, { heartbeatMs: 120_000, env: { WEBCHAT_STREAMS_PER_SESSION: '2' } });
const other = h.otherProcess();

const open: ReturnType<typeof sseReader>[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
const request = (token: string, app = h.app) =>
  app.request('/webchat/api/stream', { headers: { Authorization: `Bearer ${token}` } });
async function stream(token: string, app = h.app) {
  const res = await request(token, app);
  expect(res.status).toBe(200);
  const sse = sseReader(res);
  open.push(sse);
  expect((await sse.next()).event).toBe('ready');
  return sse;
}
const slotKey = (sessionId: string) => `${h.config.REDIS_PREFIX}:webchat:streams:${sessionId}`;

describe('the cap on live streams per session (issue 9, item 6)', () => {
  it('R33: a stream over the cap, in any web process, answers 429 with a clear message and Retry-After', async () => {
    const s = await h.session();
    await stream(s.token);
    await stream(s.token, other.app);
    const refused = await request(s.token);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/open in too many tabs or windows \(at most 2\)\. Close one of them/);
    // Another session has its own streams.
    await stream((await h.session()).token);
  });

  it('R33: closing a stream frees its place', async () => {
    const s = await h.session();
    const first = await stream(s.token);
    await stream(s.token);
    await first.close();
    await vi.waitFor(async () => expect(await h.redis.producer.zcard(slotKey(s.sessionId))).toBe(1), {
      timeout: 5_000,
    });
    await stream(s.token);
  });

  it('R33: the streams of a web process that died stop counting once their heartbeat lapses', async () => {
    const s = await h.session();
    // Two streams a dead process left behind: their last heartbeat is long past.
    const lapsed = Date.now() - 1000;
    await h.redis.producer.zadd(slotKey(s.sessionId), lapsed, 'dead-1', lapsed, 'dead-2');
    await stream(s.token);
    await stream(s.token);
    expect((await request(s.token)).status).toBe(429);
  });
});
