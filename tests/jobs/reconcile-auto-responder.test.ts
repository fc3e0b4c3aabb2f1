import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Conversation, Group, Message } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { reconcileAutoResponder } from '../../src/jobs/reconcile-auto-responder.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import { type RunningWorkers, startWorkers } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import { sendReply } from '../../src/use-cases/send-reply.ts';
import { autoRespondProcessor } from '../../workers/auto-respond.worker.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis, flushPrefix } from '../support/redis.ts';
import { settledQueues } from '../support/settled.ts';
import { createTestDb } from '../support/test-db.ts';
import { closeDirectly, ctxAt, customerWrites } from '../use-cases/messages/support.ts';

const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;
let workers: RunningWorkers;
const AWAY = 'We are closed; back tomorrow.';

const minutesBefore = (d: Date, minutes: number) => new Date(d.getTime() - minutes * 60_000);
const autoQueue = () => redis.queues.byName.get('auto-respond')!;
/** The autoRespond jobs waiting in Redis, as "conversationId messageId", sorted. */
async function queued(): Promise<string[]> {
  const jobs = await autoQueue().getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.map((j) => `${j.data.conversationId} ${j.data.messageId}`).sort();
}
const sweep = (now: Date) => reconcileAutoResponder({ em: db.em(), queues: redis.queues, now, batch: 100 });
const runReconciler = () =>
  reconcile({
    em: db.em(),
    queues: redis.queues,
    channels: new Map(),
    surfaces: false,
    dispatch: async () => {},
  });

/** The message becomes one that waits for nothing (a 👍 on a reply). */
const asReaction = (id: string) => db.em().nativeUpdate(Message, { id }, { awaitingReply: false });

/** A new contact writes on WhatsApp at `at`; `write` writes again from the same number. */
async function customer(at: Date, endpointAddress?: string) {
  const { phone } = await seedContact(db.em(), ws.account);
  const write = (when: Date) => customerWrites(db, { from: phone, endpointAddress, at: when });
  return { ...(await write(at)), write };
}

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  // Support is always closed (no hours): every customer message is due an away message.
  await db
    .em()
    .nativeUpdate(
      Group,
      { id: ws.group.id },
      { autoResponder: { enabled: true, timeZone: 'Europe/Berlin', hours: {}, awayMessage: AWAY } },
    );
  workers = startWorkers({
    connection: redis.workerConnection,
    prefix: redis.prefix,
    orm: db.orm,
    concurrency: 2,
    poolMax: 5,
    logger: createLogger('silent'),
    processors: { autoRespond: autoRespondProcessor({ dispatch: async () => {} }) },
  });
});
afterAll(async () => {
  await workers.close();
});

describe('reconcile auto responder (R37)', () => {
  it('R37: wakes the auto responder for recent customer messages it has not looked at, and for nothing else', async () => {
    await workers.workers[0]!.pause();
    const now = new Date('2026-03-02T20:00:00Z');
    const due = await customer(minutesBefore(now, 5));
    // The customer wrote twice: the job names the latest waiting message.
    const twice = await customer(minutesBefore(now, 50));
    const twiceLatest = await twice.write(minutesBefore(now, 10));
    const lookedBefore = await customer(minutesBefore(now, 20));
    await db
      .em()
      .nativeUpdate(
        Conversation,
        { id: lookedBefore.conversationId },
        { autoCheckedAt: minutesBefore(now, 30) },
      );

    // Not due: written more than an hour ago; already looked at; no auto responder (Sales);
    // answered by a person; closed; a message that waits for nothing (a reaction), alone or after one looked at.
    await customer(minutesBefore(now, 61));
    const looked = await customer(minutesBefore(now, 20));
    await db
      .em()
      .nativeUpdate(Conversation, { id: looked.conversationId }, { autoCheckedAt: minutesBefore(now, 19) });
    await customer(minutesBefore(now, 5), 'PNID_SALES');
    const replied = await customer(minutesBefore(now, 5));
    await sendReply(ctxAt(db, minutesBefore(now, 4)), userActor(ws.alice.id), {
      conversationId: replied.conversationId,
      text: 'Answered already',
    });
    const closed = await customer(minutesBefore(now, 5));
    await closeDirectly(db, closed.conversationId);
    const reaction = await customer(minutesBefore(now, 5));
    await asReaction(reaction.messageId);
    await db.em().nativeUpdate(Conversation, { id: reaction.conversationId }, { unrepliedCount: 0 });
    // Looked at, then a reaction: the message waiting is one the auto responder has seen.
    const lookedThenReaction = await customer(minutesBefore(now, 20));
    await db
      .em()
      .nativeUpdate(
        Conversation,
        { id: lookedThenReaction.conversationId },
        { autoCheckedAt: minutesBefore(now, 19) },
      );
    await asReaction((await lookedThenReaction.write(minutesBefore(now, 5))).messageId);

    expect(await sweep(now)).toBe(3);
    expect(await queued()).toEqual(
      [
        `${due.conversationId} ${due.messageId}`,
        `${twice.conversationId} ${twiceLatest.messageId}`,
        `${lookedBefore.conversationId} ${lookedBefore.messageId}`,
      ].sort(),
    );
    // Sweeping again wakes the same jobs: their ids collapse in Redis.
    expect(await sweep(now)).toBe(3);
    expect(await queued()).toHaveLength(3);
    // These conversations are in the past; they are not for the worker of the next test.
    await autoQueue().drain(true);
    workers.workers[0]!.resume();
  });

  it('R37: a wake-up Redis lost is found by the reconciler and the away message is sent once', async () => {
    await workers.workers[0]!.pause();
    const msg = await customer(new Date(Date.now() - 60_000));
    await enqueue(redis.queues, 'autoRespond', {
      conversationId: msg.conversationId,
      messageId: msg.messageId,
    });
    // Redis restarts without persistence: the job is gone.
    expect(await flushPrefix(redis.producer, redis.prefix)).toBeGreaterThan(0);
    workers.workers[0]!.resume();

    const report = await runReconciler();
    expect(report.autoResponses).toBe(1);
    const autoOf = () => db.em().find(Message, { conversation: msg.conversationId, kind: 'auto_response' });
    await vi.waitFor(async () => expect(await autoOf()).toHaveLength(1), { timeout: 10_000 });
    // (No deliver worker here: the away message stays queued for it.)
    await settledQueues(redis.queues, { reconcile: runReconciler, only: ['auto-respond'] });
    expect((await runReconciler()).autoResponses).toBe(0);
    const [auto] = await autoOf();
    expect([auto!.text, auto!.deliveryState, auto!.meta]).toEqual([AWAY, 'queued', { auto: 'away' }]);
  });
});
