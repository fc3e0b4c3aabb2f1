import type { Logger } from '../../../src/logger.ts';
import {
  type InternalMessageView,
  type InternalPostOptions,
  type InternalPostRef,
  type MirrorItem,
  SurfaceRetryLater,
} from '../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { escapeText } from './escape.ts';
import { SlackAmbiguousError, type SlackApi } from './slack-api.ts';
import { uploadAttachments } from './upload-files.ts';

/**
 * R25 on Slack: an internal message is a message from the app in the recipient's direct messages
 * with it; a reply in its thread continues the chat (internal-chat-events.ts). It carries the
 * Parley message id in its metadata, so a post whose answer was lost is found again rather than
 * posted twice; stored files follow in its thread with the same upload flow as conversation
 * threads (upload-files.ts).
 */
export interface InternalChatDeps {
  api: SlackApi;
  storage: Storage;
  logger: Logger;
}

export const INTERNAL_EVENT_TYPE = 'parley_internal_message';
/** How far before the recorded attempt a look starts (clocks differ). */
const LOOKUP_MARGIN_S = 120;
const SECTION_MAX = 3000;
/** How long after an unanswered post it is looked for (Slack lists a message within moments). */
const UNANSWERED_WAIT_MS = 2_000;

/** The key a reply in the post's thread is found by: the DM channel and the post's ts. */
export const slackInternalKey = (channel: string, ts: string): string => `${channel}:${ts}`;

export async function postSlackInternalMessage(
  deps: InternalChatDeps,
  slackUserId: string,
  m: InternalMessageView,
  opts: InternalPostOptions,
): Promise<InternalPostRef> {
  const { api } = deps;
  const prev = opts.previous ?? {};
  let channel = typeof prev.channel === 'string' ? prev.channel : null;
  if (!channel) {
    const opened = await api.call<{ channel?: { id?: string } }>('conversations.open', {
      users: slackUserId,
    });
    channel = opened.channel?.id ?? null;
    if (!channel) throw new Error(`Slack opened no direct message with ${slackUserId}.`);
  }
  let ts = typeof prev.ts === 'string' ? prev.ts : null;
  if (!ts && (opts.lookFirst || prev.unanswered === true))
    ts = await lookForPost(api, channel, m.messageId, opts.since);
  if (!ts) {
    const res = await api
      .call<{ ts: string }>(
        'chat.postMessage',
        {
          channel,
          ...internalMessageBody(m),
          unfurl_links: false,
          unfurl_media: false,
          metadata: {
            event_type: INTERNAL_EVENT_TYPE,
            event_payload: { internal_message_id: m.messageId, chat_id: m.chatId },
          },
        },
        { channel },
      )
      .catch(async (err: unknown) => {
        if (!(err instanceof SlackAmbiguousError)) throw err;
        // Slack may have posted it: the next run looks for it before posting again.
        await opts.save({ channel, unanswered: true });
        throw new SurfaceRetryLater(`Slack did not answer a post (${err.message}).`, UNANSWERED_WAIT_MS);
      });
    ts = res.ts;
  }
  const uploaded = Array.isArray(prev.uploaded) ? prev.uploaded.filter((x) => typeof x === 'string') : [];
  await opts.save({ channel, ts, uploaded });
  if (m.attachments.some((a) => a.status === 'stored' && a.storageKey && !uploaded.includes(a.id))) {
    // The files go into the post's thread, paced like any post; each one shared is saved, so a run
    // that must wait for the pace goes on with the next file.
    const files = uploadAttachments(deps, { channel, ts }, [asItem(m)], {
      messageIds: [m.messageId],
      at: new Date().toISOString(),
      ts,
      uploaded,
    });
    for (let step = await files.next(); !step.done; step = await files.next()) {
      const pending = step.value.kind === 'attempt' ? step.value.thread.pending : undefined;
      const done = (pending as { uploaded?: string[] } | undefined)?.uploaded;
      if (done) await opts.save({ channel, ts, uploaded: done });
    }
  }
  return { ref: { channel, ts }, threadKey: slackInternalKey(channel, ts) };
}

/** The message as the recipient reads it: who wrote it, that it is internal, its text and files. */
export function internalMessageBody(m: InternalMessageView): { text: string; blocks: object[] } {
  const author = escapeText(m.authorName);
  const lead = m.toSelf
    ? `:memo: *${m.kind === 'note' ? 'Note' : 'Message'} to yourself*`
    : m.kind === 'note'
      ? `:memo: *Internal note from ${author}*`
      : `:speech_balloon: *Internal message from ${author}*`;
  const text = escapeText(m.text ?? '');
  const files = m.attachments.map((a) => `:paperclip: ${escapeText(a.name ?? a.caption ?? a.kind)}`);
  const blocks: object[] = [section(lead)];
  for (let i = 0; i < text.length && blocks.length < 40; i += SECTION_MAX)
    blocks.push(section(text.slice(i, i + SECTION_MAX)));
  if (files.length) blocks.push(context(files.slice(0, 10).join('  ')));
  blocks.push(
    context(
      m.toSelf ? 'Reply in this thread to add to your notes.' : `Reply in this thread to answer ${author}.`,
    ),
  );
  const fallback = [lead, text || files.join(', ')].filter(Boolean).join('\n');
  return { text: fallback.slice(0, SECTION_MAX), blocks };
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] });

/** The post of this message in the DM since the attempt, by the id in its metadata. */
async function lookForPost(api: SlackApi, channel: string, messageId: string, since: Date) {
  const oldest = String(Math.floor(since.getTime() / 1000) - LOOKUP_MARGIN_S);
  const page = await api.call<{
    messages?: { ts: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[];
  }>('conversations.history', { channel, oldest, include_all_metadata: true, limit: 200 }, { channel });
  const hit = (page.messages ?? []).find(
    (x) =>
      x.metadata?.event_type === INTERNAL_EVENT_TYPE &&
      x.metadata.event_payload?.internal_message_id === messageId,
  );
  return hit?.ts ?? null;
}

/** The shape the shared upload flow reads (only the attachments and the author's name matter). */
function asItem(m: InternalMessageView): MirrorItem {
  return {
    messageId: m.messageId,
    seq: 0,
    kind: m.kind === 'note' ? 'note' : 'reply',
    text: m.text,
    attachments: m.attachments,
    authorName: m.authorName,
    deliveryState: null,
    deliveryReason: null,
    createdAt: m.createdAt,
    origin: null,
    draft: null,
  };
}
