import { beforeAll, describe, expect, it } from 'vitest';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);

beforeAll(async () => {
  await seedWorkspace(db.em());
});

// Up to 30 s for every post to get through Slack's failures (a Retry-After, the lost answers'
// read-back), then the queues settle.
describe('fault: Slack misbehaving while customers write (issue 5)', { timeout: 90_000 }, () => {
  it('429 with Retry-After, ok:false ratelimited, 500, and a post accepted whose answer is lost: every message posted once, in order', async () => {
    // Customer posts in threads (not headers) fail in every way Slack fails.
    const inThread = (a: Record<string, unknown>) => !!a.thread_ts;
    h.slack.failNext('chat.postMessage', { kind: 'accept-then-drop' }, inThread);
    h.slack.failNext('chat.postMessage', { kind: '429', retryAfter: 1 }, inThread);
    h.slack.failNext('chat.postMessage', { kind: 'ratelimited' }, inThread);
    h.slack.failNext('chat.postMessage', { kind: '500' }, inThread);
    h.slack.failNext('chat.postMessage', { kind: 'accept-then-drop' }, inThread);

    const tokens: string[] = [];
    for (let n = 0; n < 6; n++) {
      for (let c = 0; c < 2; c++) {
        const token = `flaky-${c}-${n}`;
        tokens.push(token);
        const res = await h.whatsappWebhook(
          inbound({ waId: `1555080000${c}`, name: `Sam ${c}` }, 'text', { body: token }),
        );
        expect(res.status).toBe(200);
      }
    }
    const shown = () =>
      h.slack.posts.flatMap((p) =>
        [...p.text.matchAll(/flaky-\d-\d/g)].map((m) => ({ t: m[0], thread: p.thread_ts })),
      );
    await eventually(() => tokens.every((t) => shown().some((s) => s.t === t)), 30_000);
    // Nothing is still queued to post a second copy.
    await settled(h.services);
    const all = shown().map((s) => s.t);
    // No duplicate posts, even after the answers Slack never sent.
    expect(all.filter((t, i) => all.indexOf(t) !== i)).toEqual([]);
    // Each customer's messages in their own thread, in the order they wrote them.
    for (let c = 0; c < 2; c++) {
      const mine = shown().filter((s) => s.t.startsWith(`flaky-${c}-`));
      expect(new Set(mine.map((s) => s.thread)).size).toBe(1);
      expect(mine.map((s) => s.t)).toEqual(tokens.filter((t) => t.startsWith(`flaky-${c}-`)));
    }
  });
});
