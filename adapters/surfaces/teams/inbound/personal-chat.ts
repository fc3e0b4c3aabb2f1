import { isCommandName } from '../../../../src/commands/help-text.ts';
import { SurfacePost, type SurfaceThread } from '../../../../src/db/entities/index.ts';
import type { InboundActivity } from '../ports.ts';
import { messageSource, quotedMessageId } from './activity.ts';
import { hasAgentFiles } from './agent-files.ts';
import { runTeamsCommand } from './commands.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { onInternalQuote } from './internal-reply.ts';
import { actingUser } from './linked-user.ts';
import { readMessage } from './message-text.ts';
import { tellSender } from './tell.ts';
import { about, FILES_WITH_COMMAND, findThreadByConversation, isCommand } from './thread-reply.ts';
import { writeInConversation } from './written-in-conversation.ts';

export const PERSONAL_HELP =
  'To answer a customer here, reply to (quote) one of their conversation’s messages, or write `reply #1042 your text`. `help` lists every command.';

/**
 * A message in a person's personal chat with the app (R30, R31). A reply to (quote of) one of a
 * conversation's messages there answers its customer (`@Parley <command>` in it acts on that
 * conversation); anything else is read as a command; what is neither gets a short help.
 */
export async function onPersonalMessage(deps: TeamsInboundDeps, a: InboundActivity): Promise<void> {
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return tellSender(deps, a, acting.refusal);
  const { user } = acting;
  const read = readMessage(a);
  const quoted = quotedMessageId(a);
  const thread = quoted ? await threadOfQuote(deps, a.conversation.id, quoted) : null;
  // R25: a quote of an internal message continues that internal chat.
  if (quoted && !thread && (await onInternalQuote(deps, a, user, quoted, read))) return;
  if (thread) {
    const conv = thread.conversation;
    if (thread.state !== 'active') {
      return tellSender(
        deps,
        a,
        `Conversation #${conv.number} is no longer in your chat with Parley: nothing was sent.`,
      );
    }
    if (!isCommand(read)) return writeInConversation(deps, a, user, conv, read);
    if (hasAgentFiles(a)) return tellSender(deps, a, about(conv, FILES_WITH_COMMAND));
    const answer = await runTeamsCommand(deps, {
      user,
      activity: a,
      read,
      impliedConversationId: conv.id,
      source: messageSource(a),
    });
    return answer === null ? undefined : tellSender(deps, a, about(conv, answer));
  }
  if (hasAgentFiles(a)) {
    return tellSender(
      deps,
      a,
      'Nothing was sent. To send a file to a customer, reply to (quote) one of their conversation’s messages here, with the file attached.',
    );
  }
  if (!read.firstWord || !isCommandName(read.firstWord)) return tellSender(deps, a, PERSONAL_HELP);
  const answer = await runTeamsCommand(deps, { user, activity: a, read, source: messageSource(a) });
  if (answer !== null) await tellSender(deps, a, answer);
}

/**
 * The conversation a quoted message in this personal chat belongs to: its header card (the
 * thread's root) or any of its items posted there.
 */
async function threadOfQuote(
  deps: TeamsInboundDeps,
  chat: string,
  messageId: string,
): Promise<SurfaceThread | null> {
  const threads = await findThreadByConversation(deps, chat);
  const byRoot = threads.find((t) => t.ref.root === messageId);
  if (byRoot || threads.length === 0) return byRoot ?? null;
  const post = await deps.em().findOne(SurfacePost, {
    thread: { $in: threads.map((t) => t.id) },
    ref: { activityId: messageId },
  });
  return (post && threads.find((t) => t.id === post.thread.id)) ?? null;
}
