import { describe, expect, it } from 'vitest';
import { SlackAmbiguousError } from '../../../adapters/surfaces/slack/slack-api.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

const h = slackSurfaceHarness();
const { slack } = h;

const callsTo = (channel: string) =>
  slack.calls.filter((c) => c.args.channel === channel || c.args.channel_id === channel);

describe('Slack rate limits (DESIGN 5)', () => {
  it('R28: a 429 with Retry-After delays the thread: no call to that channel until the time is up, other channels go on', async () => {
    const a = await h.openChannelThread();
    const b = await h.openChannelThread();
    slack.failNext('chat.postMessage', { kind: '429', retryAfter: 30 }, (args) => args.channel === a.channel);
    const first = await h.run(a.ref, [h.item({ text: 'one' })]);
    expect(first.error).toBeInstanceOf(SurfaceRetryLater);
    expect((first.error as SurfaceRetryLater).retryAfterMs).toBe(30_000);
    expect(first.ref).not.toHaveProperty('pending');

    const before = callsTo(a.channel).length;
    h.clock.now += 10_000;
    const again = await h.run(first.ref, [h.item({ text: 'two' })]);
    expect((again.error as SurfaceRetryLater).retryAfterMs).toBe(20_000);
    expect(callsTo(a.channel)).toHaveLength(before);

    const other = await h.run(b.ref, [h.item({ text: 'elsewhere' })]);
    expect(other.error).toBeNull();
    expect(slack.thread(b.channel, String(b.ref.ts))).toHaveLength(2);

    h.clock.now += 20_000;
    const later = await h.run(again.ref, [h.item({ text: 'one' })]);
    expect(later.error).toBeNull();
    expect(slack.thread(a.channel, String(a.ref.ts))).toHaveLength(2);
    expect(slack.callsOf('conversations.replies')).toHaveLength(0);
  });

  it('R28: an `ok:false ratelimited` answer holds the channel too (one second when Slack names no time)', async () => {
    const { channel, ref } = await h.openChannelThread();
    slack.failNext('chat.postMessage', { kind: 'ratelimited' });
    const r = await h.run(ref, [h.item()]);
    expect((r.error as SurfaceRetryLater).retryAfterMs).toBe(1_000);
    const before = callsTo(channel).length;
    await expect(h.surface.updateHeader(ref, h.header())).rejects.toBeInstanceOf(SurfaceRetryLater);
    expect(callsTo(channel)).toHaveLength(before);
  });

  it('R28: posts to one channel are paced (a burst of three, then one a second) without calling Slack to find out', async () => {
    const { channel, ref } = await h.openChannelThread();
    // A file on each keeps them apart (never combined); the header took the first slot.
    const items = [1, 2, 3].map((n) =>
      h.item({ text: `n${n}`, attachments: [{ id: `a${n}`, kind: 'location', latitude: 1, longitude: 2 }] }),
    );
    const r = await h.run(ref, items);
    expect(r.error).toBeInstanceOf(SurfaceRetryLater);
    expect((r.error as SurfaceRetryLater).retryAfterMs).toBe(1_000);
    expect(r.steps.filter((s) => s.kind === 'posted')).toHaveLength(2);
    expect(r.ref).not.toHaveProperty('pending');
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel)).toHaveLength(3);
    h.clock.now += 1_000;
    const rest = await h.run(r.ref, items.slice(2));
    expect(rest.error).toBeNull();
    expect(slack.thread(channel, String(ref.ts)).map(slack.visible).slice(1).join()).toMatch(/n1.*n2.*n3/);
  });

  it('R28: messages arriving faster than the channel takes posts are combined, so the lag stays bounded', async () => {
    const { channel, ref } = await h.openChannelThread();
    const burst = Array.from({ length: 45 }, (_, n) => h.item({ text: `m${n}` }));
    const { posted } = await h.postAll(ref, burst);
    expect(posted.flatMap((p) => p.messageIds)).toEqual(burst.map((i) => i.messageId));
    // 40 short messages per post: two posts, in order, each line its own message.
    const posts = slack.thread(channel, String(ref.ts)).slice(1);
    expect(posts).toHaveLength(2);
    expect(posts[0]!.text.split('\n')).toEqual(burst.slice(0, 40).map((i) => i.text));
  });
});

