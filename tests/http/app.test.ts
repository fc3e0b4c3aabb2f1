import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../support/test-db.ts';
import { adminCall, bodyOf, type ErrorBody, sharedRedis, testApp } from './helpers.ts';

const db = await createTestDb();
const redis = sharedRedis();
const { app, lines } = testApp(
  db,
  redis,
  { BODY_LIMIT_BYTES: '1024' },
  {
    extraRoutes: (a) => {
      a.get('/boom', () => {
        throw new Error('database password is hunter2');
      });
      a.post('/echo-size', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
      a.post('/webchat/api/uploads', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
    },
  },
);

describe('health', () => {
  it('/healthz answers 200 while the process is up', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when PostgreSQL and Redis both answer', async () => {
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('/readyz answers 503 naming Redis when Redis does not answer', async () => {
    const deadRedis = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => {});
    afterAll(() => deadRedis.disconnect());
    const res = await testApp(db, deadRedis).app.request('/readyz');
    expect(res.status).toBe(503);
    const body = await bodyOf<{ failed: string[]; checks: Record<string, string> }>(res);
    expect(body.failed).toEqual(['redis']);
    expect(body.checks.postgres).toBe('ok');
  });
});

describe('errors share one JSON shape', () => {
  it('an AppError answers its status with code, message and request id', async () => {
    const res = await adminCall(app, 'GET', '/groups/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    const body = await bodyOf(res);
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toMatch(/no group/);
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('a body that fails validation answers 422 validation_failed listing each field', async () => {
    const res = await adminCall(app, 'POST', '/groups', { name: '', digestCron: 'every day' });
    expect(res.status).toBe(422);
    const body = await bodyOf(res);
    expect(body.error.code).toBe('validation_failed');
    const paths = body.error.details?.issues?.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'digestCron']));
  });

  it('malformed JSON answers 400 bad_request', async () => {
    const res = await app.request('/api/admin/v1/groups', {
      method: 'POST',
      headers: {
        authorization: 'Bearer test-admin-token-0123456789abcdef',
        'content-type': 'application/json',
      },
      body: '{"name": "Supp',
    });
    expect(res.status).toBe(400);
    expect((await bodyOf(res)).error.code).toBe('bad_request');
  });

  it('an unknown route answers 404 in the same shape', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    const body = await bodyOf(res);
    expect(body.error).toMatchObject({ code: 'not_found' });
    expect(body.error.message).toContain('GET /nope');
  });

  it('an unexpected error answers 500 internal without leaking it, and is logged', async () => {
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect((JSON.parse(text) as ErrorBody).error.code).toBe('internal');
    expect(text).not.toContain('hunter2');
    expect(lines.some((l) => JSON.stringify(l).includes('hunter2'))).toBe(true);
  });

  it('a body over BODY_LIMIT_BYTES answers 413 payload_too_large', async () => {
    const res = await app.request('/echo-size', { method: 'POST', body: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect((await bodyOf(res)).error.code).toBe('payload_too_large');
    const ok = await app.request('/echo-size', { method: 'POST', body: 'x'.repeat(1000) });
    expect(await ok.json()).toEqual({ bytes: 1000 });
  });

  it('a file upload (on the upload route only) may be as large as an attachment, not only BODY_LIMIT_BYTES', async () => {
    const form = new FormData();
    form.append('file', new Blob(['x'.repeat(5000)]), 'scan.pdf');
    const res = await app.request('/webchat/api/uploads', { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { bytes: number }).bytes).toBeGreaterThan(5000);
    // Labelling another route's body multipart does not buy it the attachment limit.
    const elsewhere = await app.request('/echo-size', { method: 'POST', body: form });
    expect(elsewhere.status).toBe(413);
  });
});

describe('request ids and logs', () => {
  it('keeps a sane incoming X-Request-Id and returns it', async () => {
    const res = await app.request('/healthz', { headers: { 'X-Request-Id': 'abc-123_DEF' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123_DEF');
  });

  it('replaces an incoming X-Request-Id that is not sane, and makes one when none is sent', async () => {
    const odd = await app.request('/healthz', { headers: { 'X-Request-Id': 'a b<script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const none = await app.request('/healthz');
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with method, path, status, duration and request id, never the token', async () => {
    const res = await adminCall(app, 'GET', '/groups?name=secret-customer');
    const id = res.headers.get('x-request-id');
    const line = lines.find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ method: 'GET', path: '/api/admin/v1/groups', status: 200 });
    expect(typeof line?.ms).toBe('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('test-admin-token');
    expect(all).not.toContain('secret-customer');
  });
});
