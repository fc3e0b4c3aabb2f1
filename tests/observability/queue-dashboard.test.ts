import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
const TOKEN = 'admin-token-for-the-queue-dashboard';

/** The app with the process's queues, as `parley web` builds it. */
const appWith = (env: Record<string, string>) =>
  createApp({
    config: loadConfig({ PUBLIC_URL: 'https://parley.test', ...env }),
    orm: db.orm,
    redis: redis.producer,
    logger: createLogger('silent'),
    queues: redis.queues,
  });

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('the operators’ queue dashboard (Bull Board at /admin/queues)', () => {
  const app = appWith({ ADMIN_API_TOKEN: TOKEN });

  it('asks a browser for the admin token as a basic-auth password, for the page and its API alike', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const none = await app.request(path);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="Parley queues"/);
      const wrong = await app.request(path, { headers: basic('ops', `${TOKEN}-wrong`) });
      expect(wrong.status).toBe(401);
      // The admin API's bearer form is not the dashboard's.
      const bearer = await app.request(path, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(bearer.status).toBe(401);
    }
  });

  it('serves the page, its scripts and its JSON API with any user name and the token', async () => {
    const page = await app.request('/admin/queues', { headers: basic('anyone', TOKEN) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Parley queues');
    // Its scripts are served from @bull-board/ui's files under the same path and the same login.
    expect(html).toContain('<base href="/admin/queues/" />');
    const relative = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(relative).toBeDefined();
    const script = `/admin/queues/${relative}`;
    expect((await app.request(script!)).status).toBe(401);
    const js = await app.request(script!, { headers: basic('anyone', TOKEN) });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.text()).length).toBeGreaterThan(1000);

    const api = await app.request('/admin/queues/api/queues?activeQueue=deliver&status=latest&page=1', {
      headers: basic('ops', TOKEN),
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['deliver', 'mirror', 'fetch-media']),
    );
  });

  it('takes queue actions only from its own pages, never from another site the browser is on', async () => {
    const path = '/admin/queues/api/queues/mirror/resume';
    const from = (site: string) => ({ ...basic('ops', TOKEN), 'sec-fetch-site': site });
    expect((await app.request(path, { method: 'PUT', headers: from('cross-site') })).status).toBe(403);
    expect(
      (
        await app.request(path, {
          method: 'PUT',
          headers: { ...basic('ops', TOKEN), origin: 'https://evil.example' },
        })
      ).status,
    ).toBe(403);
    expect((await app.request(path, { method: 'PUT', headers: from('same-origin') })).status).toBe(200);
  });

  it('is not there at all (404) while ADMIN_API_TOKEN is not set', async () => {
    const closed = appWith({});
    expect((await closed.request('/admin/queues', { headers: basic('ops', TOKEN) })).status).toBe(404);
    expect((await closed.request('/admin/queues/api/queues', { headers: basic('ops', TOKEN) })).status).toBe(
      404,
    );
  });
});
