import { describe, expect, it } from 'vitest';
import { SurfaceAmbiguousError } from '../../../adapters/surfaces/shared/ambiguous-error.ts';
import { createPlaceLimits } from '../../../adapters/surfaces/shared/place-limits.ts';
import {
  type PendingPost,
  postInOrder,
  type ThreadPoster,
} from '../../../adapters/surfaces/shared/post-in-order.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  type MirrorItem,
  type PostStep,
  SurfaceRetryLater,
  type ThreadRef,
} from '../../../src/ports/agent-surface.ts';
import { createTestRedis } from '../../support/redis.ts';

/**
 * The shared ordered posting, driven through a small in-memory platform: each test is its own
 * place (thread), paced by the real place limits in Redis, with time injected.
 */
const redis = createTestRedis();
const clock = { now: 1_800_000_000_000 };
const limits = createPlaceLimits({
  redis: redis.producer,
  prefix: redis.prefix,
  surface: 'fake',
  place: [{ name: 'place', limit: 4, periodMs: 4_000 }],
  now: () => clock.now,
});

interface FakePending extends PendingPost {
  postId?: string;
}
interface FakeThread {
  place: string;
  files?: string[];
  pending?: FakePending;
}
type Failure = 'refused' | 'lost' | 'accepted';

let places = 0;
function platform() {
  places += 1;
  const place = `P${places}`;
  const posts: { id: string; messageIds: string[]; file?: string }[] = [];
  const state = { fail: [] as Failure[], readable: true, looks: 0 };
  const poster: ThreadPoster<FakeThread, FakePending> = {
    surface: 'fake',
    logger: createLogger('silent'),
    combine: { maxItems: 10, maxChars: 1_000 },
    place: (t) => t.place,
    isOwnHere: (t, item) => item.origin?.surface === 'fake' && item.origin.ref.place === t.place,
    ownPost: (t, item) => ({ place: t.place, postId: item.origin!.ref.id, own: true }),
    takeSlot: async (t) => {
      await limits.takePostSlot(t.place);
    },
    async post(_t, items, pending) {
      const failure = state.fail.shift();
      if (failure === 'refused') throw new Error('The platform refused the post.');
      if (failure === 'lost') throw new SurfaceAmbiguousError('No answer.', 2_000);
      const id = `post-${posts.length + 1}`;
      posts.push({ id, messageIds: items.map((i) => i.messageId) });
      if (failure === 'accepted') throw new SurfaceAmbiguousError('Timed out after sending.', 2_000);
      return { ...pending, postId: id };
    },
    async lookFor(_t, pending) {
      state.looks += 1;
      if (!state.readable)
        return { state: 'unknown', reason: 'the thread cannot be read', retryAfterMs: 60_000 };
      const found = posts.find((p) => p.messageIds.some((id) => pending.messageIds.includes(id)));
      return found ? { state: 'found', pending: { ...pending, postId: found.id } } : { state: 'absent' };
    },
    async *complete(t, items, pending) {
      const files = items.flatMap((i) => i.attachments.map((a) => a.id));
      if (files.length === 0) return t;
      for (const f of files) posts.push({ id: `file-${f}`, messageIds: [], file: f });
      const after = { ...t, files: [...(t.files ?? []), ...files] };
      yield { kind: 'attempt', thread: { ...after, pending } } satisfies PostStep;
      return after;
    },
    postRef: (t, pending) => ({ place: t.place, postId: pending.postId }),
    now: () => clock.now,
  };
  return { place, posts, state, poster, ref: { place } as ThreadRef };
}

/** What the mirror does: saves each step's thread before the next, and keeps what was posted. */
async function run(p: ReturnType<typeof platform>, ref: ThreadRef, items: MirrorItem[]) {
  const steps: PostStep[] = [];
  let error: unknown = null;
  try {
    for await (const step of postInOrder(p.poster, ref as unknown as FakeThread, items)) {
      steps.push(step);
      ref = step.thread;
    }
  } catch (err) {
    error = err;
  }
  const posted = steps.flatMap((s) => (s.kind === 'posted' ? [s.messageIds] : []));
  return { ref, steps, error, posted };
}

