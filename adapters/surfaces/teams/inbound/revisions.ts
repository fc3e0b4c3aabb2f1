import { isParseError, parseCommand } from '../../../../src/commands/parse-command.ts';
import { Message } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { reviseOwnMessage } from '../../../../src/use-cases/revise-own-message.ts';
import type { InboundActivity } from '../ports.ts';
import { isFromBot, sourceKey } from './activity.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { actingUser } from './linked-user.ts';
import { commandPlainText, commandText, type ReadMessage, readMessage } from './message-text.ts';
import { tellSender } from './tell.ts';
import { isCommand } from './thread-reply.ts';

/**
 * A person edits or deletes, in Teams, a message Parley recorded (a reply, or a note written as
 * `@Parley note …`). Before delivery the edit changes what the customer gets and a deletion
 * withdraws the reply; after delivery the customer already has it, and the person is told so
 * privately. Teams names the changed message by the activity's id and conversation.
 */
export async function onMessageChanged(
  deps: TeamsInboundDeps,
  a: InboundActivity,
  change: 'edited' | 'deleted',
): Promise<void> {
  if (isFromBot(a)) return;
  const sourceRef = sourceKey(a.conversation.id, a.id);
  const recorded = await deps.em().findOne(Message, { sourceRef }, { fields: ['id', 'meta', 'kind'] });
  // Not a message Parley recorded, or one already withdrawn (Teams may tell a deletion twice).
  if (!recorded || recorded.meta?.withdrawn) return;
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return;
  if (a.channelData?.eventType === 'undeleteMessage') {
    return tellSender(
      deps,
      a,
      'Restoring the message in Teams does not send it again: write it again to send it.',
    );
  }
  const text = change === 'deleted' ? null : revisedText(readMessage(a));
  if (text === undefined) return;
  try {
    const { outcome } = await reviseOwnMessage(deps.context(), userActor(acting.user.id), {
      sourceRef,
      change: text ? { kind: 'edit', text } : { kind: 'withdraw' },
    });
    if (outcome === 'withdrawn') {
      await tellSender(deps, a, 'Your reply was deleted before it was sent: the customer will not get it.');
    } else if (outcome === 'already_sent') {
      await tellSender(
        deps,
        a,
        text === null
          ? 'The customer already received this message: deleting it in Teams does not take it back from them.'
          : 'Your edit was not delivered to the customer: they already received the earlier text.',
      );
    }
  } catch (err) {
    if (!isAppError(err)) throw err;
    await tellSender(deps, a, err.message);
  }
}

/**
 * The new text of an edited message: a plain message's text, or the text of a `@Parley reply` /
 * `@Parley note` command; null when nothing is left (the edit then withdraws, as a deletion);
 * undefined for an edit that changes no recorded text (another command).
 */
function revisedText(read: ReadMessage): string | null | undefined {
  if (!isCommand(read)) return read.plain || null;
  const parsed = parseCommand(commandText(read, new Map()), { plainText: commandPlainText });
  if (isParseError(parsed)) return undefined;
  if (parsed.kind === 'note') return parsed.text;
  if (parsed.kind === 'reply') return parsed.text ?? undefined;
  return undefined;
}
