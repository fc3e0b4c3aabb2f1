import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../src/db/entities/index.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { flushPrefix } from '../support/redis.ts';
import { allowLoggedErrors } from '../support/running-parley.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);

beforeAll(async () => {
  const ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

const CUSTOMERS = 4;
const PER_CUSTOMER = 5;

// Two waits of up to 30 s for the reconciler to find the lost work, then the queues settle twice.
describe('fault: Redis restarted without persistence under load (issue 5)', { timeout: 120_000 }, () => {
  it('every customer message reaches its Slack thread once and every reply reaches the customer once', async () => {
    // A job running when Redis loses its keys cannot be finished there: BullMQ reports a worker
    // error (its key, its lock or its place in the active list is gone).
    allowLoggedErrors(/Missing (key|lock) for job|is not in the active state/);
    const sends: (Response | Promise<Response>)[] = [];
    for (let n = 0; n < PER_CUSTOMER; n++) {
      for (let c = 0; c < CUSTOMERS; c++) {
        sends.push(
          h.whatsappWebhook(
            inbound({ waId: `1555070000${c}`, name: `Rita ${c}` }, 'text', { body: `lost-${c}-${n}` }),
          ),
        );
      }
      // Midway, Redis loses every queued job and every lock, pace and marker.
      if (n === 2) {
        await Promise.all(sends);
        await flushPrefix(h.services.redis, h.config.REDIS_PREFIX);
      }
    }
    for (const res of await Promise.all(sends)) expect(res.status).toBe(200);

    // The reconciler (every second here) finds the work PostgreSQL says is due.
    const tokens = Array.from(
      { length: CUSTOMERS * PER_CUSTOMER },
      (_, i) => `lost-${i % CUSTOMERS}-${Math.floor(i / CUSTOMERS)}`,
    );
    const shown = () => h.slack.posts.flatMap((p) => [...p.text.matchAll(/lost-\d-\d/g)].map((m) => m[0]));
    await eventually(() => tokens.every((t) => shown().includes(t)), 30_000);
    await settled(h.services);
    expect(shown().filter((t, i, all) => all.indexOf(t) !== i)).toEqual([]);

    // Alice answers each customer in their thread; Redis is lost again before the sends.
    const deliver = h.services.queues.byName.get('deliver')!;
    await deliver.pause();
    for (let c = 0; c < CUSTOMERS; c++) {
      const post = h.slack.posts.find((p) => p.thread_ts && p.text.includes(`lost-${c}-0`))!;
      const typed = h.slack.personWrites(post.channel, 'U_ALICE', `answer ${c}`, post.thread_ts);
      const res = await h.event({
        type: 'message',
        channel: post.channel,
        user: 'U_ALICE',
        text: typed.text,
        ts: typed.ts,
        thread_ts: post.thread_ts,
      });
      expect(res.status).toBe(200);
    }
    await flushPrefix(h.services.redis, h.config.REDIS_PREFIX);
    await deliver.resume();
    await eventually(
      () =>
        Array.from({ length: CUSTOMERS }, (_, c) => `answer ${c}`).every((t) =>
          h.graph.sent.some((s) => s.body.text?.body === t),
        ),
      30_000,
    );
    await settled(h.services);
    for (let c = 0; c < CUSTOMERS; c++) {
      expect(h.graph.sent.filter((s) => s.body.text?.body === `answer ${c}`)).toHaveLength(1);
    }
    expect(await db.em().count(Message, { kind: 'inbound' })).toBe(CUSTOMERS * PER_CUSTOMER);
  });
});
