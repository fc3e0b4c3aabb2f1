import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../../src/db/entities/index.ts';
import { createStatusGroupCommit } from '../../../src/http/webhooks/status-group-commit.ts';
import type { StatusFacts } from '../../../src/use-cases/update-deliveries-batch.ts';
import { updateDelivery } from '../../../src/use-cases/update-delivery.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, providerOf, recordedGroupCommit } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

function groupCommit() {
  const recorded = recordedGroupCommit(db);
  return { ...recorded, apply: createStatusGroupCommit(recorded.options) };
}

/** A reply sent on WhatsApp (Meta gave it an id), as a callback would find it. */
async function sentReply(meta: Record<string, unknown> = {}) {
  const { reply } = await conversationWithQueuedReply(db.em(), ws);
  const em = db.em();
  const msg = await em.findOneOrFail(Message, reply.id);
  Object.assign(msg, {
    provider: 'meta',
    providerMessageId: `wamid.${randomUUID()}`,
    deliveryState: 'sent',
    meta,
  });
  await em.flush();
  return msg;
}

const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, s));

describe('status callbacks applied together (group commit)', () => {
  it('R29: a burst of callbacks applied in one batch leaves every message, and answers every callback, as applying them one by one', async () => {
    const world = async () => [await sentReply(), await sentReply(), await sentReply()];
    const [batched, alone, blocker] = [await world(), await world(), await sentReply()];
    /** Out of order, repeated, a failure after delivery, a failure that later arrives after all. */
    const burst = (m: Message[]): StatusFacts[] =>
      (
        [
          [0, 'read', 3],
          [0, 'delivered', 2],
          [1, 'failed', 4, '131026: not a WhatsApp number'],
          [0, 'read', 3],
          [1, 'delivered', 5],
          [2, 'delivered', 6],
          [2, 'failed', 7, 'too late'],
        ] as const
      ).map(([i, state, s, reason]) => ({
        provider: 'meta',
        providerMessageId: m[i]!.providerMessageId!,
        state,
        at: at(s),
        ...(reason ? { reason } : {}),
      }));

    const gc = groupCommit();
    const first = gc.apply('whatsapp', {
      provider: 'meta',
      providerMessageId: blocker.providerMessageId!,
      state: 'delivered',
    });
    const together = await Promise.all(burst(batched).map((s) => gc.apply('whatsapp', s)));
    await first;
    expect(gc.batches).toEqual([1, 7]);
    expect(gc.failures).toEqual([]);
    const oneByOne = [];
    for (const s of burst(alone)) oneByOne.push(await updateDelivery(ctxAt(db), providerOf('whatsapp'), s));

    const named = (m: Message[]) => (id: string) => `#${m.findIndex((x) => x.id === id)}`;
    expect(
      together.map((r) => ({
        ...r!.result,
        messageId: named(batched)(r!.result.messageId),
        conversationId: 0,
      })),
    ).toEqual(
      oneByOne.map(({ events: _e, ...r }) => ({
        ...r,
        messageId: named(alone)(r.messageId),
        conversationId: 0,
      })),
    );
    expect(together.map((r) => r!.events.map((e) => e.type))).toEqual(
      oneByOne.map((r) => r.events.map((e) => e.type)),
    );
    const rows = async (m: Message[]) => {
      const em = db.em();
      const found = await em.find(Message, { id: { $in: m.map((x) => x.id) } });
      return m.map((x) => {
        const r = found.find((f) => f.id === x.id)!;
        return [
          r.deliveryState,
          r.deliveryReason,
          r.deliveryUpdatedAt?.toISOString() ?? null,
          r.deliveryDueAt,
        ];
      });
    };
    expect(await rows(batched)).toEqual(await rows(alone));
    expect(await rows(batched)).toEqual([
      ['read', null, at(3).toISOString(), null],
      ['delivered', null, at(5).toISOString(), null],
      ['delivered', null, at(6).toISOString(), null],
    ]);
  });

  it("callbacks the batch cannot place go to the full use-case: an unknown message, another channel's, one found only by the id we echoed", async () => {
    const gc = groupCommit();
    const known = await sentReply();
    const unsent = await conversationWithQueuedReply(db.em(), ws);
    const answers = await Promise.all([
      gc.apply('whatsapp', {
        provider: 'meta',
        providerMessageId: known.providerMessageId!,
        state: 'delivered',
      }),
      gc.apply('whatsapp', { provider: 'meta', providerMessageId: 'wamid.never-sent', state: 'read' }),
      gc.apply('sms', { provider: 'meta', providerMessageId: known.providerMessageId!, state: 'read' }),
      gc.apply('whatsapp', {
        provider: 'meta',
        providerMessageId: `wamid.${unsent.reply.id}`,
        state: 'sent',
      }),
    ]);
    expect(answers.map((a) => a?.result.state ?? null)).toEqual(['delivered', null, null, null]);
    expect((await db.em().findOneOrFail(Message, known.id)).deliveryState).toBe('delivered');
  });

  it("R8: a receipt for a broadcast's message moves its progress on, as when applied alone", async () => {
    const gc = groupCommit();
    const promo = await sentReply({ broadcastId: randomUUID() });
    const answer = await gc.apply('whatsapp', {
      provider: 'meta',
      providerMessageId: promo.providerMessageId!,
      state: 'read',
    });
    expect(answer?.events).toEqual([
      expect.objectContaining({ type: 'message.delivery_changed', messageId: promo.id, state: 'read' }),
      {
        type: 'broadcast.progress',
        broadcastId: promo.meta!.broadcastId,
        userId: ws.alice.id,
        finished: false,
      },
    ]);
  });
});
