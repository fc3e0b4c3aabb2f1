import type { Logger } from '../../../src/logger.ts';
import type { MirrorItem, PostStep, ThreadRef } from '../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { SlackAmbiguousError, type SlackApi } from './slack-api.ts';
import {
  type PendingPost,
  postedIds,
  type SlackThread,
  settled,
  slackThread,
  threadReplies,
} from './slack-thread.ts';
import { itemMessage } from './thread-blocks.ts';
import { uploadAttachments } from './upload-files.ts';

/**
 * Posts mirror items into a Slack thread in order (R28, DESIGN 3–5). Before each post the thread
 * ref records it as pending (an `attempt` step the caller saves), so a post Slack accepted but we
 * never heard back about is found by its metadata on the next run instead of being posted twice.
 * Consecutive text items of one author are combined into one post: when messages arrive faster
 * than the channel takes posts (about one a second), the lag stays bounded instead of growing.
 */
export interface PostDeps {
  api: SlackApi;
  storage: Storage;
  logger: Logger;
}

const COMBINE_MAX_ITEMS = 40;
const COMBINE_MAX_CHARS = 3000;
const COMBINABLE = new Set(['inbound', 'ai', 'system', 'auto_response']);
/** How far before a pending post's recorded time its lookup starts (clocks differ). */
const LOOKUP_MARGIN_S = 120;

type Group = { own: true; item: MirrorItem } | { own: false; items: MirrorItem[] };

export async function* postItems(
  deps: PostDeps,
  ref: ThreadRef,
  items: MirrorItem[],
): AsyncGenerator<PostStep> {
  // Carried from post to post: an upload adds its file to the thread's `files`.
  let t = slackThread(ref);
  let queue = items;
  if (t.pending) {
    const resumed = yield* resumePending(deps, t, items);
    t = resumed.thread;
    queue = items.filter((i) => !resumed.done.has(i.messageId));
  }
  for (const group of groupItems(t, queue)) {
    if (group.own) {
      // An agent's own message in this thread: it is already there.
      const origin = group.item.origin!.ref;
      yield {
        kind: 'posted',
        thread: settled(t),
        messageIds: [group.item.messageId],
        post: { channel: t.channel, ts: String(origin.ts), own: true },
        showsState: false,
      };
      continue;
    }
    t = yield* postGroup(deps, t, group.items);
  }
}

function isOwn(t: SlackThread, item: MirrorItem): boolean {
  const o = item.origin;
  return (
    o?.surface === 'slack' &&
    o.ref.channel === t.channel &&
    o.ref.thread_ts === t.ts &&
    typeof o.ref.ts === 'string'
  );
}

function combinable(a: MirrorItem, b: MirrorItem): boolean {
  const plain = (i: MirrorItem) => COMBINABLE.has(i.kind) && i.attachments.length === 0 && i.text !== null;
  return plain(a) && plain(b) && a.kind === b.kind && a.authorName === b.authorName;
}

export function groupItems(t: SlackThread, items: MirrorItem[]): Group[] {
  const groups: Group[] = [];
  let current: MirrorItem[] = [];
  let chars = 0;
  const flush = () => {
    if (current.length) groups.push({ own: false, items: current });
    current = [];
    chars = 0;
  };
  for (const item of items) {
    if (isOwn(t, item)) {
      flush();
      groups.push({ own: true, item });
      continue;
    }
    const len = item.text?.length ?? 0;
    const last = current.at(-1);
    const fits = current.length < COMBINE_MAX_ITEMS && chars + len <= COMBINE_MAX_CHARS;
    if (!last || !combinable(last, item) || !fits) flush();
    current.push(item);
    chars += len;
  }
  flush();
  return groups;
}

async function* postGroup(
  deps: PostDeps,
  t: SlackThread,
  items: MirrorItem[],
): AsyncGenerator<PostStep, SlackThread> {
  const messageIds = items.map((i) => i.messageId);
  // The slot first: a wait is known before anything is recorded as pending.
  await deps.api.takePostSlot(t.channel);
  const pending: PendingPost = { messageIds, at: new Date().toISOString() };
  yield { kind: 'attempt', thread: { ...settled(t), pending } };
  const body = itemMessage(items);
  let ts: string;
  try {
    const res = await deps.api.call<{ ts: string }>(
      'chat.postMessage',
      {
        channel: t.channel,
        thread_ts: t.ts,
        ...body,
        unfurl_links: false,
        unfurl_media: false,
        metadata: {
          event_type: 'parley_message',
          event_payload: {
            ...(t.conversation_id ? { conversation_id: t.conversation_id } : {}),
            message_ids: messageIds,
          },
        },
      },
      { channel: t.channel, slotTaken: true },
    );
    ts = res.ts;
  } catch (err) {
    // Not posted for certain (refused, rate limited): nothing to look for next time.
    if (!(err instanceof SlackAmbiguousError)) yield { kind: 'attempt', thread: settled(t) };
    throw err;
  }
  return yield* finishPost(deps, t, items, { ...pending, ts });
}

/** Uploads the post's stored files (recording each), then reports the post done; returns the thread after. */
async function* finishPost(
  deps: PostDeps,
  t: SlackThread,
  items: MirrorItem[],
  pending: PendingPost & { ts: string },
): AsyncGenerator<PostStep, SlackThread> {
  const hasFiles = items.some((i) => i.attachments.some((a) => a.status === 'stored' && a.storageKey));
  const after = hasFiles ? yield* uploadAttachments(deps, t, items, pending) : t;
  yield {
    kind: 'posted',
    thread: settled(after),
    messageIds: pending.messageIds,
    post: {
      channel: t.channel,
      ts: pending.ts,
      ...(pending.messageIds.length > 1 ? { combined: true } : {}),
    },
  };
  return { ...after, pending: undefined };
}

/**
 * A previous run recorded a post as pending and did not finish: find out whether Slack has it
 * (by the message ids in its metadata) and finish it, or forget it so it is posted again.
 * Returns the ids now done, and the thread after.
 */
async function* resumePending(
  deps: PostDeps,
  t: SlackThread,
  items: MirrorItem[],
): AsyncGenerator<PostStep, { done: Set<string>; thread: SlackThread }> {
  const pending = t.pending!;
  const wanted = new Set(pending.messageIds);
  const mine = items.filter((i) => wanted.has(i.messageId));
  let ts = pending.ts;
  let uploaded = pending.uploaded ?? [];
  if (mine.length > 0 && (!ts || pending.uploading)) {
    const since = Math.floor(Date.parse(pending.at) / 1000) - LOOKUP_MARGIN_S;
    const replies = await threadReplies(deps.api, t, Number.isFinite(since) ? String(since) : undefined);
    ts ??= replies.find((m) => m.ts !== t.ts && postedIds(m).some((id) => wanted.has(id)))?.ts;
    const up = pending.uploading;
    if (up && replies.some((m) => m.files?.some((f) => f.id === up.fileId)))
      uploaded = [...uploaded, up.attachmentId];
  }
  if (!ts || mine.length === 0) {
    deps.logger.info(
      { channel: t.channel, messageIds: pending.messageIds },
      'slack: pending post not found, posting again',
    );
    yield { kind: 'attempt', thread: settled(t) };
    return { done: new Set(), thread: { ...t, pending: undefined } };
  }
  const { uploading: _, ...rest } = pending;
  const resumed = { ...rest, messageIds: mine.map((i) => i.messageId), ts, uploaded };
  const thread = yield* finishPost(deps, { ...t, pending: resumed }, mine, resumed);
  return { done: new Set(resumed.messageIds), thread };
}
