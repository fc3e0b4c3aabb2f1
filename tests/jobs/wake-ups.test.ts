import { type Job, Worker } from 'bullmq';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Conversation } from '../../src/db/entities/index.ts';
import { createDispatcher } from '../../src/jobs/dispatch.ts';
import { appendMessage } from '../../src/use-cases/timeline.ts';
import { mirrorProcessor } from '../../workers/mirror.worker.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
const mirrorQueue = () => redis.queues.byName.get('mirror')!;
const mirrorJobs = async (state: 'delayed' | 'waiting', conversationId: string) =>
  (await mirrorQueue().getJobs([state])).filter((j) => j.data.conversationId === conversationId);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});
// The clock stands still in these tests, so no run lands on either side of a slot's edge by chance.
const stopClock = () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T12:00:00.100Z'));
};
afterEach(() => {
  vi.useRealTimers();
});

describe('wake-ups after a change', () => {
  it('runs of one conversation that must come back later leave one delayed run, not one each', async () => {
    // Found by the benchmarks: while a header's count was paced, every new message's run queued
    // its own later run, and each of those queued another — five times the work per message.
    stopClock();
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const run = mirrorProcessor({ surfaces, queues: redis.queues });
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'Hello');
    await run({ conversationId: conv.id, rev: 'first' }, { em: db.em(), job: {} as Job });

    for (let i = 0; i < 5; i++) {
      await db.em().transactional(async (tx) => {
        const c = await tx.findOneOrFail(Conversation, conv.id);
        await appendMessage(tx, c, {
          kind: 'inbound',
          text: `more ${i}`,
          channel: 'whatsapp',
          now: new Date(),
        });
      });
      expect(await run({ conversationId: conv.id, rev: `m${i}` }, { em: db.em(), job: {} as Job })).toBe(
        'retry',
      );
    }
    // Every message is in the thread at once; only the header's unreplied count waits.
    expect(fake.threads[0]!.items.map((item) => item.text)).toContain('more 4');
    const later = await mirrorJobs('delayed', conv.id);
    expect(later).toHaveLength(1);
    // ...and it comes back when the pause is over, so the count does not stay stale.
    expect(later[0]!.opts.delay).toBeLessThanOrEqual(5_500);
  });

  it("a customer's message wakes its mirror at once; a reply's delivery states share one run a moment later", async () => {
    stopClock();
    const dispatch = createDispatcher(redis.queues, { surfaces: true });
    const { conv, reply } = await conversationWithQueuedReply(db.em(), ws, 'On its way');
    const ids = { conversationId: conv.id, groupId: ws.group.id, messageId: reply.id };
    await dispatch([{ type: 'message.created', kind: 'reply', ...ids }]);
    await dispatch([{ type: 'message.delivery_changed', state: 'sent', ...ids }]);
    expect(await mirrorJobs('waiting', conv.id)).toHaveLength(0);
    expect(await mirrorJobs('delayed', conv.id)).toHaveLength(1);

    await dispatch([{ type: 'message.created', kind: 'inbound', ...ids }]);
    expect(await mirrorJobs('waiting', conv.id)).toHaveLength(1);
  });

  it("a busy group's messages wake its dashboards once per bucket, and again in the next one", async () => {
    stopClock();
    const dispatch = createDispatcher(redis.queues, { surfaces: true });
    const { conv, reply } = await conversationWithQueuedReply(db.em(), ws, 'Busy');
    const created = {
      type: 'message.created' as const,
      kind: 'inbound' as const,
      conversationId: conv.id,
      groupId: ws.otherGroup.id,
      messageId: reply.id,
    };
    const homeJobs = async () =>
      (await redis.queues.byName.get('home')!.getJobs(['delayed'])).filter(
        (j) => j.data.groupId === ws.otherGroup.id,
      );
    for (let i = 0; i < 5; i++) await dispatch([created]);
    expect(await homeJobs()).toHaveLength(1);
    vi.setSystemTime(Date.now() + 2_000);
    await dispatch([created]);
    expect(await homeJobs()).toHaveLength(2);
  });

  it('later runs of many groups and conversations woken at one instant fall due spread over their window, not as one burst', async () => {
    // Found by the benchmarks: every group's dashboard redraw started within 200 ms of each
    // 2-second boundary, and a customer's message arriving then waited behind fifty of them.
    stopClock();
    const dispatch = createDispatcher(redis.queues, { surfaces: true });
    const idOf = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const groupIds = Array.from({ length: 20 }, (_, i) => idOf('5eed0000', i));
    const conversationIds = Array.from({ length: 20 }, (_, i) => idOf('c0ffee00', i));
    await dispatch(
      groupIds.map((groupId, i) => ({
        type: 'message.delivery_changed' as const,
        state: 'sent' as const,
        conversationId: conversationIds[i]!,
        groupId,
        messageId: idOf('0e55a9e0', i),
      })),
    );
    const homes = (await redis.queues.byName.get('home')!.getJobs(['delayed'])).filter((j) =>
      groupIds.includes(j.data.groupId),
    );
    const mirrors = (await mirrorQueue().getJobs(['delayed'])).filter((j) =>
      conversationIds.includes(j.data.conversationId),
    );
    const delays = (jobs: Job[]) => jobs.map((j) => j.opts.delay!).sort((a, b) => a - b);
    const spread = (d: number[]) => d[d.length - 1]! - d[0]!;
    // One dashboard redraw per group, each within its 2-second window, at many different times.
    expect(homes).toHaveLength(20);
    expect(delays(homes).every((d) => d > 0 && d <= 2_000)).toBe(true);
    expect(spread(delays(homes))).toBeGreaterThan(1_000);
    // One delivery-state run per conversation, each at least 300 ms later and within one 250 ms slot of it.
    expect(mirrors).toHaveLength(20);
    expect(delays(mirrors).every((d) => d > 300 && d <= 550)).toBe(true);
    expect(spread(delays(mirrors))).toBeGreaterThan(125);
  });

  it('R8: a broadcast batch’s deliveries and thread posts wait behind ordinary traffic', async () => {
    const dispatch = createDispatcher(redis.queues, { surfaces: true });
    const deliverQueue = redis.queues.byName.get('deliver')!;
    await mirrorQueue().drain(true);
    await deliverQueue.drain(true);
    const promo = await conversationWithQueuedReply(db.em(), ws, 'Spring sale');
    const hello = await conversationWithQueuedReply(db.em(), ws, 'Hello');
    const group = { groupId: ws.group.id };
    await dispatch(
      [
        { type: 'conversation.opened', conversationId: promo.conv.id, ...group },
        {
          type: 'message.created',
          kind: 'reply',
          conversationId: promo.conv.id,
          messageId: promo.reply.id,
          ...group,
        },
      ],
      { background: true },
    );
    await dispatch([
      {
        type: 'message.created',
        kind: 'inbound',
        conversationId: hello.conv.id,
        messageId: hello.reply.id,
        ...group,
      },
    ]);
    expect((await deliverQueue.getJobs(['prioritized'])).map((j) => j.data.messageId)).toEqual([
      promo.reply.id,
    ]);

    // One worker lane: the customer's conversation is mirrored first, the broadcast's after it.
    const order: string[] = [];
    const worker = new Worker(
      'mirror',
      async (job) => {
        order.push(job.data.conversationId);
      },
      { connection: redis.workerConnection, prefix: redis.prefix, concurrency: 1 },
    );
    await vi.waitFor(() => expect(order).toHaveLength(2), { timeout: 5_000 });
    await worker.close();
    expect(order).toEqual([hello.conv.id, promo.conv.id]);
  });

  it('messages dispatched together (a group commit answering its requests) reach Redis as one pipeline per queue, every job there', async () => {
    const dispatch = createDispatcher(redis.queues, { surfaces: true, aiBurstWindowMs: 0 });
    const convs = await Promise.all(
      [1, 2, 3].map((i) => conversationWithQueuedReply(db.em(), ws, `Hi ${i}`)),
    );
    const bulk = vi.spyOn(redis.queues.byName.get('ai-reply')!, 'addBulk');
    const single = vi.spyOn(redis.queues.byName.get('ai-reply')!, 'add');
    const group = { groupId: ws.group.id };
    // Three requests' dispatches in the same turn, as their batch's answer wakes them together.
    await Promise.all(
      convs.map(({ conv, reply }) =>
        dispatch([
          {
            type: 'message.created',
            kind: 'inbound',
            conversationId: conv.id,
            messageId: reply.id,
            aiAnswers: true,
            ...group,
          },
        ]),
      ),
    );
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(single).not.toHaveBeenCalled();
    const queued = await redis.queues.byName.get('ai-reply')!.getJobs(['waiting', 'delayed']);
    expect(queued.map((j) => j.data.conversationId).sort()).toEqual(convs.map((c) => c.conv.id).sort());
    bulk.mockRestore();
    single.mockRestore();
  });
});
