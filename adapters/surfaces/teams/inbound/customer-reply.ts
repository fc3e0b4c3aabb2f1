import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { sendReply } from '../../../../src/use-cases/send-reply.ts';
import type { InboundActivity } from '../ports.ts';
import { messageSource } from './activity.ts';
import { storeAgentFiles } from './agent-files.ts';
import type { TeamsInboundDeps } from './deps.ts';
import type { ReadMessage } from './message-text.ts';
import { tellSender } from './tell.ts';

/**
 * R29: what a person wrote in a conversation's place in Teams (its post's thread, or a quote of
 * it in their personal chat) goes to the customer, with the files they attached. The message's
 * key refuses a replay; a refusal (closed window, nothing to send, a file Parley cannot fetch)
 * is told to them privately, and nothing is sent.
 */
export async function replyToCustomer(
  deps: TeamsInboundDeps,
  a: InboundActivity,
  user: User,
  conversation: { id: string; number: number },
  read: ReadMessage,
): Promise<void> {
  try {
    const attachments = await storeAgentFiles(deps, a);
    const sent = await sendReply(deps.context(), userActor(user.id), {
      conversationId: conversation.id,
      text: read.plain || undefined,
      attachments,
      source: messageSource(a),
    });
    if (sent.notice) await tellSender(deps, a, sent.notice);
  } catch (err) {
    // Teams sent the message again: it is already recorded.
    if (err instanceof UniqueConstraintViolationException) return;
    if (!isAppError(err)) throw err;
    await tellSender(deps, a, `Not sent to the customer of #${conversation.number}: ${err.message}`);
  }
}
