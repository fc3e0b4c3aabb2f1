import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ContactIdentity, Message } from '../../src/db/entities/index.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import { DELIVERY_LEASE_MS, deliverMessage } from '../../src/use-cases/deliver-message.ts';
import { UNKNOWN_OUTCOME_REASON } from '../../src/use-cases/resolve-interrupted-send.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import {
  PermanentSendError,
  recordingChannel,
  TransientSendError,
  UnknownOutcomeError,
} from '../support/fake-channel.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});
const load = (id: string) => db.em().findOneOrFail(Message, id);

describe('deliver', () => {
  it('sends a queued reply once and records the provider id', async () => {
    const wa = recordingChannel();
    const { reply, contact } = await conversationWithQueuedReply(db.em(), ws);
    const r = await deliverMessage({ em: db.em(), channels: new Map([['whatsapp', wa.channel]]) }, reply.id);
    expect(r.outcome).toBe('sent');
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('sent');
    expect(m.providerMessageId).toBe(`whatsapp.${reply.id}`);
    expect(wa.sent).toHaveLength(1);
    expect(wa.sent[0]!.endpoint.address).toBe('PNID_SUPPORT');
    const identity = await db.em().findOneOrFail(ContactIdentity, { contact, channel: 'whatsapp' });
    expect(wa.sent[0]!.to.address).toBe(identity.address);
  });

  it('two workers woken for the same message send it once', async () => {
    const wa = recordingChannel();
    wa.onNextSend(() => new Promise((r) => setTimeout(r, 50)));
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const channels = new Map([['whatsapp', wa.channel]]);
    const outcomes = await Promise.all([
      deliverMessage({ em: db.em(), channels }, reply.id),
      deliverMessage({ em: db.em(), channels }, reply.id),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['sent', 'skipped']);
    expect(wa.sent).toHaveLength(1);
  });

  it('a transient failure goes back to the queue, due after Retry-After, with the reason kept', async () => {
    const wa = recordingChannel();
    wa.onNextSend(async () => {
      throw new TransientSendError('rate limited by provider', 30_000);
    });
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const now = new Date();
    const r = await deliverMessage(
      { em: db.em(), channels: new Map([['whatsapp', wa.channel]]), now: () => now },
      reply.id,
    );
    expect(r).toMatchObject({ outcome: 'retry', delayMs: 30_000 });
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('queued');
    expect(m.deliveryReason).toBe('rate limited by provider');
    expect(m.deliveryDueAt!.getTime()).toBe(now.getTime() + 30_000);
    // Not due yet: a second wake-up does nothing; once due, it is sent.
    expect(
      (
        await deliverMessage(
          { em: db.em(), channels: new Map([['whatsapp', wa.channel]]), now: () => now },
          reply.id,
        )
      ).outcome,
    ).toBe('skipped');
    const later = new Date(now.getTime() + 31_000);
    expect(
      (
        await deliverMessage(
          { em: db.em(), channels: new Map([['whatsapp', wa.channel]]), now: () => later },
          reply.id,
        )
      ).outcome,
    ).toBe('sent');
    expect(wa.sent).toHaveLength(1);
  });

  it('a permanent failure fails at once with the provider reason', async () => {
    const wa = recordingChannel();
    wa.onNextSend(async () => {
      throw new PermanentSendError('Recipient phone number not on WhatsApp');
    });
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const r = await deliverMessage({ em: db.em(), channels: new Map([['whatsapp', wa.channel]]) }, reply.id);
    expect(r.outcome).toBe('failed');
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toBe('Recipient phone number not on WhatsApp');
  });

  it('a message for a channel this server has not configured fails with a reason instead of waiting forever', async () => {
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const r = await deliverMessage({ em: db.em(), channels: new Map() }, reply.id);
    expect(r).toMatchObject({ outcome: 'failed' });
    expect((await load(reply.id)).deliveryReason).toMatch(/whatsapp channel is not configured/);
  });
});

describe('deliver: checks at the last moment', () => {
  it('R7: a reply queued inside the WhatsApp window that leaves it before sending fails with the reason, and the provider is not called', async () => {
    const wa = recordingChannel();
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const dayLater = new Date(Date.now() + 25 * 3600_000);
    const r = await deliverMessage(
      { em: db.em(), channels: new Map([['whatsapp', wa.channel]]), now: () => dayLater },
      reply.id,
    );
    expect(r.outcome).toBe('failed');
    expect((await load(reply.id)).deliveryReason).toMatch(/24 hours/);
    expect(wa.sent).toHaveLength(0);
  });

  it('an endpoint over its send rate delays the message without using up an attempt', async () => {
    const wa = recordingChannel();
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const sendRate = async () => 750;
    const r = await deliverMessage(
      { em: db.em(), channels: new Map([['whatsapp', wa.channel]]), sendRate },
      reply.id,
    );
    expect(r).toMatchObject({ outcome: 'throttled', delayMs: 750 });
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('queued');
    expect(m.deliveryAttempts).toBe(0);
    expect(wa.sent).toHaveLength(0);
  });

  it('a timeout after the request went out is never re-sent: the message waits for a status or the reconciler', async () => {
    const wa = recordingChannel();
    wa.onNextSend(async () => {
      throw new UnknownOutcomeError('timed out after 10 s waiting for the provider');
    });
    const { reply } = await conversationWithQueuedReply(db.em(), ws);
    const channels = new Map([['whatsapp', wa.channel]]);
    const r = await deliverMessage({ em: db.em(), channels }, reply.id);
    expect(r.outcome).toBe('unknown');
    expect((await load(reply.id)).deliveryState).toBe('sending');
    // Another wake-up does not send it again.
    expect((await deliverMessage({ em: db.em(), channels }, reply.id)).outcome).toBe('skipped');
    expect(wa.sent).toHaveLength(0);
  });
});

describe('interrupted sends (worker stopped between the provider accepting and our commit)', () => {
  /**
   * The deliver step claims the reply and hands it to the provider, then its worker stops for good
   * (the send never returns).
   */
  const interrupt = async (text: string) => {
    const { reply } = await conversationWithQueuedReply(db.em(), ws, text);
    const stopping = recordingChannel();
    stopping.onNextSend(() => new Promise<void>(() => {}));
    void deliverMessage({ em: db.em(), channels: new Map([['whatsapp', stopping.channel]]) }, reply.id);
    await vi.waitFor(async () => expect((await load(reply.id)).deliveryState).toBe('sending'), {
      timeout: 5_000,
    });
    return reply;
  };
  /** The reconciler, once the interrupted send's lease has run out. */
  const run = (channels: Map<string, ReturnType<typeof recordingChannel>['channel']>) =>
    reconcile({
      em: db.em(),
      queues: redis.queues,
      channels,
      surfaces: false,
      dispatch: async () => {},
      now: () => new Date(Date.now() + DELIVERY_LEASE_MS + 1000),
    });

  it('when the provider has the message, it is recorded as sent and not sent again', async () => {
    const wa = recordingChannel();
    const reply = await interrupt('accepted-before-crash');
    wa.enableLookup(new Set([reply.id]));
    const report = await run(new Map([['whatsapp', wa.channel]]));
    // (Other interrupted sends of this file may be found in the same run.)
    expect(report.interrupted).toBeGreaterThanOrEqual(1);
    expect((await load(reply.id)).deliveryState).toBe('sent');
    expect(wa.sent).toHaveLength(0);
  });

  it('when the provider does not have it, it is queued again', async () => {
    const wa = recordingChannel();
    const reply = await interrupt('never-reached-provider');
    wa.enableLookup(new Set());
    await run(new Map([['whatsapp', wa.channel]]));
    expect((await load(reply.id)).deliveryState).toBe('queued');
  });

  it('when the channel cannot tell, it fails visibly rather than risk a second copy', async () => {
    const wa = recordingChannel();
    const reply = await interrupt('unknown-outcome');
    await run(new Map([['whatsapp', wa.channel]]));
    const m = await load(reply.id);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toBe(UNKNOWN_OUTCOME_REASON);
    expect(wa.sent).toHaveLength(0);
  });
});
