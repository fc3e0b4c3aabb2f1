import { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeAll, expect } from 'vitest';
import { smsAdapter } from '../../adapters/channels/sms/index.ts';
import { createWebchatAdapter } from '../../adapters/channels/webchat/index.ts';
import { whatsappAdapter } from '../../adapters/channels/whatsapp/index.ts';
import { whatsAppSignature } from '../../adapters/channels/whatsapp/signature.ts';
import { ChannelEndpoint, User } from '../../src/db/entities/index.ts';
import type { App } from '../../src/http/app.ts';
import { countRows, type RowCounts } from '../support/bad-input-corpus.ts';
import { fakeSlack, SLACK_ENV } from '../support/fake-slack.ts';
import { GRAPH_TOKEN, GRAPH_URL, graphFake } from '../support/fakes/graph.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  TWILIO_URL,
  type TwilioFormOptions,
  twilioFake,
  twilioWebhook,
} from '../support/fakes/twilio.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { useMsw } from '../support/msw.ts';
import { runningParley } from '../support/running-parley.ts';
import type { TestDb } from '../support/test-db.ts';

export const PUBLIC_URL = 'https://parley.test';
export const WA_SECRET = 'bad-input-whatsapp-app-secret';
export const WA_VERIFY = 'bad-input-verify-token';
export const ADMIN_TOKEN = 'bad-input-admin-token-0123456789';
export const WIDGET = 'wid_support';
export const WIDGET_SECRET = 'bad-input-widget-secret-7d1e';
/** Small limits, so bodies over them are cheap to send. */
export const BODY_LIMIT = 64 * 1024;
export const ATTACHMENT_MAX = 256 * 1024;

const WEBCHAT_LIMITS_OFF = {
  WEBCHAT_SESSIONS_PER_IP_PER_MINUTE: '0',
  WEBCHAT_SESSIONS_PER_WIDGET_PER_MINUTE: '0',
  WEBCHAT_MESSAGES_PER_IP_PER_MINUTE: '0',
  WEBCHAT_MESSAGES_PER_WIDGET_PER_MINUTE: '0',
  WEBCHAT_UPLOADS_PER_IP_PER_MINUTE: '0',
  WEBCHAT_UPLOADS_PER_WIDGET_PER_MINUTE: '0',
};

/**
 * Parley as it runs, with every public endpoint on: webchat, WhatsApp, SMS, Slack, the admin API
 * and health, the real workers mirroring into the fake Slack. Errors the app logs (an unexpected
 * failure behind a 500) are kept in `errors`, so a failing case shows its cause.
 */
export function badInputHarness(db: TestDb, opts: { workers?: boolean; env?: Record<string, string> } = {}) {
  const slack = fakeSlack();
  const graph = graphFake();
  const twilio = twilioFake();
  useMsw(...slack.handlers, ...graph.handlers, ...twilio.handlers);
  const errors: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) errors.push(JSON.parse(l));
      done();
    },
  });
  const parley = runningParley(db, {
    env: {
      PUBLIC_URL,
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      ATTACHMENT_MAX_BYTES: String(ATTACHMENT_MAX),
      ADMIN_API_TOKEN: ADMIN_TOKEN,
      WHATSAPP_API_URL: GRAPH_URL,
      WHATSAPP_APP_SECRET: WA_SECRET,
      WHATSAPP_ACCESS_TOKEN: GRAPH_TOKEN,
      WHATSAPP_VERIFY_TOKEN: WA_VERIFY,
      TWILIO_API_URL: TWILIO_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      ...SLACK_ENV,
      // In-process requests have no socket: they would all be one client to the webchat rate
      // limits. The corpus runs without them; the flood cases turn them on (`env`).
      ...WEBCHAT_LIMITS_OFF,
      ...opts.env,
    },
    channelModules: [
      createWebchatAdapter({ heartbeatMs: 200, leaveGraceMs: 0 }),
      whatsappAdapter,
      smsAdapter,
    ],
    logger: pino({ level: 'error' }, sink),
    workers: opts.workers,
  });
  const config = parley.config;
  const h = {
    get app() {
      return parley.app;
    },
  } as { app: App; ws: Workspace };

  beforeAll(async () => {
    h.ws = await seedWorkspace(db.em());
    await db
      .em()
      .nativeUpdate(ChannelEndpoint, { id: h.ws.webchat.id }, { settings: { secret: WIDGET_SECRET } });
    await db.em().nativeUpdate(User, { id: h.ws.alice.id }, { slackUserId: 'U_ALICE' });
  });

  const request = (path: string, init: RequestInit = {}) => h.app.request(path, init);
  return {
    config,
    slack,
    graph,
    twilio,
    errors,
    request,
    get app() {
      return h.app;
    },
    /** The process's services (its storage, for what refused uploads must not leave behind). */
    get services() {
      return parley.services;
    },
    get ws() {
      return h.ws;
    },
    rows: (): Promise<RowCounts> => countRows(db.em()),
    /** A refusal: a 4xx (`status` when given) with Parley's error body, and not one row written. */
    async expectRefused(res: Response, before: RowCounts, status?: number) {
      const body = await res.text();
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
      if (status) expect(res.status, body).toBe(status);
      expect(JSON.parse(body)).toHaveProperty('error.code');
      expect(await countRows(db.em())).toEqual(before);
    },
    /** The app still serves: the process answers, and so do PostgreSQL and Redis through it. */
    async expectStillServing() {
      expect((await request('/healthz')).status).toBe(200);
      const ready = await request('/readyz');
      expect(ready.status, await ready.clone().text()).toBe(200);
      expect(errors.filter((e) => e.msg === 'request failed')).toEqual([]);
    },
    /** A WhatsApp webhook body as Meta posts it: signed with the app secret unless `signature` is given. */
    whatsapp: (body: string | Uint8Array, signature?: string | null, contentType = 'application/json') => {
      const headers: Record<string, string> = { 'content-type': contentType };
      const sig = signature === undefined ? whatsAppSignature(WA_SECRET, body) : signature;
      if (sig !== null) headers['x-hub-signature-256'] = sig;
      return request('/webhooks/whatsapp', { method: 'POST', headers, body: body as RequestInit['body'] });
    },
    /** A Twilio webhook form, signed over PUBLIC_URL + path unless `signature` is given. */
    twilioForm: (path: string, params: Record<string, string>, opts: TwilioFormOptions = {}) =>
      request(path, twilioWebhook(PUBLIC_URL, path, params, opts)),
    /** A call to the webchat API as the widget makes it. */
    webchat: (method: string, path: string, token: string | null, body?: string, type = 'application/json') =>
      request(path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': type } : {}),
        },
        body,
      }),
  };
}
