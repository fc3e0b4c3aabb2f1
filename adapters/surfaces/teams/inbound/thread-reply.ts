import { isCommandName } from '../../../../src/commands/help-text.ts';
import { SurfaceThread } from '../../../../src/db/entities/index.ts';
import type { InboundActivity } from '../ports.ts';
import { messageSource } from './activity.ts';
import { hasAgentFiles } from './agent-files.ts';
import { runTeamsCommand } from './commands.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { actingUser } from './linked-user.ts';
import { type ReadMessage, readMessage } from './message-text.ts';
import { tellSender } from './tell.ts';
import { writeInConversation } from './written-in-conversation.ts';

/** The conversation whose Teams place has this conversation id (a channel post's thread, or a personal chat). */
export function findThreadByConversation(deps: TeamsInboundDeps, conversation: string) {
  return deps
    .em()
    .find(SurfaceThread, { surface: 'teams', ref: { conversation } }, { populate: ['conversation'] });
}

/** An answer read away from its thread names the conversation it is about. */
export const about = (conv: { number: number }, text: string) =>
  new RegExp(`#${conv.number}\\b`).test(text) ? text : `#${conv.number}: ${text}`;

export const FILES_WITH_COMMAND =
  'Nothing was done: a command cannot carry files. To send them to the customer, write the message without @Parley.';

/** A message written to the app (`@Parley close`): a command of the shared grammar. */
export const isCommand = (read: ReadMessage) =>
  read.addressed && read.firstWord !== null && isCommandName(read.firstWord);

/**
 * A message in a team channel or a group chat (R29, R30). In the thread of a conversation's post:
 * `@Parley <command>` runs the command on that conversation, anything else is a reply to the
 * customer. Elsewhere only a message to the app means anything (a command naming its
 * conversation). Answers and refusals go to the person's personal chat with the app: a channel
 * cannot show a message to one person.
 */
export async function onChannelMessage(deps: TeamsInboundDeps, a: InboundActivity): Promise<void> {
  const read = readMessage(a);
  const [thread] = await findThreadByConversation(deps, a.conversation.id);
  if (!thread && !read.addressed) return;
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return tellSender(deps, a, acting.refusal);
  const { user } = acting;
  if (!thread) {
    const answer = isCommand(read)
      ? await runTeamsCommand(deps, { user, activity: a, read })
      : "That is not a Parley command. In a conversation's thread, `@Parley help` lists them; here, name the conversation, e.g. `@Parley close #1042`.";
    return answer === null ? undefined : tellSender(deps, a, answer);
  }
  const conv = thread.conversation;
  if (thread.state !== 'active') {
    return tellSender(
      deps,
      a,
      `Conversation #${conv.number} is handled privately now, so your message was not sent to the customer. Its users work on it in their chat with Parley.`,
    );
  }
  if (isCommand(read)) {
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
  if (read.addressed && !read.plain && !hasAgentFiles(a)) {
    return tellSender(
      deps,
      a,
      `#${conv.number}: write a command after @Parley (\`@Parley help\` lists them), or write to the customer without mentioning Parley.`,
    );
  }
  await writeInConversation(deps, a, user, conv, read);
}
