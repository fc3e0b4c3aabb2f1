import { describe, expect, it } from 'vitest';
import { createTestDb } from '../support/test-db.ts';
import { ADMIN_TOKEN, adminCall, bodyOf, sharedRedis, testApp } from './helpers.ts';

const db = await createTestDb();
const redis = sharedRedis();
const { app } = testApp(db, redis);

describe('admin API authentication', () => {
  it('refuses a call without a token with 401 unauthenticated', async () => {
    const res = await adminCall(app, 'GET', '/groups', undefined, null);
    expect(res.status).toBe(401);
    expect((await bodyOf(res)).error.code).toBe('unauthenticated');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a wrong token, including one that only shares a prefix', async () => {
    for (const token of ['wrong', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`]) {
      const res = await adminCall(app, 'GET', '/groups', undefined, token);
      expect(res.status).toBe(401);
    }
  });

  it('refuses a token sent another way than as a bearer token', async () => {
    const res = await app.request('/api/admin/v1/groups', {
      headers: { authorization: `Basic ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(401);
  });

  it('accepts the right token', async () => {
    const res = await adminCall(app, 'GET', '/groups');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [] });
  });

  it('answers 503 not_configured, saying to set ADMIN_API_TOKEN, while no token is configured', async () => {
    const { app: closed } = testApp(db, redis, { ADMIN_API_TOKEN: '' });
    const res = await adminCall(closed, 'GET', '/groups');
    expect(res.status).toBe(503);
    const body = await bodyOf(res);
    expect(body.error.code).toBe('not_configured');
    expect(body.error.message).toContain('ADMIN_API_TOKEN');
  });
});

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: { name: string; in: string }[];
        responses: Record<string, unknown>;
      }
    >
  >;
  components: {
    schemas: Record<string, unknown>;
    securitySchemes: Record<string, { type: string; scheme: string }>;
  };
  security: Record<string, string[]>[];
};

/** Every `$ref` in the document, wherever it is. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is served without a token, as OpenAPI 3.1 with the bearer security scheme', async () => {
    const res = await app.request('/api/admin/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ adminToken: [] }]);
  });

  it('describes every admin route the app serves, and only those', async () => {
    const doc = (await (await app.request('/api/admin/openapi.json')).json()) as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/admin/v1/'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(new Set(documented)).toEqual(new Set(served));
    for (const resource of ['groups', 'users', 'endpoints', 'contacts']) {
      expect(documented).toEqual(
        expect.arrayContaining([
          `GET /api/admin/v1/${resource}`,
          `POST /api/admin/v1/${resource}`,
          `PATCH /api/admin/v1/${resource}/{id}`,
        ]),
      );
    }
    expect(documented).toEqual(
      expect.arrayContaining(['GET /api/admin/v1/account', 'PATCH /api/admin/v1/account']),
    );
  });

  it('is well-formed: unique operation ids, declared path parameters, responses, and every $ref resolves', async () => {
    const doc = (await (await app.request('/api/admin/openapi.json')).json()) as Doc;
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(ids.has(op.operationId!)).toBe(false);
        ids.add(op.operationId!);
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort()).toEqual(pathParams.sort());
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        expect(op.responses['401']).toBeDefined();
      }
    }
    for (const ref of refsIn(doc)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
  });
});
