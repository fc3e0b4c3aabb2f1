import { z } from 'zod';
import type { Conversation } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { dropPendingDrafts } from './ai-drafts.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransactionRetryingRaces } from './context.ts';
import { attachmentSchema, hasText, parseInput, sourceSchema, templateSchema } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { markReadWithin } from './mark-read.ts';
import { replyInOpenConversation } from './reply-in-open-conversation.ts';
import { sendToContact } from './send-to-contact.ts';
import { messageCreated } from './timeline.ts';

export const sendReplySchema = z
  .object({
    conversationId: z.uuid(),
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
    /** The way into a closed WhatsApp window (R7). */
    template: templateSchema.optional(),
    /** Another channel the contact has (R3); by default the channel of their latest inbound message. */
    channel: z.string().min(1).optional(),
    /** Set by a chat surface: the agent's own message there (its key refuses a replayed event). */
    source: sourceSchema.optional(),
  })
  .refine(
    (r) => hasText(r.text) || (r.attachments?.length ?? 0) > 0 || !!r.template,
    'A reply needs text or an attachment. Write something before sending.',
  );

export type SendReplyInput = z.input<typeof sendReplySchema>;

export interface SendReplyResult {
  /** The conversation the reply went to: a different one when the given one was closed (R22). */
  conversationId: string;
  conversationNumber: number;
  messageId: string;
  channel: string;
  /** The closed conversation the user replied in, when the reply went elsewhere. */
  redirectedFrom: string | null;
  openedConversation: boolean;
  /** A sentence for the user when the reply did not land where they wrote it. */
  notice: string | null;
}

/**
 * A user replies to the customer (R3, R11, R29). The reply is queued for delivery, clears the
 * conversation's unreplied messages and marks it read for the author (R12). A reply to a closed
 * conversation starts a new one, or joins the contact's other open one in the group (R22).
 */
export async function sendReply(
  ctx: UseCaseContext,
  actor: Actor,
  raw: SendReplyInput,
): Promise<WithEvents<SendReplyResult>> {
  const input = parseInput(sendReplySchema, raw);
  const fast = await tryPlainReply(ctx, actor, input);
  if (fast) return fast;
  return inTransactionRetryingRaces(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, input.conversationId, {
      populate: ['group', 'contact', 'endpoint'],
    });
    const { group, contact } = conv;
    const channel = input.channel ?? conv.channel;
    const endpoint = channel === conv.channel ? (conv.endpoint ?? null) : null;
    const closed = conv.status !== 'open';

    const sent = await sendToContact(tx, {
      user,
      group,
      contact,
      channel,
      endpoint,
      conversation: closed ? undefined : conv,
      repliedIn: closed ? conv : undefined,
      text: input.text ?? null,
      template: input.template ?? null,
      attachments: input.attachments ?? [],
      source: input.source ?? null,
      now,
    });
    const target = sent.conversation;
    await markReadWithin(tx, user, target, now);
    await dropPendingDrafts(tx, record, target);

    if (sent.opened) record({ type: 'conversation.opened', conversationId: target.id, groupId: group.id });
    record(messageCreated(target, sent.message), {
      type: 'conversation.read',
      conversationId: target.id,
      userId: user.id,
    });
    return {
      conversationId: target.id,
      conversationNumber: target.number,
      messageId: sent.message.id,
      channel,
      redirectedFrom: closed ? conv.id : null,
      openedConversation: sent.opened,
      notice: closed ? redirectNotice(conv, target, sent.opened) : null,
    };
  });
}

/**
 * Text on the conversation's own channel: the two-statement path (reply-in-open-conversation.ts),
 * which answers null for anything it does not take (closed, restricted from this user, refused,
 * an AI draft to drop); the full path below then decides, and says why when it refuses.
 */
async function tryPlainReply(
  ctx: UseCaseContext,
  actor: Actor,
  input: z.output<typeof sendReplySchema>,
): Promise<WithEvents<SendReplyResult> | null> {
  const plain =
    actor.kind === 'user' &&
    hasText(input.text) &&
    !input.channel &&
    !input.template &&
    (input.attachments?.length ?? 0) === 0;
  if (!plain) return null;
  const now = ctx.now ? ctx.now() : new Date();
  const fast = await replyInOpenConversation(
    ctx.em,
    {
      userId: actor.userId,
      conversationId: input.conversationId,
      text: input.text!,
      source: input.source ?? null,
    },
    now,
  );
  if (!fast) return null;
  if (ctx.dispatch) await ctx.dispatch(fast.events);
  return {
    conversationId: input.conversationId,
    conversationNumber: fast.conversationNumber,
    messageId: fast.messageId,
    channel: fast.channel,
    redirectedFrom: null,
    openedConversation: false,
    notice: null,
    events: fast.events,
  };
}

function redirectNotice(closed: Conversation, target: Conversation, opened: boolean): string {
  return opened
    ? `Conversation #${closed.number} is closed, so your message started a new conversation #${target.number}.`
    : `Conversation #${closed.number} is closed, so your message went to the contact's open conversation #${target.number}.`;
}
