import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Conversation, SurfacePost, SurfaceThread } from '../db/entities/index.ts';
import {
  type AgentSurface,
  type MirrorItem,
  type MirrorPlace,
  type SurfaceRegistry,
  SurfaceRetryLater,
  shownStateOf,
  type ThreadHeader,
} from '../ports/agent-surface.ts';
import { buildHeader, itemsAfter } from './mirror-items.ts';
import { withMirrorLock } from './mirror-lock.ts';
import { desiredPlaces } from './mirror-places.ts';
import { conversationToMirror, pendingAndStale, type StalePost, threadsAndUnpaid } from './mirror-reads.ts';
import { savePosted, saveShownState, saveThreadRef } from './mirror-writes.ts';
import { WaitingPlaces } from './waiting-places.ts';

/**
 * Brings a conversation's threads on every chat surface up to date (R28, R31, R24): one thread in
 * the group's channel while the whole group may see it; while restricted, a content-free stub
 * there and one thread in each listed user's direct messages; nothing once deleted. Items are
 * posted strictly in sequence and `mirroredSeq` is saved after each, under a per-conversation
 * advisory lock, so a thread never shows items out of order or twice.
 */
export type MirrorOutcome =
  | { outcome: 'done' }
  | { outcome: 'busy' }
  | { outcome: 'retry'; retryAfterMs: number };

const BATCH = 50;

export interface MirrorDeps {
  em: EntityManager;
  surfaces: SurfaceRegistry;
  /**
   * A header whose only change is its unreplied count is redrawn at most this often (Slack's
   * chat.update is rate-limited per workspace): HEADER_COUNT_REDRAW_MS, 5 s by default.
   */
  countRedrawMs?: number;
}

export async function mirrorConversation(deps: MirrorDeps, conversationId: string): Promise<MirrorOutcome> {
  const outcome = await withMirrorLock(deps.em, conversationId, async (): Promise<MirrorOutcome> => {
    // A surface or place that must wait (paced, held, waiting for an admin) does not hold up the
    // others: each goes as far as it can, and the run comes back after the shortest wait.
    const waits = new WaitingPlaces();
    for (const surface of deps.surfaces.values()) {
      await waits.run(() =>
        syncSurface(
          deps.em.fork() as EntityManager,
          surface,
          conversationId,
          deps.countRedrawMs ?? COUNT_REDRAW_MS,
        ),
      );
    }
    const retryAfterMs = waits.shortest();
    return retryAfterMs === null
      ? ({ outcome: 'done' } as const)
      : ({ outcome: 'retry', retryAfterMs } as const);
  });
  return outcome ?? { outcome: 'busy' };
}

async function syncSurface(
  em: EntityManager,
  surface: AgentSurface,
  conversationId: string,
  countRedrawMs: number,
): Promise<void> {
  // Two connections at once: neither read needs the other's answer.
  const [conv, { threads, unpaid }] = await Promise.all([
    conversationToMirror(em, conversationId),
    threadsAndUnpaid(em, conversationId, surface.name),
  ]);
  const places = await desiredPlaces(em, surface, conv);
  const wanted = new Set(places.map((p) => p.key));
  const header: ThreadHeader | null = places.length ? await buildHeader(em, conv, unpaid) : null;

  // Threads that must no longer show the content: stubs in the shared channel, gone elsewhere.
  for (const t of threads) {
    if (wanted.has(t.place) || t.state === 'removed') continue;
    const keepStub = conv.status !== 'deleted' && t.place.startsWith('channel:');
    if (keepStub && t.state === 'stub') continue;
    await surface.removeThread(t.ref, keepStub ? 'stub' : 'delete');
    t.state = keepStub ? 'stub' : 'removed';
    await em.flush();
  }

  const waits = new WaitingPlaces();
  for (const place of places)
    await waits.run(() => syncPlace(em, surface, conv, place, threads, header!, countRedrawMs));
  waits.rethrow();
}

async function syncPlace(
  em: EntityManager,
  surface: AgentSurface,
  conv: Conversation,
  place: MirrorPlace,
  threads: SurfaceThread[],
  header: ThreadHeader,
  countRedrawMs: number,
): Promise<void> {
  {
    let thread = threads.find((t) => t.place === place.key);
    if (thread && thread.state !== 'active') {
      // Restriction lifted (or user back on the list): the stub goes and the thread is drawn again.
      if (thread.state === 'stub') await surface.removeThread(thread.ref, 'delete');
      thread.state = 'removed';
      thread.mirroredSeq = 0;
      await em.nativeDelete(SurfacePost, { thread });
      await em.flush();
    }
    if (!thread || thread.state === 'removed') {
      const ref = await surface.openThread(place, header);
      if (thread) {
        await em.nativeDelete(SurfacePost, { thread });
        Object.assign(thread, {
          ref,
          state: 'active',
          mirroredSeq: 0,
          headerDirty: false,
          headerShown: JSON.stringify(header),
          headerShownAt: new Date(),
        });
      } else {
        thread = em.create(SurfaceThread, {
          conversation: conv,
          surface: surface.name,
          place: place.key,
          ref,
          headerDirty: false,
          headerShown: JSON.stringify(header),
          headerShownAt: new Date(),
        });
      }
      await em.flush();
    }
    // Both from one read: what is due, then what changed. A change after this read wakes another
    // run, which waits for this one's lock.
    const due = await pendingAndStale(em, conv, thread, BATCH);
    const drawnBare = await postPending(em, surface, conv, thread, due.pending);
    await redrawChanged(em, surface, thread, [...due.stale, ...drawnBare]);
    await redrawHeader(em, surface, thread, header, countRedrawMs);
  }
}

