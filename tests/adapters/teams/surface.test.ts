import { describe, expect, it } from 'vitest';
import { readItemMarker } from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import type { TeamsActivity } from '../../support/fake-teams.ts';
import { teamsSurfaceHarness } from './surface-harness.ts';

const h = await teamsSurfaceHarness();
const { teams, surface } = h;

const cardOf = (a: TeamsActivity) => a.attachments?.[0]?.content as Record<string, unknown>;
const idsOf = (a: TeamsActivity) => readItemMarker(cardOf(a));
const verbsOf = (a: TeamsActivity) =>
  ((cardOf(a).actions ?? []) as { verb?: string; data?: { verb?: string } }[]).map(
    (x) => x.verb ?? x.data?.verb,
  );

describe('the conversation post (R28)', () => {
  it('R28: a conversation opens a post in the group channel: the header card is its root, with its actions', async () => {
    const header = h.header({ assignees: [{ id: 'u1', name: 'Alice' }], unrepliedCount: 3 });
    const { channel, ref } = await h.openChannelThread(header);
    const [post] = teams.posts(channel);
    expect(ref).toEqual({
      kind: 'channel',
      conversation: `${channel};messageid=${post!.root!.id}`,
      root: post!.root!.id,
      channel,
      conversation_id: header.conversationId,
      number: 1042,
    });
    const shown = teams.visible(post!.root!);
    for (const text of ['#1042', 'Jane Doe', 'WhatsApp', 'Open', 'Alice', '3 unreplied'])
      expect(shown).toContain(text);
    expect(verbsOf(post!.root!)).toEqual(
      expect.arrayContaining([
        CARD_VERBS.assignMe,
        CARD_VERBS.assign,
        CARD_VERBS.visibility,
        CARD_VERBS.close,
        CARD_VERBS.note,
      ]),
    );
  });

  it('R28: updating the header redraws the root in place; a closed conversation offers Reopen', async () => {
    const { channel, ref, header } = await h.openChannelThread();
    await surface.updateHeader(ref, { ...header, status: 'closed' });
    const [post] = teams.posts(channel);
    expect(post!.root!.updates).toBe(1);
    expect(teams.visible(post!.root!)).toContain('Closed');
    expect(verbsOf(post!.root!)).toContain(CARD_VERBS.reopen);
    expect(verbsOf(post!.root!)).not.toContain(CARD_VERBS.close);
    expect(post!.replies).toEqual([]);
  });

  it('DESIGN 5: a new unreplied count alone waits while posts fill the thread; any other change is redrawn at once', async () => {
    const { channel, ref, header } = await h.openChannelThread();
    const replies = Array.from({ length: 5 }, (_, i) =>
      h.item({ kind: 'reply', authorName: 'Alice', text: `reply ${i}`, deliveryState: 'sent' }),
    );
    await h.postAll(ref, replies);
    const count = { ...header, unrepliedCount: 1 };
    await expect(surface.updateHeader(ref, count, { countOnly: true })).rejects.toThrow(
      /reserve kept for others/,
    );
    expect(teams.posts(channel)[0]!.root!.updates).toBe(0);
    await surface.updateHeader(ref, { ...count, status: 'closed' }, { countOnly: false });
    expect(teams.visible(teams.posts(channel)[0]!.root!)).toContain('Closed');
  });
});

