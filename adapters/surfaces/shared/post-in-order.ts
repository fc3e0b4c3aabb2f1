import { withLogContext } from '../../../src/log-context.ts';
import type { Logger } from '../../../src/logger.ts';
import {
  type MirrorItem,
  type PostRef,
  type PostStep,
  SurfaceRetryLater,
  type ThreadRef,
} from '../../../src/ports/agent-surface.ts';
import { SurfaceAmbiguousError } from './ambiguous-error.ts';
import { type CombineLimits, groupItems } from './combine-items.ts';

/**
 * Posting mirror items into a thread in order, once each (R28, DESIGN 3–5, "Shared surface
 * machinery"). Before each post the thread ref records it as pending (an `attempt` step the mirror
 * saves), so a post the platform accepted but we never heard back about is looked for on the next
 * run instead of being posted twice; a look that cannot tell waits, it never reposts. Items are
 * combined (combine-items.ts). The surface supplies how it draws, posts and looks (ThreadPoster).
 */

/** What every surface records of a post in flight; a surface adds its own fields (the post's id...). */
export interface PendingPost {
  /** The Parley message ids the post carries, in order. */
  messageIds: string[];
  /** When the attempt was recorded (ISO 8601): a look starts a little before it. */
  at: string;
}

/** A surface's thread ref, with the post in flight if any. */
export type PostingThread<P extends PendingPost> = { pending?: P };

/** What a look for a pending post found. */
export type Looked<P extends PendingPost> =
  /** The post is in the thread: the pending post as now known (with the platform's id). */
  | { state: 'found'; pending: P }
  /** Certainly not in the thread: it is posted again. */
  | { state: 'absent' }
  /** Cannot tell now (the platform cannot be read): the job waits and looks again. */
  | { state: 'unknown'; reason: string; retryAfterMs: number };

/** A surface's part of posting: its limits, its drawing, its call and its look. */
export interface ThreadPoster<T extends PostingThread<P>, P extends PendingPost> {
  /** 'slack', 'teams': in logs and waits. */
  surface: string;
  logger: Logger;
  combine: CombineLimits;
  /** Names the thread in logs (a channel id, a conversation id). */
  place(t: T): string;
  /** An item an agent wrote in this thread on this surface: adopted, not posted. */
  isOwnHere(t: T, item: MirrorItem): boolean;
  /** The PostRef of such an item. */
  ownPost(t: T, item: MirrorItem): PostRef;
  /** Takes the place's post slot or throws SurfaceRetryLater: a wait is known before anything is recorded. */
  takeSlot(t: T): Promise<void>;
  /**
   * Makes one post of `items`; returns `pending` with the platform's id of the post in it. A
   * SurfaceAmbiguousError says the platform may have it (it stays pending); any other error
   * says it certainly has not (the attempt is withdrawn).
   */
  post(t: T, items: MirrorItem[], pending: PendingPost): Promise<P>;
  /** Looks for a pending post some of whose items are still to post (`items`). */
  lookFor(t: T, pending: P, items: MirrorItem[]): Promise<Looked<P>>;
  /**
   * Once the post is in the thread, what else it needs (Slack shares its files after it),
   * recorded in attempt steps as it goes. Returns the thread after.
   */
  complete?(t: T, items: MirrorItem[], pending: P): AsyncGenerator<PostStep, T>;
  /** The PostRef of a post made or found. */
  postRef(t: T, pending: P): PostRef;
  now?: () => number;
}

/** The thread's ref without `pending`: nothing is in flight. */
export function settledRef<T extends PostingThread<PendingPost>>(t: T): ThreadRef {
  const { pending: _, ...rest } = t;
  return rest as ThreadRef;
}

