import { OpenUrlAction } from '@microsoft/teams.cards';
import type { OutboundActivity } from '../ports.ts';
import { adaptiveCard, cardActivity, clipped, line, run } from './card-kit.ts';

/**
 * A short notice of Parley's as a new post in a group's channel (an AI handoff with nobody
 * assigned, R36), with "Open the conversation" when its thread is a post in that channel. The
 * notice may quote a customer's or a user's name, so it is a TextRun (drawn as it is).
 */
export function channelNoticeCard(text: string, threadLink: string | null): OutboundActivity {
  const open = threadLink && /^https:\/\//i.test(threadLink) ? threadLink : null;
  const card = adaptiveCard(
    [line(run(clipped(text, 2_000)))],
    open ? [new OpenUrlAction(open, { title: 'Open the conversation' })] : [],
  );
  return cardActivity(card, text);
}

/**
 * A deep link to a channel post (its thread), as Teams documents it:
 * `<web>/l/message/<channel id>/<root message id>?tenantId=…&groupId=…&parentMessageId=…`.
 */
export function channelPostLink(
  webUrl: string,
  post: { channel: string; root: string; tenantId?: string; team?: string },
): string {
  const query = new URLSearchParams();
  if (post.tenantId) query.set('tenantId', post.tenantId);
  if (post.team) query.set('groupId', post.team);
  query.set('parentMessageId', post.root);
  return `${webUrl}/l/message/${encodeURIComponent(post.channel)}/${encodeURIComponent(post.root)}?${query}`;
}
