import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { writeInThread } from '../../../../src/use-cases/write-in-thread.ts';
import type { InboundActivity } from '../ports.ts';
import { messageSource } from './activity.ts';
import { storeAgentFiles } from './agent-files.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { onlyMentions, type ReadMessage } from './message-text.ts';
import { tellSender } from './tell.ts';

/** What the author of a Teams message that stayed a note is told (R41). */
export function keptAsNoteText(because: 'explicit' | 'mentions'): string {
  return because === 'mentions'
    ? 'Kept as an internal note: your message only mentions teammates, so the customer did not get it. To write to the customer, write without the mention, or with `@Parley reply`.'
    : "Kept as an internal note: this group's replies are explicit, so messages in the thread stay with the team. To send one to the customer, write `@Parley reply` and the text, use Reply… on the conversation's card, or Send to customer in a message's ⋯ menu (More actions).";
}

/**
 * R29: what a person wrote in a conversation's place in Teams (its post's thread, or a quote of
 * it in their personal chat) goes to the customer, with the files they attached — or, R41, stays
 * an internal note (write-in-thread.ts). The message's
 * key refuses a replay; a refusal (closed window, nothing to send, a file Parley cannot fetch)
 * is told to them privately, and nothing is sent.
 */
export async function writeInConversation(
  deps: TeamsInboundDeps,
  a: InboundActivity,
  user: User,
  conversation: { id: string; number: number },
  read: ReadMessage,
): Promise<void> {
  try {
    const attachments = await storeAgentFiles(deps, a);
    const wrote = await writeInThread(deps.context(), userActor(user.id), {
      conversationId: conversation.id,
      text: read.plain || undefined,
      attachments,
      source: messageSource(a),
      onlyMentions: onlyMentions(read),
    });
    if (wrote.became === 'reply') {
      if (wrote.reply.notice) await tellSender(deps, a, wrote.reply.notice);
      return;
    }
    // R41: Teams lets no app mark a person's message, so the author is told (once per
    // conversation in an explicit group, where every plain message is a note).
    if (wrote.tell) await tellSender(deps, a, `#${conversation.number}: ${keptAsNoteText(wrote.because)}`);
  } catch (err) {
    // Teams sent the message again: it is already recorded.
    if (err instanceof UniqueConstraintViolationException) return;
    if (!isAppError(err)) throw err;
    await tellSender(deps, a, `Not sent to the customer of #${conversation.number}: ${err.message}`);
  }
}
