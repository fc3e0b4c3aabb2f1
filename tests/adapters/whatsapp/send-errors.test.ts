import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { http, passthrough } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWhatsAppChannel } from '../../../adapters/channels/whatsapp/whatsapp.channel.ts';
import { Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { DELIVERY_LEASE_MS, deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import {
  resolveInterruptedSend,
  UNKNOWN_OUTCOME_REASON,
} from '../../../src/use-cases/resolve-interrupted-send.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { GRAPH_TOKEN, GRAPH_URL } from '../../support/fakes/graph.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { APP_SECRET, whatsappHarness } from './harness.ts';
import { status } from './payloads.ts';

/** How Graph failures end for a reply: failed with a reason, retried, or left for Meta's status. */
const db = await createTestDb();
const wa = whatsappHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});
const load = (id: string) => db.em().findOneOrFail(Message, id);
const queuedReply = async (text = 'Your order shipped 🚚') =>
  (await conversationWithQueuedReply(db.em(), ws, text)).reply;

describe('permanent Graph errors fail the message at once with Meta’s reason', () => {
  it.each([
    [
      131047,
      'Re-engagement message',
      /More than 24 hours have passed since the customer last replied.*template/,
    ],
    [131026, 'Message undeliverable', /could not deliver the message/],
    [131051, 'Unsupported message type', /does not support this message type/],
    [
      132000,
      'Number of parameters does not match the expected number of params',
      /number of template parameters/,
    ],
    [132001, 'Template name does not exist in the translation', /template does not exist/],
    [131009, 'Parameter value is not valid', /parameter value is not valid/],
    [100, 'Invalid parameter', /invalid parameter/],
    [190, 'Error validating access token: Session has expired', /WHATSAPP_ACCESS_TOKEN/],
  ])('%i %s', async (code, title, explains) => {
    const reply = await queuedReply();
    wa.graph.failNextSend({ code, title, status: code === 190 ? 401 : 400 });
    const r = await wa.deliver(reply.id);
    expect(r.outcome).toBe('failed');
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toMatch(explains);
    expect(m.deliveryReason).toContain(`WhatsApp error ${code}: (#${code}) ${title}`);
    expect(wa.graph.sent).toEqual([]);
  });
});

describe('a message sent as several WhatsApp messages', () => {
  it('when a later part fails, it fails with what went out, and no part is sent again', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const sent = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      text: 'Two pickup points',
      attachments: [
        { id: crypto.randomUUID(), kind: 'location', latitude: 52.52, longitude: 13.405, name: 'North' },
        { id: crypto.randomUUID(), kind: 'location', latitude: 48.137, longitude: 11.575, name: 'South' },
      ],
    });
    wa.graph.acceptNextSend();
    wa.graph.acceptNextSend();
    wa.graph.failNextSend({ status: 400, code: 131056, title: 'pair rate limit hit' });
    const r = await wa.deliver(sent.messageId);
    expect(r).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/Only the first 2 of 3 WhatsApp messages/),
    });
    expect(wa.graph.sent.map((s) => s.body.type)).toEqual(['text', 'location']);
    expect((await wa.deliver(sent.messageId)).outcome).toBe('skipped');
    expect(wa.graph.received).toHaveLength(3);
  });
});

