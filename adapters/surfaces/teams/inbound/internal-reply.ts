import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InternalMessage, InternalPost, type User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { sendInternalMessage } from '../../../../src/use-cases/internal-chat.ts';
import { teamsInternalKey } from '../internal-chat.ts';
import type { InboundActivity } from '../ports.ts';
import { messageSource } from './activity.ts';
import { storeAgentFiles } from './agent-files.ts';
import type { TeamsInboundDeps } from './deps.ts';
import type { ReadMessage } from './message-text.ts';
import { tellSender } from './tell.ts';

/** `note: …` at the start of a reply makes it an internal note rather than a message. */
const NOTE_PREFIX = /^\s*note:\s*/i;

/**
 * R25: a reply quoting an internal message Parley posted in the person's personal chat continues
 * that internal chat, with the files attached; its Teams key refuses a replayed activity. False
 * when the quoted message is no internal message (the caller goes on as before).
 */
export async function onInternalQuote(
  deps: TeamsInboundDeps,
  a: InboundActivity,
  user: User,
  quotedId: string,
  read: ReadMessage,
): Promise<boolean> {
  const post = await deps
    .em()
    .findOne(
      InternalPost,
      { surface: 'teams', threadKey: teamsInternalKey(a.conversation.id, quotedId) },
      { populate: ['chat'] },
    );
  if (!post) return false;
  if (post.user.id !== user.id) {
    await tellSender(deps, a, 'This internal message is not yours to answer: nothing was sent.');
    return true;
  }
  const source = messageSource(a);
  if (await deps.em().findOne(InternalMessage, { sourceKey: source.key }, { fields: ['id'] })) return true;
  const { chat } = post;
  const note = NOTE_PREFIX.test(read.plain);
  try {
    const attachments = await storeAgentFiles(deps, a);
    const text = (note ? read.plain.replace(NOTE_PREFIX, '') : read.plain).trim();
    await sendInternalMessage(deps.context(), userActor(user.id), {
      toUserId: chat.userA.id === user.id ? chat.userB.id : chat.userA.id,
      text: text || undefined,
      attachments,
      kind: note ? 'note' : 'message',
      sourceKey: source.key,
      writtenOn: 'teams',
    });
  } catch (err) {
    // Teams sent the message again while the first was being recorded.
    if (err instanceof UniqueConstraintViolationException) return true;
    if (!isAppError(err)) throw err;
    await tellSender(deps, a, `Not sent: ${err.message}`);
  }
  return true;
}
