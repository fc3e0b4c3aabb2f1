import type { BroadcastProgressView, PostRef } from '../../../src/ports/agent-surface.ts';
import { escapeText } from './escape.ts';
import { type SlackApi, SlackApiError } from './slack-api.ts';

/**
 * R8 on Slack: a broadcast's progress is one message in its creator's direct messages with the
 * app, posted once and then redrawn with chat.update (the caller throttles the redraws).
 */
export async function showSlackBroadcastProgress(
  deps: { api: SlackApi; loadUserSlackId: (userId: string) => Promise<string | null> },
  userId: string,
  view: BroadcastProgressView,
  post: PostRef | null,
): Promise<PostRef | null> {
  const message = broadcastProgressMessage(view);
  if (post && typeof post.channel === 'string' && typeof post.ts === 'string') {
    try {
      await deps.api.call(
        'chat.update',
        { channel: post.channel, ts: post.ts, ...message },
        { channel: post.channel },
      );
      return post;
    } catch (err) {
      // The person deleted the message: a new one takes its place below.
      if (!(err instanceof SlackApiError && err.code === 'message_not_found')) throw err;
    }
  }
  const slackUserId = await deps.loadUserSlackId(userId);
  if (!slackUserId) return null;
  // To the user's id: Slack puts it in their direct messages with the app and answers with that DM's id.
  const res = await deps.api.call<{ channel?: string; ts: string }>(
    'chat.postMessage',
    { channel: slackUserId, ...message, unfurl_links: false, unfurl_media: false },
    { channel: slackUserId },
  );
  return { channel: res.channel ?? slackUserId, ts: res.ts };
}

/** The message's text and blocks; names and reasons are escaped (they can quote a customer). */
export function broadcastProgressMessage(view: BroadcastProgressView): { text: string; blocks: object[] } {
  const head =
    view.state === 'finished'
      ? `Broadcast to ${view.audience} finished`
      : `Broadcast to ${view.audience} is being sent`;
  const counts = [
    `${view.total} recipients`,
    `${view.queued} queued`,
    `${view.sent} sent`,
    `${view.delivered} delivered`,
    `${view.failed} failed`,
    `${view.refused} left out`,
  ].join(' · ');
  const reasons = view.reasons
    .slice(0, 8)
    .map((r) => `• ${r.count} ${r.result === 'refused' ? 'left out' : 'failed'}: ${escapeText(r.label)}`);
  const text = `${escapeText(head)} (from ${escapeText(view.from)}): ${counts}`;
  const blocks: object[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeText(head)}*\nFrom ${escapeText(view.from)}` },
    },
    { type: 'section', text: { type: 'mrkdwn', text: counts } },
  ];
  if (reasons.length > 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: reasons.join('\n') } });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Broadcast ${view.broadcastId}` }],
  });
  return { text, blocks };
}
