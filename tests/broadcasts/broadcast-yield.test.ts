import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Broadcast, BroadcastRecipient } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { othersWaitingFor } from '../../src/jobs/broadcast-yield.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { createBroadcast } from '../../src/use-cases/create-broadcast.ts';
import { BROADCAST_YIELD_MS, sendBroadcastBatch } from '../../src/use-cases/send-broadcast-batch.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';
import { ctxAt } from '../use-cases/messages/support.ts';

/**
 * R8: a broadcast never makes ordinary traffic wait. While customers' messages and replies are
 * queued for the workers, a batch steps aside: it sends nothing, and its next turn comes shortly.
 */
const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

async function pendingBroadcast() {
  const tag = `promo-${randomUUID().slice(0, 8)}`;
  for (let i = 0; i < 3; i++) await seedContact(db.em(), ws.account, { name: `Promo ${i}`, tags: [tag] });
  const res = await createBroadcast(ctxAt(db), userActor(ws.bob.id), {
    groupId: ws.group.id,
    endpointId: ws.sms.id,
    text: 'Spring sale',
    target: { tag },
  });
  return res.broadcastId;
}

describe('a broadcast steps aside for ordinary traffic', () => {
  it('R8: with customers’ work queued, the batch sends nothing and is due again shortly; then it sends', async () => {
    const id = await pendingBroadcast();
    let busy = true;
    const yielded = await sendBroadcastBatch({ em: db.em(), othersWaiting: async () => busy }, id);
    expect(yielded).toMatchObject({ outcome: 'yielded', nextInMs: BROADCAST_YIELD_MS });
    const pending = () => db.em().count(BroadcastRecipient, { broadcast: id, state: 'pending' });
    expect(await pending()).toBe(3);
    const due = (await db.em().findOneOrFail(Broadcast, id)).nextBatchDueAt!.getTime();
    expect(due).toBeGreaterThan(Date.now());

    busy = false;
    const sent = await sendBroadcastBatch({ em: db.em(), othersWaiting: async () => busy }, id);
    // SMS: one recipient a batch at 80 % of one message a second.
    expect(sent).toMatchObject({ outcome: 'sent', sent: 1 });
    expect(await pending()).toBe(2);
  });

  it('R8: ordinary jobs waiting (not a broadcast’s own prioritized ones, up to a bound) are what makes it step aside', async () => {
    const othersWaiting = othersWaitingFor(redis.queues);
    expect(await othersWaiting()).toBe(false);
    // A broadcast's own deferred deliveries, below the bound: it goes on.
    for (let i = 0; i < 20; i++)
      await enqueue(redis.queues, 'deliver', { messageId: randomUUID(), attempt: 0 }, { priority: 100 });
    expect(await othersWaiting()).toBe(false);
    // Customers' messages waiting to be mirrored: it steps aside.
    for (let i = 0; i < 11; i++)
      await enqueue(redis.queues, 'mirror', { conversationId: randomUUID(), rev: `${i}` });
    expect(await othersWaiting()).toBe(true);
  });
});
