import { describe, expect, it } from 'vitest';
import { readItemMarker } from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import { GRAPH_SETTLE_MS } from '../../../adapters/surfaces/teams/post-items.ts';
import { TeamsAmbiguousError } from '../../../adapters/surfaces/teams/teams-api.ts';
import { Account, Group } from '../../../src/db/entities/index.ts';
import type { MirrorItem } from '../../../src/ports/agent-surface.ts';
import { teamsSurfaceHarness } from './surface-harness.ts';

const h = await teamsSurfaceHarness();
const { teams } = h;

const replies = (n: number): MirrorItem[] =>
  Array.from({ length: n }, (_, i) =>
    h.item({ kind: 'reply', authorName: 'Alice', text: `reply ${i}`, deliveryState: 'sent' }),
  );
/** The items each reply of the thread shows, in order. */
const shownIds = (threadId: string) =>
  teams.post(threadId)!.replies.map((r) => readItemMarker(r.attachments?.[0]?.content) ?? r.id);

/** A channel linked to a group whose team id Graph can read (so a lost answer can be looked for). */
async function linkedChannel() {
  const channel = h.newChannel();
  const em = h.db.em();
  const account = em.create(Account, { name: `Acme ${channel}` });
  em.create(Group, { account, name: 'Support', teamsTeamId: h.TEAM, teamsChannelId: channel });
  await em.flush();
  return channel;
}

async function linkedChannelThread() {
  const channel = await linkedChannel();
  const place = { kind: 'channel' as const, key: `channel:${channel}`, channelId: channel };
  const ref = await h.surface.openThread(place, h.header());
  return { ref, threadId: String(ref.conversation), channel };
}

