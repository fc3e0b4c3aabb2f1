import { createHash } from 'node:crypto';
import type { MessageSource } from '../../../../src/use-cases/timeline.ts';
import type { InboundActivity } from '../ports.ts';

/** Reading an inbound activity: where it was written, by whom, and what it answers. */

/** The bot's personal (1:1) chat with a user, as opposed to a channel or a group chat. */
export const isPersonalChat = (a: InboundActivity) => a.conversation.conversationType === 'personal';

/** The channel (`19:…@thread.tacv2`) of a conversation id, without a post's `;messageid=<root>`. */
export const channelOf = (conversationId: string) => conversationId.split(';')[0]!;

/** A message the bot itself (or another bot) sent, echoed back: never a person's reply. */
export const isFromBot = (a: InboundActivity) => a.from.id === a.recipient.id || a.from.id.startsWith('28:');

/** The sender's Entra object id (User.teamsUserId); null for senders Teams does not name (bots, connectors). */
export const senderOf = (a: InboundActivity): string | null => a.from.aadObjectId ?? null;

/** The Entra tenant the activity comes from. */
export const tenantOf = (a: InboundActivity): string | null =>
  a.channelData?.tenant?.id ?? a.conversation.tenantId ?? null;

const MAX_SOURCE_KEY = 255;

/**
 * The key of a person's message on Teams (Message.sourceRef): the conversation and the message id,
 * so the same message twice is refused by the unique key, and an edit or a deletion finds it.
 * Conversation ids can be long (personal chats): past the column's limit they are hashed.
 */
export function sourceKey(conversationId: string, messageId: string): string {
  const key = `teams:${conversationId}:${messageId}`;
  if (key.length <= MAX_SOURCE_KEY) return key;
  const digest = createHash('sha256').update(conversationId).digest('base64url');
  return `teams:#${digest}:${messageId}`;
}

/** The person's message as the source of a reply or note: its key, and where it stands in Teams. */
export function messageSource(a: InboundActivity): MessageSource {
  return {
    key: sourceKey(a.conversation.id, a.id),
    // The mirror adopts the person's own message as the item's post in that place (post-items.ts).
    origin: { surface: 'teams', ref: { conversation: a.conversation.id, activityId: a.id } },
  };
}

/**
 * The message a personal-chat message answers: Teams' quoted reply (a `quotedReply` entity, the
 * current client), the activity's replyToId, or the quote's `<blockquote itemid>` (older clients).
 */
export function quotedMessageId(a: InboundActivity): string | null {
  for (const e of a.entities ?? []) {
    const quoted =
      e.type === 'quotedReply' ? (e.quotedReply as { messageId?: unknown } | undefined) : undefined;
    if (typeof quoted?.messageId === 'string' && quoted.messageId) return quoted.messageId;
  }
  if (a.replyToId) return a.replyToId;
  for (const html of [a.text ?? '', ...htmlAttachments(a)]) {
    for (const tag of html.matchAll(BLOCKQUOTE_TAG)) {
      const id = replyQuoteId(tag[1]!);
      if (id) return id;
    }
  }
  return null;
}

// Attributes are read one tag at a time (`[^>]*` stops at the tag's end): linear in the text.
const BLOCKQUOTE_TAG = /<blockquote\b([^>]*)>/gi;
const replyQuoteId = (attrs: string) =>
  /itemtype="http:\/\/schema\.skype\.com\/Reply"/i.test(attrs)
    ? (/itemid="(\d+)"/i.exec(attrs)?.[1] ?? null)
    : null;

const htmlAttachments = (a: InboundActivity) =>
  (a.attachments ?? []).flatMap((x) =>
    x.contentType === 'text/html' && typeof x.content === 'string' ? [x.content] : [],
  );

/**
 * The message's markup without the quote it answers: the `<quoted messageId="…"/>` marker of a
 * quoted reply, and an older client's reply `<blockquote>` with what it quotes.
 */
export function withoutQuote(html: string): string {
  const marker = html.replace(/<quoted\s+messageId="[^"]*"\s*\/>/gi, '');
  const lower = marker.toLowerCase();
  let out = '';
  let from = 0;
  for (const tag of marker.matchAll(BLOCKQUOTE_TAG)) {
    if (tag.index < from || !replyQuoteId(tag[1]!)) continue;
    const end = lower.indexOf('</blockquote>', tag.index);
    out += marker.slice(from, tag.index);
    from = end === -1 ? marker.length : end + '</blockquote>'.length;
  }
  return out + marker.slice(from);
}
