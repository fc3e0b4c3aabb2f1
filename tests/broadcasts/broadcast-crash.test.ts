import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/cli/main-commands.ts';
import {
  Broadcast,
  BroadcastRecipient,
  ChannelEndpoint,
  Message,
  User,
} from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { reconcileBroadcasts } from '../../src/jobs/reconcile-broadcasts.ts';
import { startWorkers } from '../../src/jobs/worker.ts';
import { createBroadcast } from '../../src/use-cases/create-broadcast.ts';
import { sendBroadcastBatch } from '../../src/use-cases/send-broadcast-batch.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { flushPrefix } from '../support/redis.ts';
import { expectLoggedErrors } from '../support/running-parley.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';
import { redisUrl } from '../support/test-env.ts';

/**
 * R8 chaos: the worker sending a broadcast dies after its first batch committed (before it could
 * wake the deliveries or the next batch), and Redis loses every job. The reconciler and a new
 * worker finish it from PostgreSQL: every recipient gets exactly one message.
 */
const db = await createTestDb();
const h = slackHarness(db, { sms: true, workers: false });
let ws: Workspace;
let stopWorker: (() => Promise<void>) | null = null;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
  // 10 SMS a second on this number: a broadcast takes 8 of them, so 8 recipients per batch.
  await db.em().nativeUpdate(ChannelEndpoint, { id: ws.sms.id }, { settings: { sendRatePerSecond: 10 } });
});
afterAll(async () => {
  await stopWorker?.();
});

describe('a broadcast whose worker dies half-way', () => {
  it('R8: every recipient gets exactly one message when the worker dies after a batch and Redis loses the jobs', {
    timeout: 120_000,
  }, async () => {
    const phones: string[] = [];
    for (let i = 0; i < 20; i++)
      phones.push((await seedContact(db.em(), ws.account, { name: `Member ${i}`, tags: ['members'] })).phone);
    const created = await createBroadcast(
      { ...h.services.context(), dispatch: h.services.dispatch },
      userActor(ws.bob.id),
      {
        groupId: ws.group.id,
        endpointId: ws.sms.id,
        text: 'Members’ evening on Friday',
        target: { tag: 'members' },
      },
    );
    expect(created).toMatchObject({ total: 20, queued: 20 });

    // The doomed worker: it commits one batch, then dies before waking anything (its events and
    // the next batch's wake-up are lost with it).
    expectLoggedErrors(/worker killed/);
    const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const doomed = startWorkers({
      connection,
      prefix: h.config.REDIS_PREFIX,
      orm: h.services.orm,
      concurrency: 1,
      poolMax: 4,
      logger: h.services.logger,
      processors: {
        broadcast: async ({ broadcastId }, { em }) => {
          await sendBroadcastBatch(
            {
              em,
              dispatch: async () => {
                throw new Error('worker killed');
              },
            },
            broadcastId,
          );
        },
      },
    });
    const pendingLeft = () =>
      db.em().count(BroadcastRecipient, { broadcast: created.broadcastId, state: 'pending' });
    await eventually(async () => (await pendingLeft()) === 12);
    await doomed.close();
    connection.disconnect();
    // Redis loses everything: the failed job and its retry, any wake-up.
    await flushPrefix(h.services.redis, h.config.REDIS_PREFIX);
    expect(await db.em().count(Message, { meta: { broadcastId: created.broadcastId } })).toBe(8);
    expect(h.twilio.messages).toHaveLength(0);

    // A new worker process starts; its reconciler finds the broadcast late (as it would 30 s on)
    // and the deliveries never woken. A stray duplicate wake-up changes nothing.
    stopWorker = startWorker(h.services);
    await reconcileBroadcasts({
      em: h.services.context().em,
      queues: h.services.queues,
      surfaces: true,
      now: new Date(Date.now() + 60_000),
      batch: 100,
    });
    await enqueue(h.services.queues, 'broadcast', { broadcastId: created.broadcastId, wake: 'duplicate' });

    await eventually(() => h.twilio.messages.length >= 20, 30_000);
    // Twenty new conversations open twenty threads in the group's Slack channel, paced by Slack.
    await settled(h.services, 60_000);
    expect(h.twilio.messages.map((m) => m.to).sort()).toEqual([...phones].sort());
    expect(await db.em().count(Message, { meta: { broadcastId: created.broadcastId } })).toBe(20);
    const broadcast = await db.em().findOneOrFail(Broadcast, created.broadcastId);
    expect(broadcast.state).toBe('finished');
    expect(await pendingLeft()).toBe(0);
  });
});