describe('each item once and in order, whatever Teams answers (R28, DESIGN 5)', () => {
  it('a 429 without Retry-After in the middle: the rest waits (backing off) and goes on in order', async () => {
    const { ref, threadId } = await h.openChannelThread();
    const items = replies(5);
    let n = 0;
    teams.failNext((c) => c.op === 'reply' && ++n === 3, { kind: '429' });
    const { waits } = await h.postAll(ref, items);
    expect(waits[0]).toBe(1_000);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
  });

  it('a 500 and a 503: not posted, tried again, once each', async () => {
    const { ref, threadId } = await h.openChannelThread();
    const items = replies(4);
    teams.failNext('reply', { kind: '5xx', status: 500 });
    teams.failNext('reply', { kind: '5xx', status: 503 });
    await h.postAll(ref, items);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
  });

  it('no answer after Teams took the post: the next run finds it (Graph, by its mark) and does not post it again', async () => {
    const { ref, threadId } = await linkedChannelThread();
    const items = replies(3);
    let n = 0;
    teams.failNext((c) => c.op === 'reply' && ++n === 2, { kind: 'accept-then-timeout' });
    const first = await h.run(ref, items);
    expect(first.error).toBeInstanceOf(TeamsAmbiguousError);
    expect(first.ref.pending).toMatchObject({ messageIds: [items[1]!.messageId] });
    const { posted } = await h.postAll(first.ref, items.slice(1));
    expect(teams.callsOf('replies').length).toBeGreaterThan(0);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
    expect(posted[0]!.post).toMatchObject({ activityId: teams.post(threadId)!.replies[1]!.id });
  });

  it('no answer and Teams never had it: posted again once Graph has had time to show it, once', async () => {
    const { ref, threadId } = await linkedChannelThread();
    const items = replies(2);
    teams.failNext('reply', { kind: 'drop' });
    const first = await h.run(ref, items);
    expect(first.error).toBeInstanceOf(TeamsAmbiguousError);
    const { waits } = await h.postAll(first.ref, items);
    // Not believed absent at once: Graph may lag behind the Bot Connector.
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(GRAPH_SETTLE_MS - 2_000);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
  });

  it('Graph busy (429) while looking: the look waits, then finds the post', async () => {
    const { ref, threadId } = await linkedChannelThread();
    const items = replies(2);
    teams.failNext('reply', { kind: 'accept-then-timeout' });
    teams.failNext('replies', { kind: '429', retryAfter: 3 });
    const first = await h.run(ref, items);
    const { waits } = await h.postAll(first.ref, items);
    expect(waits).toContain(3_000);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
  });

  it('where nothing can be looked at (no Graph), a post with no answer is kept as made, never posted twice', async () => {
    const { ref, threadId } = await h.openChannelThread(h.header(), h.blindSurface);
    const items = replies(3);
    let n = 0;
    teams.failNext((c) => c.op === 'reply' && ++n === 2, { kind: 'accept-then-timeout' });
    const first = await h.run(ref, items, h.blindSurface);
    const { posted } = await h.postAll(first.ref, items.slice(1), h.blindSurface);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
    expect(posted[0]!.post).toEqual({ conversation: threadId, activityId: null, unconfirmed: true });
    // Its delivery state still shows: a card of the app's own in the thread.
    await h.blindSurface.updateItem(posted[0]!.thread, posted[0]!.post, {
      ...items[1]!,
      deliveryState: 'delivered',
    });
    expect(teams.visible(teams.post(threadId)!.replies.at(-1)!)).toContain('Delivered');
  });

  it('a team whose owner refused the Graph permission: the same safe side, and Teams never shows an item twice', async () => {
    const { ref, threadId } = await linkedChannelThread();
    teams.graphRefusedIn(h.TEAM);
    const items = replies(2);
    teams.failNext('reply', { kind: 'accept-then-timeout' });
    const first = await h.run(ref, items);
    await h.postAll(first.ref, items);
    expect(shownIds(threadId)).toEqual(items.map((i) => [i.messageId]));
  });

  it('R31: in a personal chat (which cannot be read back) a post with no answer is kept as made, not doubled', async () => {
    const ada = teams.addUser({ name: 'Ada' });
    const header = h.header({ restricted: true });
    const ref = await h.surface.openThread(
      { kind: 'direct', key: 'user:ada', user: { id: 'ada', name: 'Ada', platformUserId: ada.aadObjectId } },
      header,
    );
    const items = replies(3);
    let n = 0;
    teams.failNext((c) => c.op === 'chat' && ++n === 2, { kind: 'accept-then-timeout' });
    const first = await h.run(ref, items);
    await h.postAll(first.ref, items.slice(1));
    const chat = teams.chatWith(ada.aadObjectId);
    expect(chat.map((a) => readItemMarker(a.attachments?.[0]?.content))).toEqual([
      null,
      ...items.map((i) => [i.messageId]),
    ]);
    expect(teams.visible(chat[1]!)).toContain('#1042');
  });

  it("R28: no answer to a conversation's new post: the next try finds it in the channel (Graph) instead of a second post", async () => {
    const channel = await linkedChannel();
    const header = h.header();
    const place = { kind: 'channel' as const, key: `channel:${channel}`, channelId: channel };
    teams.failNext('post', { kind: 'accept-then-timeout' });
    await expect(h.surface.openThread(place, header)).rejects.toBeInstanceOf(TeamsAmbiguousError);
    const ref = await h.surface.openThread(place, header);
    expect(teams.posts(channel)).toHaveLength(1);
    expect(ref.root).toBe(teams.posts(channel)[0]!.root!.id);
    expect(teams.callsOf('posts').length).toBeGreaterThan(0);
  });

  it('R28: no answer and Teams never made the post: it is made once Graph has had time to show it', async () => {
    const channel = await linkedChannel();
    const header = h.header();
    const place = { kind: 'channel' as const, key: `channel:${channel}`, channelId: channel };
    teams.failNext('post', { kind: 'drop' });
    await expect(h.surface.openThread(place, header)).rejects.toBeInstanceOf(TeamsAmbiguousError);
    const early = await h.surface.openThread(place, header).catch((e: unknown) => e);
    expect(early).toMatchObject({ retryAfterMs: expect.any(Number) });
    h.clock.now += GRAPH_SETTLE_MS;
    await h.surface.openThread(place, header);
    expect(teams.posts(channel)).toHaveLength(1);
  });
});