/** Posts `items` into the thread `t`, finishing first what a previous run left pending. */
export async function* postInOrder<T extends PostingThread<P>, P extends PendingPost>(
  poster: ThreadPoster<T, P>,
  t: T,
  items: MirrorItem[],
): AsyncGenerator<PostStep> {
  // Carried from post to post: what a post adds to the thread (Slack: its files) is kept.
  let thread = t;
  let queue = items;
  if (thread.pending) {
    const resumed = yield* resume(poster, thread, thread.pending, items);
    thread = resumed.thread;
    queue = items.filter((i) => !resumed.done.has(i.messageId));
  }
  const here = thread;
  const groups = groupItems(queue, { limits: poster.combine, isOwnHere: (i) => poster.isOwnHere(here, i) });
  for (const group of groups) {
    if (group.own) {
      const post = poster.ownPost(thread, group.item);
      const messageIds = [group.item.messageId];
      yield { kind: 'posted', thread: settledRef(thread), messageIds, post, showsState: false };
      continue;
    }
    thread = yield* postGroup(poster, thread, group.items);
  }
}

async function* postGroup<T extends PostingThread<P>, P extends PendingPost>(
  poster: ThreadPoster<T, P>,
  t: T,
  items: MirrorItem[],
): AsyncGenerator<PostStep, T> {
  await poster.takeSlot(t);
  const at = new Date(poster.now?.() ?? Date.now()).toISOString();
  const attempt: PendingPost = { messageIds: items.map((i) => i.messageId), at };
  yield { kind: 'attempt', thread: { ...settledRef(t), pending: attempt } };
  let pending: P;
  try {
    // The vendor call's log lines name the messages it carries (log-context.ts).
    pending = await withLogContext({ messageIds: attempt.messageIds }, () => poster.post(t, items, attempt));
  } catch (err) {
    if (!(err instanceof SurfaceAmbiguousError)) yield { kind: 'attempt', thread: settledRef(t) };
    throw err;
  }
  return yield* finish(poster, t, items, pending);
}

async function* finish<T extends PostingThread<P>, P extends PendingPost>(
  poster: ThreadPoster<T, P>,
  t: T,
  items: MirrorItem[],
  pending: P,
): AsyncGenerator<PostStep, T> {
  const after = poster.complete ? yield* poster.complete(t, items, pending) : t;
  const post = poster.postRef(t, pending);
  poster.logger.info(
    { place: poster.place(t), messageIds: pending.messageIds },
    `${poster.surface}: posted to ${poster.place(t)}`,
  );
  yield { kind: 'posted', thread: settledRef(after), messageIds: pending.messageIds, post };
  return { ...after, pending: undefined };
}

/**
 * A previous run recorded a post as pending and did not finish: finish it where the platform has
 * it, forget it where it certainly has not (its items are posted again), wait where it cannot
 * tell. Returns the ids now done, and the thread after.
 */
async function* resume<T extends PostingThread<P>, P extends PendingPost>(
  poster: ThreadPoster<T, P>,
  t: T,
  pending: P,
  items: MirrorItem[],
): AsyncGenerator<PostStep, { done: Set<string>; thread: T }> {
  const wanted = new Set(pending.messageIds);
  const mine = items.filter((i) => wanted.has(i.messageId));
  // None of its items left to post (deleted since): nothing to look for.
  const looked: Looked<P> = mine.length ? await poster.lookFor(t, pending, mine) : { state: 'absent' };
  if (looked.state === 'unknown') {
    const what = `${poster.surface}: cannot tell whether a post to ${poster.place(t)} was made`;
    throw new SurfaceRetryLater(`${what} (${looked.reason}).`, looked.retryAfterMs);
  }
  if (looked.state === 'absent') {
    poster.logger.info(
      { place: poster.place(t), messageIds: pending.messageIds },
      `${poster.surface}: pending post not found, posting again`,
    );
    yield { kind: 'attempt', thread: settledRef(t) };
    return { done: new Set(), thread: { ...t, pending: undefined } };
  }
  const resumed = { ...looked.pending, messageIds: mine.map((i) => i.messageId) };
  const thread = yield* finish(poster, { ...t, pending: resumed }, mine, resumed);
  return { done: new Set(resumed.messageIds), thread };
}
