import { beforeAll, describe, expect, it } from 'vitest';
import { fromSocket, sseReader } from '../adapters/webchat/harness.ts';
import { brokenUploads, UPLOAD_BOUNDARY } from '../support/bad-input-corpus.ts';
import { createTestDb } from '../support/test-db.ts';
import { ATTACHMENT_MAX, badInputHarness, WIDGET } from './bad-input-harness.ts';

/**
 * Issue 9, item 6, bad input: floods of sessions and streams, and broken uploads, against Parley
 * as it runs with its webchat limits on. Refusals are 4xx (429 with Retry-After for floods),
 * never a 5xx, and nothing is stored for a refused request: no row, no file.
 */
const db = await createTestDb();
const h = badInputHarness(db, {
  workers: false,
  env: { WEBCHAT_SESSIONS_PER_IP_PER_MINUTE: '10', WEBCHAT_STREAMS_PER_SESSION: '3' },
});
const json = (v: unknown) => JSON.stringify(v);
const startSession = (ip: string) =>
  h.app.request(
    '/webchat/api/sessions',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ widget: WIDGET }) },
    fromSocket(ip),
  );
async function session(ip: string) {
  const res = await startSession(ip);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/** Keys the storage was asked to write; each must be gone after a refusal. */
const written: string[] = [];
beforeAll(() => {
  const storage = h.services.storage;
  const putStream = storage.putStream.bind(storage);
  storage.putStream = (key, body, type) => {
    written.push(key);
    return putStream(key, body, type);
  };
});

describe('webchat floods and broken uploads', () => {
  it('R33: a flood of 60 sessions from one address: 10 admitted, the rest 429 with Retry-After; 0 × 5xx; only the admitted stored', async () => {
    const before = await h.rows();
    const answers = await Promise.all(Array.from({ length: 60 }, () => startSession('203.0.113.50')));
    const counts = new Map<number, number>();
    for (const r of answers) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 201: 10, 429: 50 });
    for (const r of answers.filter((a) => a.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    }
    expect(await h.rows()).toEqual({ ...before, webchat_session: before.webchat_session + 10 });
  });

  it('R33: a flood of streams on one session: 3 open, the rest 429; 0 × 5xx; nothing stored', async () => {
    const token = await session('203.0.113.51');
    const before = await h.rows();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.request('/webchat/api/stream', { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const open = answers.filter((r) => r.status === 200);
    expect(open).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(9);
    for (const r of open) await sseReader(r).close();
    expect(await h.rows()).toEqual(before);
  });

  it.each(brokenUploads(ATTACHMENT_MAX))(
    'R4: an upload with %s is refused with %i; 0 × 5xx; nothing stored',
    async (_, status, body) => {
      const token = await session('203.0.113.52');
      const before = await h.rows();
      const seen = written.length;
      const res = await h.request('/webchat/api/uploads', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${UPLOAD_BOUNDARY}`,
        },
        body: body(),
        duplex: 'half',
      } as RequestInit);
      await h.expectRefused(res, before, status);
      for (const key of written.slice(seen)) expect(await h.services.storage.get(key)).toBeNull();
      // Too large is found while streaming: storage had begun to write, and kept nothing.
      if (status === 413) expect(written.length).toBeGreaterThan(seen);
    },
  );

  it('the app still answers /healthz and /readyz after the floods, and logged no failed request', async () => {
    await h.expectStillServing();
  });
});