const COUNT_REDRAW_MS = 5_000;

async function redrawHeader(
  em: EntityManager,
  surface: AgentSurface,
  thread: SurfaceThread,
  header: ThreadHeader,
  countRedrawMs: number,
): Promise<void> {
  const shown = JSON.stringify(header);
  if (thread.headerShown === shown && !thread.headerDirty) return;
  const before = thread.headerShown ? (JSON.parse(thread.headerShown) as ThreadHeader) : null;
  const countOnly = before && JSON.stringify({ ...before, unrepliedCount: header.unrepliedCount }) === shown;
  const since = thread.headerShownAt ? Date.now() - thread.headerShownAt.getTime() : Number.POSITIVE_INFINITY;
  if (countOnly && since < countRedrawMs) {
    // Come back when the pause is over, so the count does not stay stale.
    throw new SurfaceRetryLater('header count redraw paced', countRedrawMs - since);
  }
  await surface.updateHeader(thread.ref, header, { countOnly: Boolean(countOnly) });
  Object.assign(thread, { headerShown: shown, headerShownAt: new Date(), headerDirty: false });
  await em.flush();
}

/**
 * Posts the thread's unmirrored items in order, saving each step before the next platform call.
 * Returns the posts recorded without their state (an agent's own message, found where they wrote
 * it), for redrawChanged to draw it on them in this run.
 */
async function postPending(
  em: EntityManager,
  surface: AgentSurface,
  conv: Conversation,
  thread: SurfaceThread,
  firstBatch: MirrorItem[],
): Promise<StalePost[]> {
  const drawnBare: StalePost[] = [];
  for (let batch = 0; ; batch++) {
    const fetched = batch === 0 ? firstBatch : await itemsAfter(em, conv, thread.mirroredSeq, BATCH);
    // A customer file still at the provider (fetch-media job) holds the thread back for a while,
    // so it is posted with its file and in order; after MEDIA_WAIT_MS it goes without.
    const waiting = fetched.findIndex(
      (i) =>
        i.attachments.some((a) => a.status === 'pending') &&
        Date.now() - i.createdAt.getTime() < MEDIA_WAIT_MS,
    );
    const items = waiting >= 0 ? fetched.slice(0, waiting) : fetched;
    if (items.length === 0 && waiting >= 0)
      throw new SurfaceRetryLater('a customer file is being fetched', 2_000);
    if (items.length === 0) return drawnBare;
    const itemOf = new Map(items.map((i) => [i.messageId, i]));
    const seqOf = new Map(items.map((i) => [i.messageId, i.seq]));
    for await (const step of surface.postItems(thread.ref, items)) {
      thread.ref = step.thread;
      if (step.kind === 'attempt') {
        // The intent before a platform call: one row, so one statement (a flush would wrap it in
        // begin and commit). The entity keeps its snapshot: the next flush writes the ref again.
        await saveThreadRef(em, thread);
        continue;
      }
      const posts = step.messageIds.map((messageId) => ({
        id: randomUUID(),
        message_id: messageId,
        shown_state: step.showsState === false ? null : shownStateOfId(itemOf, messageId),
      }));
      for (const messageId of step.messageIds)
        thread.mirroredSeq = Math.max(thread.mirroredSeq, seqOf.get(messageId) ?? 0);
      await savePosted(em, thread, step.post, posts);
      for (const post of posts) {
        const item = itemOf.get(post.message_id);
        if (item && post.shown_state === null && shownStateOf(item) !== null)
          drawnBare.push({ id: post.id, ref: step.post, item });
      }
    }
    if (waiting >= 0) throw new SurfaceRetryLater('a customer file is being fetched', 2_000);
    if (items.length < BATCH) return drawnBare;
  }
}

const shownStateOfId = (itemOf: Map<string, MirrorItem>, id: string) => {
  const item = itemOf.get(id);
  return item ? shownStateOf(item) : null;
};

/** How long a thread waits for a customer's file to be fetched before posting the message without it. */
const MEDIA_WAIT_MS = 60_000;

/**
 * Redraws posts whose message changed after posting (R29: a reply's delivery state — sent,
 * delivered, read, failed with its reason — shows on it; an edit before delivery; R36: an AI
 * draft sent or discarded).
 */
async function redrawChanged(
  em: EntityManager,
  surface: AgentSurface,
  thread: SurfaceThread,
  stale: StalePost[],
): Promise<void> {
  for (const post of stale) {
    await surface.updateItem(thread.ref, post.ref, post.item);
    await saveShownState(em, post.id, shownStateOf(post.item));
  }
}
