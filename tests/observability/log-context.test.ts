import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappAdapter } from '../../adapters/channels/whatsapp/index.ts';
import { whatsAppSignature } from '../../adapters/channels/whatsapp/signature.ts';
import { startWorker } from '../../src/cli/main-commands.ts';
import { loadConfig } from '../../src/config.ts';
import { Message, User } from '../../src/db/entities/index.ts';
import { type App, createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { fakeSlack, SLACK_ENV, slackEvent } from '../support/fake-slack.ts';
import { GRAPH_TOKEN, GRAPH_URL, graphFake } from '../support/fakes/graph.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { useMsw } from '../support/msw.ts';
import { flushPrefix } from '../support/redis.ts';
import { settled } from '../support/settled.ts';
import { eventually } from '../support/slack-app.ts';
import { localTestStorage } from '../support/storage.ts';
import { createTestDb, testRedisPrefix } from '../support/test-db.ts';
import { redisUrl } from '../support/test-env.ts';

const APP_SECRET = 'log-context-whatsapp-app-secret';
const db = await createTestDb();
const slack = fakeSlack({ now: () => Date.now() - 60_000 });
const graph = graphFake();
useMsw(...slack.handlers, ...graph.handlers);

/** Parley's log lines as it writes them (pino JSON), through the logger `parley` itself builds. */
const lines: Record<string, unknown>[] = [];
const logger = createLogger('info', {
  write: (chunk: string) => {
    for (const text of chunk.split('\n')) if (text) lines.push(JSON.parse(text) as Record<string, unknown>);
  },
});
/** `grep <id>`: the lines that mention it anywhere. */
const grep = (id: string) => lines.filter((l) => JSON.stringify(l).includes(id));

const config = loadConfig({
  DATABASE_URL: db.url,
  REDIS_URL: redisUrl(),
  REDIS_PREFIX: testRedisPrefix(),
  PUBLIC_URL: 'https://parley.test',
  RECONCILE_INTERVAL_MS: '1000',
  HEADER_COUNT_REDRAW_MS: '300',
  WORKER_CONCURRENCY: '4',
  DATABASE_POOL_MAX: '4',
  WHATSAPP_API_URL: GRAPH_URL,
  WHATSAPP_APP_SECRET: APP_SECRET,
  WHATSAPP_ACCESS_TOKEN: GRAPH_TOKEN,
  WHATSAPP_VERIFY_TOKEN: 'verify',
  ...SLACK_ENV,
});
let services: Services;
let app: App;
let stop: () => Promise<void>;

beforeAll(async () => {
  services = await createServices(config, logger, {
    storage: localTestStorage(config.ATTACHMENT_MAX_BYTES),
    channelModules: [whatsappAdapter],
  });
  app = createApp({
    config,
    orm: services.orm,
    redis: services.redis,
    logger,
    dispatch: services.dispatch,
    extraRoutes: services.mountChannelRoutes,
  });
  stop = startWorker(services);
  const ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});
afterAll(async () => {
  await stop();
  await flushPrefix(services.redis, config.REDIS_PREFIX);
  await services.close();
});

describe('log lines carry the message and conversation ids from webhook to job to vendor call', () => {
  it('one grep for a message id follows it from its webhook to its Slack post, and a reply to its WhatsApp send', async () => {
    const body = JSON.stringify(
      inbound(
        { waId: '15550101010', name: 'Dana' },
        'text',
        { body: 'Where is my parcel?' },
        { id: 'wamid.LOG1' },
      ),
    );
    const res = await app.request('/webhooks/whatsapp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': whatsAppSignature(APP_SECRET, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    const messageId = ((await res.json()) as { messageIds: string[] }).messageIds[0]!;
    const header = await eventually(() =>
      slack.posts.find((p) => p.channel === 'C_SUPPORT' && p.metadata?.event_type === 'parley_thread'),
    );
    await eventually(() => slack.threadOf('C_SUPPORT', header.ts).find((p) => p.text.includes('parcel')));
    await settled(services);

    const inboundLines = grep(messageId);
    const request = inboundLines.find((l) => l.msg === 'request' && l.path === '/webhooks/whatsapp');
    expect(request).toBeDefined();
    const conversationId = request!.conversationId as string;
    expect(request).toMatchObject({ messageId, conversationId, status: 200 });
    // The mirror job's post to Slack: its job, its conversation, the message it carried.
    expect(inboundLines).toContainEqual(
      expect.objectContaining({
        msg: 'slack: posted to C_SUPPORT',
        queue: 'mirror',
        conversationId,
        messageIds: expect.arrayContaining([messageId]),
      }),
    );

    // Alice answers in the thread: the reply's id leads to its send to WhatsApp.
    const typed = slack.personWrites('C_SUPPORT', 'U_ALICE', 'It ships today', header.ts);
    const event = {
      type: 'message',
      channel: 'C_SUPPORT',
      channel_type: 'channel',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    };
    expect((await app.request('/slack/events', slackEvent(event, { eventId: 'Ev-log-reply' }))).status).toBe(
      200,
    );
    await eventually(() => graph.sent.length > 0);
    await settled(services);
    const reply = await db.em().findOneOrFail(Message, { kind: 'reply' });
    expect(grep(reply.id)).toContainEqual(
      expect.objectContaining({
        msg: 'delivered to whatsapp',
        queue: 'deliver',
        messageId: reply.id,
        conversationId,
        providerMessageId: graph.sent[0]!.wamid,
      }),
    );
    // Ids never leak into lines of other work: every line naming the reply is about its conversation.
    for (const line of grep(reply.id)) expect(line.conversationId).toBe(conversationId);
  });
});
