import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { InternalChat, InternalMessage, InternalPost, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { markInternalChatRead, sendInternalMessage } from '../../../src/use-cases/internal-chat.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { INTERNAL_EVENT_TYPE, slackInternalKey } from './internal-chat.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';
import { storeSlackFiles } from './slack-files.ts';
import { mentionedUserIds, slackToPlainText } from './slack-text.ts';
import type { SlackReply } from './slack-thread.ts';
import { type SlackMessageEvent, tellPrivately } from './thread-messages.ts';

/** A `dm` command typed to the app with files: a command carries none, so nothing is sent (R25). */
export const isDmCommand = (text: string | undefined): boolean => /^\s*dm\b/i.test(text ?? '');
export const DM_FILES_TEXT =
  'Nothing was sent: a command carries no files. Send the message first, then reply in its thread with the files.';

/** `note: …` at the start of a reply makes it an internal note rather than a message. */
const NOTE_PREFIX = /^\s*note:\s*/i;

/**
 * R25: a reply in the thread of an internal message Parley posted in someone's direct messages
 * with the app continues that internal chat: its text and files go to the other user (for a chat
 * with oneself, it is added to one's notes). Its Slack key refuses a replayed event. A reply in a
 * direct-message thread that is neither a conversation's nor an internal chat's is told so.
 */
export async function onInternalThreadMessage(
  deps: SlackHandlerDeps,
  m: SlackMessageEvent & { user: string; thread_ts: string },
): Promise<void> {
  const where = { channel: m.channel, user: m.user, threadTs: m.thread_ts };
  const chat = await chatOfThread(deps, m.channel, m.thread_ts);
  if (!chat) {
    return tellPrivately(
      deps,
      where,
      'Nothing was sent: this thread is not an internal chat or a conversation (an internal chat may have been deleted). Write `/parley dm @user text` to start one.',
    );
  }
  const sourceKey = `slack:${m.channel}:${m.ts}`;
  if (await deps.em().findOne(InternalMessage, { sourceKey }, { fields: ['id'] })) return;
  const user = await linkedUser(deps.em(), m.user, (id) => lookupEmail(deps, id));
  if (!user) return tellPrivately(deps, where, notLinkedText);
  if (user.id !== chat.userA.id && user.id !== chat.userB.id)
    return tellPrivately(deps, where, 'This internal message is not yours to answer: nothing was sent.');
  const toUserId = chat.userA.id === user.id ? chat.userB.id : chat.userA.id;
  const raw = m.text ?? '';
  const note = NOTE_PREFIX.test(raw);
  try {
    const attachments = m.files?.length ? await storeSlackFiles(m.files, deps) : [];
    const text = slackToPlainText(note ? raw.replace(NOTE_PREFIX, '') : raw, await mentionNames(deps, raw));
    await sendInternalMessage(deps.context(), userActor(user.id), {
      toUserId,
      text: text.trim() || undefined,
      attachments,
      kind: note ? 'note' : 'message',
      sourceKey,
      writtenOn: 'slack',
    });
  } catch (err) {
    // A replayed event raced the first: this message is already recorded.
    if (err instanceof UniqueConstraintViolationException) return;
    if (!isAppError(err)) throw err;
    await tellPrivately(deps, where, `Not sent: ${escapeText(err.message)}`);
  }
}

/**
 * The internal chat whose message heads this DM thread: by the post Parley recorded, or, when the
 * reply came before that record (or Slack's answer to the post was lost), by the Parley message id
 * in the thread root's metadata.
 */
async function chatOfThread(
  deps: SlackHandlerDeps,
  channel: string,
  ts: string,
): Promise<InternalChat | null> {
  const post = await deps
    .em()
    .findOne(
      InternalPost,
      { surface: 'slack', threadKey: slackInternalKey(channel, ts) },
      { populate: ['chat'] },
    );
  if (post) return post.chat;
  const page = await deps.api
    .call<{ messages?: SlackReply[] }>(
      'conversations.replies',
      { channel, ts, limit: 1, include_all_metadata: true },
      { channel },
    )
    .catch((err: unknown) => {
      deps.logger.warn({ err, channel }, 'slack: could not read the root of a DM thread');
      return null;
    });
  const meta = page?.messages?.find((x) => x.ts === ts)?.metadata;
  const id = meta?.event_type === INTERNAL_EVENT_TYPE ? meta.event_payload?.internal_message_id : null;
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const message = await deps.em().findOne(InternalMessage, { id }, { populate: ['chat'] });
  return message?.chat ?? null;
}

async function mentionNames(deps: SlackHandlerDeps, text: string): Promise<Map<string, string>> {
  const ids = mentionedUserIds(text);
  if (ids.length === 0) return new Map();
  const users = await deps.em().find(User, { slackUserId: { $in: ids } });
  return new Map(users.map((u) => [u.slackUserId!, u.name]));
}

/**
 * R25, R12: opening an internal chat from App Home (its Open link goes to the latest message in
 * the DM) marks it read for that user, and their dashboard is redrawn without the unread mark.
 * Anything else opened there (a conversation's thread) is no internal chat: nothing happens.
 */
export async function onInternalChatOpened(deps: SlackHandlerDeps, slackUserId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return;
  // Most Open links are conversations': no internal chat has their id.
  const chat = await deps.em().findOne(InternalChat, { id }, { fields: ['id', 'userA', 'userB'] });
  if (!chat) return;
  const user = await linkedUser(deps.em(), slackUserId, (u) => lookupEmail(deps, u));
  if (!user || (chat.userA.id !== user.id && chat.userB.id !== user.id)) return;
  await markInternalChatRead(deps.context(), userActor(user.id), { chatId: chat.id });
  await deps.surface.publishHome(user.id);
}