let seq = 0;
const item = (over: Partial<MirrorItem> = {}): MirrorItem => {
  seq += 1;
  return {
    messageId: `m${seq}`,
    seq,
    kind: 'inbound',
    text: `text ${seq}`,
    attachments: [],
    authorName: 'Ada',
    deliveryState: null,
    deliveryReason: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    origin: null,
    draft: null,
    ...over,
  };
};
const ids = (items: MirrorItem[]) => items.map((i) => i.messageId);

describe('posting in order, once each (R28, DESIGN 3–5)', () => {
  it('R28: items are posted in order, combined where they can be; each post is recorded as pending before it is made', async () => {
    const p = platform();
    const items = [item(), item(), item({ kind: 'reply', authorName: 'Bo' }), item()];
    const r = await run(p, p.ref, items);
    expect(r.error).toBeNull();
    expect(p.posts.map((x) => x.messageIds)).toEqual([
      ids(items.slice(0, 2)),
      [items[2]!.messageId],
      [items[3]!.messageId],
    ]);
    expect(r.steps.map((s) => s.kind)).toEqual([
      'attempt',
      'posted',
      'attempt',
      'posted',
      'attempt',
      'posted',
    ]);
    expect(r.steps[0]!.thread).toMatchObject({ pending: { messageIds: ids(items.slice(0, 2)) } });
    expect(r.steps[1]).toMatchObject({ thread: { place: p.place }, post: { postId: 'post-1' } });
    expect(r.steps[1]!.thread).not.toHaveProperty('pending');
    expect(r.ref).toEqual({ place: p.place });
  });

  it('R29: an agent’s own message in this thread is adopted, not posted again', async () => {
    const p = platform();
    const own = item({ kind: 'reply', origin: { surface: 'fake', ref: { place: p.place, id: 'theirs' } } });
    const r = await run(p, p.ref, [item(), own, item()]);
    expect(p.posts).toHaveLength(2);
    expect(r.steps[2]).toMatchObject({
      kind: 'posted',
      messageIds: [own.messageId],
      showsState: false,
      post: { own: true, postId: 'theirs' },
    });
  });

  it('DESIGN 5: a paced place waits before anything is recorded; the rest is posted when the job comes back', async () => {
    const p = platform();
    const items = ['A', 'B', 'C', 'D', 'E'].map((authorName) => item({ authorName }));
    const first = await run(p, p.ref, items);
    expect(first.error).toBeInstanceOf(SurfaceRetryLater);
    expect((first.error as SurfaceRetryLater).retryAfterMs).toBe(1_000);
    expect(first.steps.at(-1)!.kind).toBe('posted');
    expect(first.ref).not.toHaveProperty('pending');
    clock.now += 1_000;
    const rest = await run(p, first.ref, items.slice(first.posted.flat().length));
    expect(rest.error).toBeNull();
    expect(p.posts.flatMap((x) => x.messageIds)).toEqual(ids(items));
  });

  it('R28: a post the platform certainly refused is withdrawn from pending, and posted again next time', async () => {
    const p = platform();
    p.state.fail.push('refused');
    const items = [item()];
    const first = await run(p, p.ref, items);
    expect(first.error).toMatchObject({ message: 'The platform refused the post.' });
    expect(first.ref).not.toHaveProperty('pending');
    const again = await run(p, first.ref, items);
    expect(again.posted).toEqual([ids(items)]);
    expect(p.state.looks).toBe(0);
  });

  it('R28: a post accepted but never answered is found on the next run, not posted twice', async () => {
    const p = platform();
    p.state.fail.push('accepted');
    const items = [item(), item({ kind: 'note' })];
    const first = await run(p, p.ref, items);
    expect(first.error).toBeInstanceOf(SurfaceAmbiguousError);
    expect(first.ref).toMatchObject({ pending: { messageIds: [items[0]!.messageId] } });
    const again = await run(p, first.ref, items);
    expect(again.error).toBeNull();
    expect(again.steps[0]).toMatchObject({
      kind: 'posted',
      messageIds: [items[0]!.messageId],
      post: { postId: 'post-1' },
    });
    expect(p.posts.map((x) => x.messageIds)).toEqual([[items[0]!.messageId], [items[1]!.messageId]]);
  });

  it('R28: a post that never reached the platform is looked for, not found, and posted again', async () => {
    const p = platform();
    p.state.fail.push('lost');
    const items = [item()];
    const first = await run(p, p.ref, items);
    expect(first.ref).toHaveProperty('pending');
    const again = await run(p, first.ref, items);
    expect(p.state.looks).toBe(1);
    expect(again.steps.map((s) => s.kind)).toEqual(['attempt', 'attempt', 'posted']);
    expect(again.steps[0]!.thread).not.toHaveProperty('pending');
    expect(p.posts.map((x) => x.messageIds)).toEqual([ids(items)]);
  });

  it('R28: where the platform cannot tell whether a pending post was made, the job waits and nothing is posted', async () => {
    const p = platform();
    p.state.fail.push('accepted');
    const items = [item(), item({ kind: 'reply' })];
    const first = await run(p, p.ref, items);
    p.state.readable = false;
    const blind = await run(p, first.ref, items);
    expect(blind.error).toBeInstanceOf(SurfaceRetryLater);
    expect(blind.error).toMatchObject({
      retryAfterMs: 60_000,
      message: expect.stringMatching(/cannot tell.*cannot be read/),
    });
    expect(blind.steps).toEqual([]);
    expect(p.posts).toHaveLength(1);
    p.state.readable = true;
    const after = await run(p, blind.ref, items);
    expect(after.posted).toEqual([[items[0]!.messageId], [items[1]!.messageId]]);
    expect(p.posts).toHaveLength(2);
  });

  it('R28: a pending post keeps only its items still to post; with none left it is forgotten without a look', async () => {
    const p = platform();
    p.state.fail.push('accepted');
    const [a, b, c] = [item(), item(), item({ kind: 'reply' })];
    const first = await run(p, p.ref, [a!, b!, c!]);
    expect(first.ref).toMatchObject({ pending: { messageIds: [a!.messageId, b!.messageId] } });
    // a was deleted since: the post found carries b alone.
    const again = await run(p, first.ref, [b!, c!]);
    expect(again.steps[0]).toMatchObject({ kind: 'posted', messageIds: [b!.messageId] });
    p.state.fail.push('lost');
    const d = item();
    const lost = await run(p, again.ref, [d]);
    const looks = p.state.looks;
    const none = await run(p, lost.ref, []);
    expect(p.state.looks).toBe(looks);
    expect(none.steps).toEqual([{ kind: 'attempt', thread: { place: p.place } }]);
  });

  it('DESIGN 5: what a post adds to the thread after it (files) is recorded and carried to the next post', async () => {
    const p = platform();
    const file = { id: 'f1', kind: 'image' as const, status: 'stored' as const, storageKey: 'k' };
    const r = await run(p, p.ref, [item({ attachments: [file] }), item({ kind: 'note' })]);
    expect(r.error).toBeNull();
    expect(r.steps.map((s) => s.kind)).toEqual(['attempt', 'attempt', 'posted', 'attempt', 'posted']);
    expect(r.steps[1]!.thread).toMatchObject({ files: ['f1'], pending: { postId: 'post-1' } });
    expect(r.steps[3]!.thread).toMatchObject({ files: ['f1'] });
    expect(r.ref).toEqual({ place: p.place, files: ['f1'] });
  });
});
