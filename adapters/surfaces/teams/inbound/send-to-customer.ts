import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { sendReply } from '../../../../src/use-cases/send-reply.ts';
import { dialogMessage } from '../cards/dialogs.ts';
import type { InboundActivity } from '../ports.ts';
import { teamsHtmlToText } from '../teams-text.ts';
import { channelOf, isPersonalChat, sourceKey } from './activity.ts';
import type { TeamsInboundDeps } from './deps.ts';
import type { InvokeAnswer } from './invoke-answers.ts';
import { actingUser } from './linked-user.ts';
import { findThreadByConversation } from './thread-reply.ts';

/** The message action's command id (manifest.json, `composeExtensions`). */
export const SEND_TO_CUSTOMER_COMMAND = 'sendToCustomer';

/** What Teams sends with a message action (`composeExtension/fetchTask`, context `message`). */
const messageActionSchema = z.object({
  commandId: z.string(),
  messagePayload: z.object({
    id: z.string().min(1),
    replyToId: z.string().nullish(),
    body: z.object({ content: z.string().nullish() }).nullish(),
    from: z.object({ user: z.unknown().nullish(), application: z.unknown().nullish() }).nullish(),
    attachments: z.array(z.object({ contentType: z.string().nullish() }).loose()).nullish(),
  }),
});

const answer = (text: string): InvokeAnswer => ({ status: 200, body: dialogMessage(text) });
/** People in the text as `@Name`, as the customer reads a reply written in the thread. */
const AT_TAG = /<at\b[^>]*>([^<]*)<\/at>/gi;

/**
 * R41: "Send to customer" in the ⋯ menu (More actions) of a message in a conversation's thread:
 * its text becomes the user's reply (sendReply: the channel's rules, R22, R33). Teams asks for a
 * dialog; the answer is a short message saying what happened. Once per message, whoever chooses it.
 */
export async function onSendToCustomer(deps: TeamsInboundDeps, a: InboundActivity): Promise<InvokeAnswer> {
  const parsed = messageActionSchema.safeParse(a.value);
  if (!parsed.success || parsed.data.commandId !== SEND_TO_CUSTOMER_COMMAND)
    return { status: 200, body: dialogMessage('Parley does not know that action.') };
  const m = parsed.data.messagePayload;
  if (isPersonalChat(a))
    return answer(
      'Send to customer works on messages in a conversation’s channel thread. Here, use Reply… on the conversation’s card.',
    );
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return answer(acting.refusal);
  // The channel thread: Teams names it in the conversation id, or the message names its root.
  const threadId = a.conversation.id.includes(';messageid=')
    ? a.conversation.id
    : `${channelOf(a.conversation.id)};messageid=${m.replyToId ?? m.id}`;
  const [thread] = await findThreadByConversation(deps, threadId);
  if (!thread) return answer('Send to customer works on messages in a conversation’s thread.');
  const conv = thread.conversation;
  if (m.from?.application || !m.from?.user)
    return answer('That is a post by Parley, not a message someone wrote: nothing was sent.');
  if (thread.state !== 'active')
    return answer(`Conversation #${conv.number} is handled privately now, so nothing was sent.`);
  const text = teamsHtmlToText((m.body?.content ?? '').replace(AT_TAG, '@$1')).trim();
  const files = (m.attachments ?? []).some((f) => f.contentType && f.contentType !== 'text/html');
  try {
    const sent = await sendReply(deps.context(), userActor(acting.user.id), {
      conversationId: conv.id,
      text: text || undefined,
      source: {
        key: sourceKey(threadId, `send:${m.id}`),
        origin: { surface: 'teams-action', ref: { conversation: threadId, activityId: m.id } },
      },
    });
    const where = sent.notice ?? `Sent to the customer of #${sent.conversationNumber}.`;
    return answer(files ? `${where} Its files were not: attach them to a reply.` : where);
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      return answer('That message was already sent to the customer; it was not sent again.');
    if (!isAppError(err)) throw err;
    return answer(`Not sent to the customer of #${conv.number}: ${err.message}`);
  }
}
