import type { ThreadRef } from '../../../src/ports/agent-surface.ts';
import { type PendingPost as PostInFlight, settledRef } from '../shared/post-in-order.ts';
import type { SlackApi, SlackIdentity } from './slack-api.ts';

/**
 * A Slack thread as Parley keeps it in SurfaceThread.ref: the channel and the header's ts, the
 * conversation id (for message metadata), the Slack files Parley shared into it (`files`: deleting
 * a message leaves its files in the workspace, so removing the thread deletes these by id, even
 * where their message is already gone) and, while a post may have been made but not recorded,
 * `pending` (what was being posted, looked for on the next run).
 */
export interface PendingPost extends PostInFlight {
  /** The text post is known to be in the thread (files may still be due). */
  ts?: string;
  /** Attachments already uploaded after the text post. */
  uploaded?: string[];
  /** An upload whose completion may or may not have reached Slack. */
  uploading?: { attachmentId: string; fileId: string };
}

export interface SlackThread {
  channel: string;
  ts: string;
  conversation_id?: string;
  /** Slack file ids Parley uploaded into this thread, recorded before each is shared. */
  files?: string[];
  pending?: PendingPost;
}

export function slackThread(ref: ThreadRef): SlackThread {
  const { channel, ts } = ref;
  if (typeof channel !== 'string' || typeof ts !== 'string') {
    throw new Error('This is not a Slack thread reference (channel and ts are missing).');
  }
  return ref as unknown as SlackThread;
}

/** The thread's ref without `pending`: nothing is in flight. */
export const settled = (t: SlackThread): ThreadRef => settledRef(t);

/** The fields of a message in `conversations.replies` Parley reads. */
export interface SlackReply {
  ts: string;
  user?: string;
  bot_id?: string;
  text?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  files?: { id: string; mode?: string }[];
}

/** Every message of a thread, header first, page by page (metadata included). */
export async function threadReplies(
  api: SlackApi,
  t: { channel: string; ts: string },
  oldest?: string,
): Promise<SlackReply[]> {
  const all: SlackReply[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call<{ messages?: SlackReply[]; response_metadata?: { next_cursor?: string } }>(
      'conversations.replies',
      {
        channel: t.channel,
        ts: t.ts,
        include_all_metadata: true,
        limit: 200,
        ...(oldest ? { oldest } : {}),
        ...(cursor ? { cursor } : {}),
      },
      { channel: t.channel },
    );
    all.push(...(page.messages ?? []));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return all;
}

/** The Parley message ids a post carries in its metadata. */
export function postedIds(m: SlackReply): string[] {
  if (m.metadata?.event_type !== 'parley_message') return [];
  const ids = m.metadata.event_payload?.message_ids;
  if (Array.isArray(ids)) return ids.filter((x): x is string => typeof x === 'string');
  return typeof ids === 'string' ? ids.split(',') : [];
}

export const postedByApp = (m: SlackReply, me: SlackIdentity): boolean =>
  (!!m.bot_id && m.bot_id === me.botId) || (!!m.user && m.user === me.botUserId);