describe('items in the post’s thread (R28, R29)', () => {
  it('R28: customer messages, notes, replies and system lines are replies to the post, in order, each marked with its item', async () => {
    const { ref, threadId } = await h.openChannelThread();
    const items = [
      h.item({ text: 'Where is my order?' }),
      h.item({ kind: 'note', authorName: 'Alice', text: 'VIP customer' }),
      h.item({ kind: 'reply', authorName: 'Alice', text: 'On its way', deliveryState: 'queued' }),
      h.item({ kind: 'system', authorName: 'Parley', text: 'Alice closed the conversation' }),
    ];
    const { posted } = await h.postAll(ref, items);
    expect(posted.map((p) => p.messageIds)).toEqual(items.map((i) => [i.messageId]));
    const replies = teams.post(threadId)!.replies;
    expect(replies.map(idsOf)).toEqual(items.map((i) => [i.messageId]));
    expect(teams.visible(replies[0]!)).toContain('Where is my order?');
    expect(teams.visible(replies[1]!)).toContain('Private note');
    expect(teams.visible(replies[2]!)).toContain('Sending…');
    expect(posted[0]!.post).toEqual({ conversation: threadId, activityId: replies[0]!.id });
  });

  it('R28, DESIGN 5: when the thread is paced, customer messages waiting together become one post, in order, once each', async () => {
    const { ref, threadId } = await h.openChannelThread();
    // Seven replies use the thread's one-second window; the customer's burst waits behind them.
    const replies = Array.from({ length: 7 }, (_, i) =>
      h.item({ kind: 'reply', authorName: 'Alice', text: `reply ${i}`, deliveryState: 'sent' }),
    );
    const burst = Array.from({ length: 10 }, (_, i) => h.item({ text: `customer ${i}` }));
    const first = await h.run(ref, [...replies, ...burst]);
    expect(first.error?.message).toMatch(/paced/);
    const { posted, waits } = await h.postAll(first.ref, burst);
    expect(waits.length).toBeGreaterThan(0);
    expect(posted).toHaveLength(1);
    const shown = teams.post(threadId)!.replies;
    expect(shown).toHaveLength(8);
    expect(idsOf(shown[7]!)).toEqual(burst.map((i) => i.messageId));
    expect(posted[0]!.post).toMatchObject({ combined: true });
    const text = teams.visible(shown[7]!);
    expect(burst.map((i) => text.indexOf(i.text!))).toEqual(
      [...burst.map((i) => text.indexOf(i.text!))].sort((a, b) => a - b),
    );
  });

  it("R29: an agent's own message in the thread is adopted, not posted again; its delivery state shows in a card under it, updated in place", async () => {
    const { ref, threadId } = await h.openChannelThread();
    const agent = teams.addUser({ name: 'Alice Agent' });
    const written = teams.personWrites(threadId, agent.aadObjectId, 'Hi Jane');
    const own = h.item({
      kind: 'reply',
      authorName: 'Alice Agent',
      text: 'Hi Jane',
      deliveryState: 'sent',
      origin: { surface: 'teams', ref: { conversation: threadId, activityId: written.id } },
    });
    const { posted } = await h.postAll(ref, [own]);
    expect(posted[0]).toMatchObject({ showsState: false, post: { activityId: written.id, own: true } });
    expect(teams.post(threadId)!.replies).toHaveLength(1);
    await surface.updateItem(ref, posted[0]!.post, { ...own, deliveryState: 'delivered' });
    await surface.updateItem(ref, posted[0]!.post, {
      ...own,
      deliveryState: 'failed',
      deliveryReason: 'Number blocked',
    });
    const replies = teams.post(threadId)!.replies;
    expect(replies).toHaveLength(2);
    expect(replies[1]!.updates).toBe(1);
    expect(teams.visible(replies[1]!)).toContain('Number blocked');
  });

  it('R29: a reply’s post is redrawn with its delivery state: sent, delivered, read, failed with the reason', async () => {
    const { ref, threadId } = await h.openChannelThread();
    const reply = h.item({ kind: 'reply', authorName: 'Alice', text: 'On its way', deliveryState: 'queued' });
    const { posted } = await h.postAll(ref, [reply]);
    for (const [state, shown] of [
      ['sent', 'Sent'],
      ['delivered', 'Delivered'],
      ['read', 'Read'],
    ] as const) {
      await surface.updateItem(ref, posted[0]!.post, { ...reply, deliveryState: state });
      expect(teams.visible(teams.post(threadId)!.replies[0]!)).toContain(shown);
    }
    await surface.updateItem(ref, posted[0]!.post, {
      ...reply,
      deliveryState: 'failed',
      deliveryReason: 'Outside the 24h window',
    });
    const [only] = teams.post(threadId)!.replies;
    expect(teams.visible(only!)).toContain('Outside the 24h window');
    expect(only!.updates).toBe(4);
    expect(teams.post(threadId)!.replies).toHaveLength(1);
  });
});
