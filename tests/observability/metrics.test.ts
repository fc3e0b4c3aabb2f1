import { beforeAll, describe, expect, it } from 'vitest';
import { whatsAppSignature } from '../../adapters/channels/whatsapp/signature.ts';
import { loadConfig } from '../../src/config.ts';
import { User } from '../../src/db/entities/index.ts';
import { type App, createApp } from '../../src/http/app.ts';
import type { Services } from '../../src/services.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { slackEvent } from '../support/fake-slack.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness, WA_APP_SECRET } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

const METRICS_TOKEN = 'metrics-token-for-the-tests';
const db = await createTestDb();
const ADMIN_API_TOKEN = 'admin-token-for-the-metrics-tests';
const h = slackHarness(db, { env: { METRICS_TOKEN, ADMIN_API_TOKEN } });

/** The app as `parley web` builds it: with the process's metrics (the harness's app has none). */
const webApp = (s: Services, config = s.config): App =>
  createApp({
    config,
    orm: s.orm,
    redis: s.redis,
    logger: s.logger,
    dispatch: s.dispatch,
    extraRoutes: s.mountChannelRoutes,
    metrics: s.metrics,
    queues: s.queues,
  });

const signed = (payload: unknown, secret = WA_APP_SECRET) => {
  const body = JSON.stringify(payload);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': whatsAppSignature(secret, body) },
    body,
  };
};

/** One sample's value from the exposition text (`name{labels} value`); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? wanted.every((w) => l.includes(w)) : false,
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

let app: App;
const scrape = async (a: App = app) => {
  const res = await a.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

beforeAll(async () => {
  const ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  app = webApp(h.services);
});

describe('GET /metrics (Prometheus)', () => {
  it('counts real traffic: requests by route, webhooks by outcome, jobs, queues, vendor calls and deliveries', async () => {
    const before = await scrape();
    expect(sample(before, 'parley_webhooks_total', { outcome: 'stored' })).toBe(0);

    // Slack limits the first post: Parley holds, the job waits, then posts.
    h.slack.failNext('chat.postMessage', { kind: '429', retryAfter: 1 });
    const message = inbound(
      { waId: '15550101010', name: 'Dana' },
      'text',
      { body: 'Where is my parcel?' },
      { id: 'wamid.METRICS1' },
    );
    expect((await app.request('/webhooks/whatsapp', signed(message))).status).toBe(200);
    expect((await app.request('/webhooks/whatsapp', signed(message))).status).toBe(200);
    expect((await app.request('/webhooks/whatsapp', signed(message, 'not-the-secret'))).status).toBe(401);
    const header = await eventually(() =>
      h.slack.posts.find((p) => p.channel === 'C_SUPPORT' && p.metadata?.event_type === 'parley_thread'),
    );
    await eventually(() => h.slack.threadOf('C_SUPPORT', header.ts).find((p) => p.text.includes('parcel')));

    // Alice answers in the thread: a deliver job sends it to WhatsApp.
    const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', 'It ships today', header.ts);
    const event = {
      type: 'message',
      channel: 'C_SUPPORT',
      channel_type: 'channel',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    };
    const reply = slackEvent(event, { eventId: 'Ev-metrics' });
    expect((await app.request('/slack/events', reply)).status).toBe(200);
    await eventually(() => h.graph.sent.length > 0);
    await settled(h.services);
    // An admin call with an id in its path.
    const unknownGroup = '/api/admin/v1/groups/00000000-0000-4000-8000-000000000000';
    const admin = await app.request(unknownGroup, {
      headers: { authorization: `Bearer ${ADMIN_API_TOKEN}` },
    });
    expect(admin.status).toBe(404);

    const text = await scrape();
    // Requests by route pattern and status, with a duration histogram.
    const webhook = { method: 'POST', route: '/webhooks/whatsapp', status: '200' };
    expect(sample(text, 'parley_http_request_duration_seconds_count', webhook)).toBe(2);
    expect(sample(text, 'parley_http_request_duration_seconds_bucket', { ...webhook, le: '+Inf' })).toBe(2);
    expect(sample(text, 'parley_http_request_duration_seconds_count', { ...webhook, status: '401' })).toBe(1);
    expect(sample(text, 'parley_http_request_duration_seconds_count', { route: '/slack/events' })).toBe(1);
    expect(
      sample(text, 'parley_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/admin/v1/groups/:id',
        status: '404',
      }),
    ).toBe(1);
    // Webhooks by outcome.
    expect(sample(text, 'parley_webhooks_total', { channel: 'whatsapp', outcome: 'stored' })).toBe(1);
    expect(sample(text, 'parley_webhooks_total', { channel: 'whatsapp', outcome: 'duplicate' })).toBe(1);
    expect(sample(text, 'parley_webhooks_total', { channel: 'whatsapp', outcome: 'refused' })).toBe(1);
    // Jobs run by the real BullMQ workers, with wait and run times.
    expect(
      sample(text, 'parley_jobs_total', { queue: 'mirror', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'parley_jobs_total', { queue: 'deliver', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'parley_job_wait_seconds_count', { queue: 'deliver' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'parley_job_run_seconds_count', { queue: 'mirror', outcome: 'completed' }),
    ).toBeGreaterThanOrEqual(2);
    // Vendor calls by method and status, the 429 included; the delivery by channel and state.
    expect(
      sample(text, 'parley_vendor_calls_total', {
        vendor: 'slack',
        method: 'chat.postMessage',
        status: '429',
      }),
    ).toBe(1);
    expect(
      sample(text, 'parley_vendor_calls_total', {
        vendor: 'slack',
        method: 'chat.postMessage',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'parley_vendor_calls_total', {
        vendor: 'whatsapp',
        method: 'POST :id/messages',
        status: '200',
      }),
    ).toBe(1);
    expect(sample(text, 'parley_deliveries_total', { channel: 'whatsapp', state: 'sent' })).toBe(1);
    // Queue depth and the oldest waiting job, read at scrape time (all settled: none waits).
    expect(text).toMatch(/^parley_queue_jobs\{queue="deliver",state="waiting"\} 0$/m);
    expect(text).toMatch(/^parley_queue_oldest_waiting_seconds\{queue="mirror"\} 0$/m);
    // Process metrics.
    expect(sample(text, 'parley_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // Labels are patterns, never raw ids.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).not.toContain('wamid');
  });

  it('answers 401 without the METRICS_TOKEN bearer or with a wrong one', async () => {
    const none = await app.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('parley_');
  });

  it('is not there (404) when neither METRICS_TOKEN nor METRICS_PORT is set', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, PUBLIC_URL: 'https://parley.test' });
    const res = await webApp(h.services, config).request('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(404);
  });
});
