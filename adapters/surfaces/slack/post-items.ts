import type { Logger } from '../../../src/logger.ts';
import type { MirrorItem, PostStep, ThreadRef } from '../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { postInOrder, type ThreadPoster } from '../shared/post-in-order.ts';
import type { SlackApi } from './slack-api.ts';
import { type PendingPost, postedIds, type SlackThread, slackThread, threadReplies } from './slack-thread.ts';
import { itemMessage } from './thread-blocks.ts';
import { uploadAttachments } from './upload-files.ts';

/**
 * Posts mirror items into a Slack thread (R28, DESIGN 3–5) through the shared ordered posting
 * (post-in-order.ts): this file says how Slack posts, finds a pending post (by the message ids in
 * its metadata) and finishes one (its stored files, shared after it). About one post a second
 * goes into a channel, so up to 40 items or 3,000 characters of one author combine into a post.
 */
export interface PostDeps {
  api: SlackApi;
  storage: Storage;
  logger: Logger;
}

/** How far before a pending post's recorded time its lookup starts (clocks differ). */
const LOOKUP_MARGIN_S = 120;

export async function* postItems(
  deps: PostDeps,
  ref: ThreadRef,
  items: MirrorItem[],
): AsyncGenerator<PostStep> {
  yield* postInOrder(slackPoster(deps), slackThread(ref), items);
}

function slackPoster(deps: PostDeps): ThreadPoster<SlackThread, PendingPost> {
  const { api } = deps;
  return {
    surface: 'slack',
    logger: deps.logger,
    combine: { maxItems: 40, maxChars: 3000 },
    place: (t) => t.channel,
    isOwnHere: (t, item) => {
      const o = item.origin;
      return (
        o?.surface === 'slack' &&
        o.ref.channel === t.channel &&
        o.ref.thread_ts === t.ts &&
        typeof o.ref.ts === 'string'
      );
    },
    ownPost: (t, item) => ({ channel: t.channel, ts: String(item.origin!.ref.ts), own: true }),
    // No waiting line for a thread's own posts (only for opening threads, slack.surface.ts): a
    // customer's message in an existing thread is never queued behind a broadcast's new threads.
    takeSlot: (t) => api.takePostSlot(t.channel),
    async post(t, items, pending) {
      const res = await api.call<{ ts: string }>(
        'chat.postMessage',
        {
          channel: t.channel,
          thread_ts: t.ts,
          ...itemMessage(items),
          unfurl_links: false,
          unfurl_media: false,
          metadata: {
            event_type: 'parley_message',
            event_payload: {
              ...(t.conversation_id ? { conversation_id: t.conversation_id } : {}),
              message_ids: pending.messageIds,
            },
          },
        },
        { channel: t.channel, slotTaken: true },
      );
      return { ...pending, ts: res.ts };
    },
    lookFor: (t, pending) => lookInThread(api, t, pending),
    async *complete(t, items, pending) {
      const hasFiles = items.some((i) => i.attachments.some((a) => a.status === 'stored' && a.storageKey));
      if (!hasFiles) return t;
      return yield* uploadAttachments(deps, t, items, { ...pending, ts: pending.ts! });
    },
    postRef: (t, pending) => ({
      channel: t.channel,
      ts: pending.ts,
      ...(pending.messageIds.length > 1 ? { combined: true } : {}),
    }),
  };
}

/**
 * Where the pending post is and which of its files are shared: read from the thread when the
 * post's ts is not known yet, or a file's completion may or may not have reached Slack.
 */
async function lookInThread(api: SlackApi, t: SlackThread, pending: PendingPost) {
  let ts = pending.ts;
  let uploaded = pending.uploaded ?? [];
  if (!ts || pending.uploading) {
    const wanted = new Set(pending.messageIds);
    const since = Math.floor(Date.parse(pending.at) / 1000) - LOOKUP_MARGIN_S;
    const replies = await threadReplies(api, t, Number.isFinite(since) ? String(since) : undefined);
    ts ??= replies.find((m) => m.ts !== t.ts && postedIds(m).some((id) => wanted.has(id)))?.ts;
    const up = pending.uploading;
    if (up && replies.some((m) => m.files?.some((f) => f.id === up.fileId)))
      uploaded = [...uploaded, up.attachmentId];
  }
  if (!ts) return { state: 'absent' } as const;
  const { uploading: _, ...rest } = pending;
  return { state: 'found', pending: { ...rest, ts, uploaded } } as const;
}
