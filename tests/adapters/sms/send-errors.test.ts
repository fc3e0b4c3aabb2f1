import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { HttpResponse, http, passthrough } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSmsChannel } from '../../../adapters/channels/sms/sms.channel.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { DELIVERY_LEASE_MS, deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { resolveInterruptedSend } from '../../../src/use-cases/resolve-interrupted-send.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { ACCOUNT_SID, AUTH_TOKEN, TWILIO_URL } from '../../support/fakes/twilio.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { PUBLIC_URL, smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** The SMS channel with a short time limit per Twilio call, or another API address. */
const channelWith = (opts: { timeoutMs?: number; apiUrl?: string }) =>
  createSmsChannel({
    client: {
      apiUrl: opts.apiUrl ?? TWILIO_URL,
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      timeoutMs: opts.timeoutMs ?? 5_000,
    },
    publicUrl: PUBLIC_URL,
    storage: h.storage,
  });
/** A local port nothing listens on: connecting to it is refused at once. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
const deliverWith = (channel: ReturnType<typeof channelWith>, messageId: string, now?: Date) =>
  deliverMessage(
    { em: db.em(), channels: new Map([['sms', channel]]), ...(now ? { now: () => now } : {}) },
    messageId,
  );

describe('permanent Twilio errors fail the reply at once, with Twilio’s reason', () => {
  it.each([
    [400, 21211, "The 'To' number +1555 is not a valid phone number.", /not a valid phone number/],
    [400, 21614, "'To' number is not a valid mobile number", /not a mobile number/],
    [
      400,
      21408,
      "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
      /Geo Permissions/,
    ],
    [
      400,
      21606,
      "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.",
      /cannot send SMS to this destination/,
    ],
    [
      400,
      21659,
      "'From' is not a Twilio phone number or Short Code country mismatch",
      /not a Twilio number of this account/,
    ],
    [401, 20003, 'Authenticate', /TWILIO_AUTH_TOKEN/],
    [400, 21610, 'Attempt to send to unsubscribed recipient', /replied STOP/],
  ])('HTTP %i, Twilio error %i', async (status, code, message, advice) => {
    const { messageId } = await h.queuedReply(ws, 'Hello from support');
    h.twilio.failNextSend({ status, code, message });
    const r = await h.deliver(messageId);
    expect(r.outcome).toBe('failed');
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toMatch(advice);
    expect(m.deliveryReason).toContain(`Twilio error ${code}: ${message}`);
    expect(h.twilio.messages).toHaveLength(0);
  });
});

describe('an unsubscribed recipient', () => {
  it('R7: Twilio 21610 records the opt-out, so the next reply is refused before Twilio is called', async () => {
    const { conversationId, messageId } = await h.queuedReply(ws, 'First try');
    h.twilio.failNextSend({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    expect((await h.deliver(messageId)).outcome).toBe('failed');
    await expect(
      sendReply({ em: db.em() }, userActor(ws.alice.id), { conversationId, text: 'Second try' }),
    ).rejects.toMatchObject({ code: 'channel_refused', details: { rule: 'R7' } });
    expect(h.twilio.messages).toHaveLength(0);
  });
});

describe('transient Twilio errors are retried later', () => {
  it('429 (20429) waits for Retry-After, then sends once', async () => {
    const { messageId } = await h.queuedReply(ws, 'Rate limited reply');
    h.twilio.failNextSend({ status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '30' });
    const now = new Date();
    expect(await h.deliver(messageId, now)).toMatchObject({ outcome: 'retry', delayMs: 30_000 });
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('queued');
    expect(m.deliveryReason).toMatch(/rate limiting/);
    expect((await h.deliver(messageId, new Date(now.getTime() + 10_000))).outcome).toBe('skipped');
    expect((await h.deliver(messageId, new Date(now.getTime() + 31_000))).outcome).toBe('sent');
    expect(h.twilio.messages.map((x) => x.body)).toEqual(['Rate limited reply']);
  });

  it.each([500, 503])('HTTP %i is retried with backoff', async (status) => {
    const { messageId } = await h.queuedReply(ws, `after a ${status}`);
    h.twilio.failNextSend({ status, message: 'Service Unavailable' });
    const r = await h.deliver(messageId);
    expect(r).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/passing fault/) });
    expect((await h.load(messageId)).deliveryState).toBe('queued');
  });

  it('a connection refused before anything was sent is retried', async () => {
    const port = await closedPort();
    h.server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
    const { messageId } = await h.queuedReply(ws, 'no route');
    const r = await deliverWith(channelWith({ apiUrl: `http://127.0.0.1:${port}` }), messageId);
    expect(r).toMatchObject({
      outcome: 'retry',
      reason: expect.stringMatching(/Could not reach the Twilio API: ECONNREFUSED/),
    });
  });
});

describe('a send whose outcome is unknown is never sent twice', () => {
  const afterLease = () => new Date(Date.now() + DELIVERY_LEASE_MS + 1_000);

  it('a timeout after Twilio took the message leaves it sending; lookupSent then records it as sent, no second SMS', async () => {
    const { messageId } = await h.queuedReply(ws, 'Only once please');
    h.twilio.acceptLateNextSend(1_500);
    const r = await deliverWith(channelWith({ timeoutMs: 200 }), messageId);
    expect(r).toMatchObject({ outcome: 'unknown', reason: expect.stringMatching(/may have gone out/) });
    expect((await h.load(messageId)).deliveryState).toBe('sending');

    const settled = await resolveInterruptedSend(
      { em: db.em(), channels: h.channels, now: afterLease() },
      messageId,
    );
    expect(settled.requeued).toBe(false);
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('sent');
    expect(m.providerMessageId).toBe(h.twilio.messages[0]!.sid);
    expect(h.twilio.requests).toHaveLength(1);
    expect(h.twilio.messages).toHaveLength(1);
  });

  it('a reply with a location is recognised from its text alone', async () => {
    const location = { id: randomUUID(), kind: 'location', latitude: -33.8568, longitude: 151.2153 };
    const { messageId } = await h.queuedReply(ws, 'Meet us here', { attachments: [location] });
    h.twilio.acceptLateNextSend(1_500);
    expect((await deliverWith(channelWith({ timeoutMs: 200 }), messageId)).outcome).toBe('unknown');
    const settled = await resolveInterruptedSend(
      { em: db.em(), channels: h.channels, now: afterLease() },
      messageId,
    );
    expect(settled.requeued).toBe(false);
    expect((await h.load(messageId)).deliveryState).toBe('sent');
    expect(h.twilio.requests).toHaveLength(1);
  });

  it('a dropped connection where Twilio did not get the message is sent again, once', async () => {
    const { messageId } = await h.queuedReply(ws, 'Lost on the way');
    h.twilio.dropNextSend();
    expect((await h.deliver(messageId)).outcome).toBe('unknown');
    const settled = await resolveInterruptedSend(
      { em: db.em(), channels: h.channels, now: afterLease() },
      messageId,
    );
    expect(settled.requeued).toBe(true);
    expect((await h.deliver(messageId, afterLease())).outcome).toBe('sent');
    expect(h.twilio.messages.map((x) => x.body)).toEqual(['Lost on the way']);
  });

  it("Twilio's status callback carrying our id settles it even before the reconciler", async () => {
    const { messageId } = await h.queuedReply(ws, 'Settled by callback');
    h.twilio.acceptLateNextSend(1_500);
    expect((await deliverWith(channelWith({ timeoutMs: 200 }), messageId)).outcome).toBe('unknown');
    const sid = h.twilio.messages[0]!.sid;
    const res = await h.postStatus({ MessageSid: sid, MessageStatus: 'sent' }, `?mid=${messageId}`);
    expect(res.status).toBe(204);
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('sent');
    expect(m.providerMessageId).toBe(sid);
    // Later callbacks find it by its sid alone.
    await h.postStatus({ MessageSid: sid, MessageStatus: 'delivered' });
    expect((await h.load(messageId)).deliveryState).toBe('delivered');
  });

  it('lookupSent does not take an older identical text to another customer, or one from another number', async () => {
    const channel = channelWith({});
    const first = await h.queuedReply(ws, 'Same words');
    expect((await h.deliver(first.messageId)).outcome).toBe('sent');
    const found = await channel.lookupSent!({
      messageId: first.messageId,
      endpoint: { address: '+15550001111', settings: {} },
      to: { address: '+15550000000' },
      text: 'Same words',
    });
    expect(found).toBeNull();
    const other = await channel.lookupSent!({
      messageId: first.messageId,
      endpoint: { address: '+15550009999', settings: {} },
      to: { address: first.from },
      text: 'Same words',
    });
    expect(other).toBeNull();
  });

  it('a Twilio error while looking is thrown, so the reconciler asks again later instead of guessing', async () => {
    h.server.use(
      http.get(`${TWILIO_URL}/2010-04-01/Accounts/:sid/Messages.json`, () =>
        HttpResponse.json({ code: 20500, message: 'Internal Server Error', status: 500 }, { status: 500 }),
      ),
    );
    const channel = channelWith({});
    await expect(
      channel.lookupSent!({
        messageId: 'x',
        endpoint: { address: '+1', settings: {} },
        to: { address: '+2' },
        text: 'a',
      }),
    ).rejects.toThrow(/Internal Server Error/);
  });
});