describe('a post Slack accepted without our hearing back (DESIGN 4)', () => {
  it('R28: the connection drops after Slack posted: the next run finds the post by its metadata and does not post twice', async () => {
    const { channel, ref } = await h.openChannelThread();
    const items = [h.item({ text: 'only once' }), h.item({ text: 'and me' })];
    slack.failNext('chat.postMessage', { kind: 'accept-then-drop' });
    const first = await h.run(ref, items);
    expect(first.error).toBeInstanceOf(SlackAmbiguousError);
    expect(first.error).toBeInstanceOf(SurfaceRetryLater);
    expect(first.ref.pending).toMatchObject({ messageIds: items.map((i) => i.messageId) });

    const second = await h.run(first.ref, items);
    expect(second.error).toBeNull();
    const thread = slack.thread(channel, String(ref.ts));
    expect(thread).toHaveLength(2);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === channel)).toHaveLength(2);
    expect(slack.callsOf('conversations.replies')[0]!.args).toMatchObject({ include_all_metadata: true });
    expect(second.steps).toEqual([
      expect.objectContaining({
        kind: 'posted',
        messageIds: items.map((i) => i.messageId),
        post: expect.objectContaining({ ts: thread[1]!.ts }),
      }),
    ]);
    expect(second.ref).not.toHaveProperty('pending');
  });

  it('R28: a timeout after Slack posted is resolved the same way, looking through every page of a long thread', async () => {
    const { channel, ref } = await h.openChannelThread();
    for (let n = 0; n < 5; n++) slack.personWrites(channel, 'UALICE', `chatter ${n}`, String(ref.ts));
    slack.setPageSize(2);
    const item = h.item({ text: 'slow answer' });
    slack.failNext('chat.postMessage', { kind: 'accept-then-stall' });
    const first = await h.run(ref, [item]);
    expect(first.error).toBeInstanceOf(SlackAmbiguousError);
    const second = await h.run(first.ref, [item]);
    expect(second.error).toBeNull();
    expect(slack.thread(channel, String(ref.ts)).filter((m) => m.text.includes('slow answer'))).toHaveLength(
      1,
    );
    expect(slack.callsOf('conversations.replies').length).toBeGreaterThan(1);
  });

  it('R28: when Slack never got the post, the next run posts it (once)', async () => {
    const { channel, ref } = await h.openChannelThread();
    const item = h.item({ text: 'lost on the way' });
    slack.failNext('chat.postMessage', { kind: 'drop' });
    const first = await h.run(ref, [item]);
    expect(first.error).toBeInstanceOf(SurfaceRetryLater);
    const second = await h.run(first.ref, [item]);
    expect(second.error).toBeNull();
    expect(
      slack.thread(channel, String(ref.ts)).filter((m) => m.text.includes('lost on the way')),
    ).toHaveLength(1);
  });

  it('R28: a run stopped between a post and its file goes on with the file, without posting the text again', async () => {
    const { channel, ref } = await h.openChannelThread();
    const storageKey = newStorageKey();
    await h.storage.put(storageKey, new Uint8Array([1, 2, 3]), 'image/png');
    const item = h.item({
      text: 'photo',
      attachments: [{ id: 'p1', kind: 'image', name: 'p.png', storageKey, status: 'stored' }],
    });
    slack.failNext('files.completeUploadExternal', { kind: 'accept-then-drop' });
    const first = await h.run(ref, [item]);
    expect(first.error).toBeInstanceOf(SlackAmbiguousError);
    const second = await h.run(first.ref, [item]);
    expect(second.error).toBeNull();
    const thread = slack.thread(channel, String(ref.ts));
    expect(thread.map((m) => (m.files ? 'file' : m.text.includes('photo') ? 'text' : 'header'))).toEqual([
      'header',
      'text',
      'file',
    ]);
    expect(second.steps.at(-1)).toMatchObject({ kind: 'posted', messageIds: [item.messageId] });
  });
});