describe('transient Graph errors retry later and then send once', () => {
  it('HTTP 429 with Retry-After is retried after that many seconds', async () => {
    const reply = await queuedReply();
    wa.graph.failNextSend({ status: 429, code: 130429, title: 'Rate limit hit', retryAfter: '30' });
    const now = new Date();
    expect(await wa.deliver(reply.id, now)).toMatchObject({ outcome: 'retry', delayMs: 30_000 });
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('queued');
    expect(m.deliveryReason).toMatch(/rate limiting.*130429/);
    expect(m.deliveryDueAt!.getTime()).toBe(now.getTime() + 30_000);
    expect((await wa.deliver(reply.id, new Date(now.getTime() + 31_000))).outcome).toBe('sent');
    expect(wa.graph.sent).toHaveLength(1);
  });

  it.each([
    [400, 4, 'Application request limit reached'],
    [400, 80007, 'Rate limit issues'],
    [400, 130429, 'Rate limit hit'],
    [400, 131048, 'Spam rate limit hit'],
    [400, 131056, '(Business Account, Consumer Account) pair rate limit hit'],
    [500, 131000, 'Something went wrong'],
    [503, 2, 'Service temporarily unavailable'],
  ])('HTTP %i code %i (%s) goes back to the queue with backoff', async (status, code, title) => {
    const reply = await queuedReply();
    wa.graph.failNextSend({ status, code, title });
    const r = await wa.deliver(reply.id);
    expect(r).toMatchObject({ outcome: 'retry', attempt: 1 });
    expect((await load(reply.id)).deliveryState).toBe('queued');
    expect(wa.graph.sent).toEqual([]);
  });

  it('a connection refused before the request left is retried', async () => {
    // A port nothing listens on: the connection is refused before a byte is sent.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const deadUrl = `http://127.0.0.1:${port}/v23.0`;
    wa.server.use(http.post(`${deadUrl}/*`, () => passthrough()));
    const channel = createWhatsAppChannel({
      apiUrl: deadUrl,
      appSecret: APP_SECRET,
      accessToken: GRAPH_TOKEN,
      storage: wa.storage,
    });
    const reply = await queuedReply();
    const r = await deliverMessage({ em: db.em(), channels: new Map([['whatsapp', channel]]) }, reply.id);
    expect(r).toMatchObject({
      outcome: 'retry',
      reason: expect.stringMatching(/Could not reach the WhatsApp API.*ECONNREFUSED/),
    });
  });
});

describe('a timeout after Meta took the message (the ambiguous window)', () => {
  it('leaves it sending, never sends a second copy, and Meta’s status carrying our id settles it', async () => {
    const channel = createWhatsAppChannel({
      apiUrl: GRAPH_URL,
      appSecret: APP_SECRET,
      accessToken: GRAPH_TOKEN,
      storage: wa.storage,
      timeoutMs: 200,
    });
    const channels = new Map([['whatsapp', channel]]);
    const reply = await queuedReply('Did this arrive?');
    wa.graph.acceptLateNextSend();
    const r = await deliverMessage({ em: db.em(), channels }, reply.id);
    expect(r).toMatchObject({ outcome: 'unknown', reason: expect.stringMatching(/may have gone out/) });
    expect((await load(reply.id)).deliveryState).toBe('sending');
    // Another wake-up does not send it again.
    expect((await deliverMessage({ em: db.em(), channels }, reply.id)).outcome).toBe('skipped');
    expect(wa.graph.received).toHaveLength(1);

    const wamid = wa.graph.sent[0]!.wamid;
    expect((await wa.post(status(wamid, 'delivered', { callback: reply.id }))).status).toBe(200);
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('delivered');
    expect(m.providerMessageId).toBe(wamid);
    expect(wa.graph.received).toHaveLength(1);
  });

  it('with no status before the lease runs out it fails visibly; a late status carrying our id still corrects it', async () => {
    const channel = createWhatsAppChannel({
      apiUrl: GRAPH_URL,
      appSecret: APP_SECRET,
      accessToken: GRAPH_TOKEN,
      storage: wa.storage,
      timeoutMs: 200,
    });
    const channels = new Map([['whatsapp', channel]]);
    const reply = await queuedReply('Lost answer');
    wa.graph.acceptLateNextSend();
    expect((await deliverMessage({ em: db.em(), channels }, reply.id)).outcome).toBe('unknown');
    const afterLease = new Date(Date.now() + DELIVERY_LEASE_MS + 1000);
    await resolveInterruptedSend({ em: db.em(), channels, now: afterLease }, reply.id);
    let m = await load(reply.id);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toBe(UNKNOWN_OUTCOME_REASON);
    expect(wa.graph.received).toHaveLength(1);

    await wa.post(status(wa.graph.sent[0]!.wamid, 'read', { callback: reply.id }));
    m = await load(reply.id);
    expect(m.deliveryState).toBe('read');
    expect(wa.graph.received).toHaveLength(1);
  });
});
