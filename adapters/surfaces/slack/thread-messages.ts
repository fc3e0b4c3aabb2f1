import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import type { MessageSource } from '../../../src/use-cases/timeline.ts';
import { writeInThread } from '../../../src/use-cases/write-in-thread.ts';
import { runSlackCommand } from './command-answer.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { DM_FILES_TEXT, isDmCommand, onInternalThreadMessage } from './internal-chat-events.ts';
import { linkByEmail, linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';
import { type SlackFile, storeSlackFiles } from './slack-files.ts';
import { mentionedUserIds, onlyMentions, slackToPlainText } from './slack-text.ts';
import { type SlackAuthor, threadAndAuthor, type WrittenInThread } from './thread-lookup.ts';

/*
 * New messages people write where Parley listens (R29, R30): in a conversation's thread, a plain
 * message is a reply to the customer (or a note: R41, write-in-thread.ts) and `!command` runs a
 * command on that conversation; a
 * message straight to the app in its DM runs a command. The app's own posts never come back in.
 * Edits and deletions are thread-revisions.ts; message-events.ts routes each event.
 */

/** The fields of a Slack `message` event Parley reads. */
export interface SlackMessageEvent {
  type: 'message';
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  files?: SlackFile[];
  message?: SlackMessageEvent;
  previous_message?: SlackMessageEvent;
  deleted_ts?: string;
}

/** Prefix of a command written in a thread: `!note VIP`, `!close`, `!assign @bob`. */
export const THREAD_COMMAND_PREFIX = '!';

/** A private line to one user, in the thread when there is one. `text` is mrkdwn, already escaped. */
export async function tellPrivately(
  deps: SlackHandlerDeps,
  where: { channel: string; user: string; threadTs?: string },
  text: string,
): Promise<void> {
  // A courtesy after the work is committed: failing to say it must not fail (and replay) the event.
  await deps.api
    .call('chat.postEphemeral', {
      channel: where.channel,
      user: where.user,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
      text,
    })
    .catch((err) =>
      deps.logger.warn({ err, channel: where.channel }, 'could not tell a Slack user privately'),
    );
}

/** A private line in the user's DM with the app (an answer with no thread to go to: a button's, a dialog's). */
export async function tellUser(deps: SlackHandlerDeps, slackUserId: string, text: string): Promise<void> {
  await deps.api
    .call('chat.postMessage', { channel: slackUserId, text, unfurl_links: false, unfurl_media: false })
    .catch((err) => deps.logger.warn({ err }, 'could not tell a Slack user privately'));
}

/** Handles one new human message; exported for the sweep that finds replies Slack never sent as events. */
export async function onNewMessage(deps: SlackHandlerDeps, event: SlackMessageEvent): Promise<void> {
  if (event.bot_id || !event.user) return;
  const m = event as SlackMessageEvent & { user: string };
  const inThread = !!m.thread_ts && m.thread_ts !== m.ts;
  const where = { channel: m.channel, user: m.user, threadTs: inThread ? m.thread_ts : undefined };
  if (!inThread) {
    // A message straight to the app (its DM, not a thread): read it as a command.
    if (m.channel_type !== 'im') return;
    const user = await linkedUser(deps.em(), m.user, (id) => lookupEmail(deps, id));
    if (!user) return tellPrivately(deps, where, notLinkedText);
    if (m.files?.length && isDmCommand(m.text)) return tellPrivately(deps, where, DM_FILES_TEXT);
    const answer = await runSlackCommand(deps, { userId: user.id, text: m.text ?? '' });
    await deps.api.call('chat.postMessage', {
      channel: m.channel,
      ...answer,
      unfurl_links: false,
      unfurl_media: false,
    });
    return;
  }
  const { thread, author } = await threadAndAuthor(deps.em(), {
    channel: m.channel,
    threadTs: m.thread_ts!,
    slackUserId: m.user,
  });
  // R25: in the app's DM, a thread that is no conversation's may be an internal chat's.
  if (!thread)
    return m.channel_type === 'im'
      ? onInternalThreadMessage(deps, { ...m, thread_ts: m.thread_ts! })
      : undefined;
  // Handled once, whether it came as an event, as Slack's retry of it, or from the sweep.
  const marker = `${deps.prefix}:slack:handled:${m.channel}:${m.ts}`;
  if (!(await deps.redis.set(marker, '1', 'EX', HANDLED_TTL_SECONDS, 'NX'))) return;
  try {
    await onThreadMessage(deps, m, { thread, author }, where);
  } catch (err) {
    await deps.redis.del(marker).catch(() => {});
    throw err;
  }
}

const HANDLED_TTL_SECONDS = 7 * 24 * 3600;

async function onThreadMessage(
  deps: SlackHandlerDeps,
  m: SlackMessageEvent & { user: string },
  { thread, author }: { thread: WrittenInThread; author: SlackAuthor },
  where: { channel: string; user: string; threadTs?: string },
): Promise<void> {
  const ctx = deps.context();
  // Someone nobody has linked yet may be linked here by their Slack profile's email (R33).
  const userId = author.linked
    ? author.activeUserId
    : (await linkByEmail(ctx.em, m.user, (id) => lookupEmail(deps, id)))?.id;
  if (!userId) return tellPrivately(deps, where, notLinkedText);
  if (thread.state !== 'active') {
    return tellPrivately(
      deps,
      where,
      'This conversation is handled privately now, so your message was not sent to the customer. Its users work on it in their direct messages with Parley.',
    );
  }
  const source: MessageSource = {
    key: `slack:${m.channel}:${m.ts}`,
    origin: { surface: 'slack', ref: { channel: m.channel, ts: m.ts, thread_ts: m.thread_ts } },
  };
  const text = m.text ?? '';
  if (text.trimStart().startsWith(THREAD_COMMAND_PREFIX)) {
    const answer = await runSlackCommand(deps, {
      userId,
      text: text.trimStart().slice(THREAD_COMMAND_PREFIX.length),
      impliedConversationId: thread.conversationId,
      source,
    });
    return tellPrivately(deps, where, answer.text);
  }
  try {
    const attachments = m.files?.length ? await storeSlackFiles(m.files, deps) : [];
    const names = await mentionNames(deps, text);
    const wrote = await writeInThread(ctx, userActor(userId), {
      conversationId: thread.conversationId,
      text: slackToPlainText(text, names).trim() || undefined,
      attachments,
      source,
      onlyMentions: onlyMentions(text),
    });
    if (wrote.became === 'reply') {
      if (wrote.reply.notice) await tellPrivately(deps, where, escapeText(wrote.reply.notice));
      return;
    }
    // R41: the thread shows which messages stayed inside: a note carries the memo mark.
    await deps.api
      .call(
        'reactions.add',
        { channel: m.channel, timestamp: m.ts, name: NOTE_REACTION },
        { channel: m.channel },
      )
      .catch((err) =>
        deps.logger.warn({ err, channel: m.channel }, 'could not mark a Slack message as a note'),
      );
    if (wrote.tell) await tellPrivately(deps, where, keptAsNoteText(wrote.because));
  } catch (err) {
    // A replayed event: this message is already recorded.
    if (err instanceof UniqueConstraintViolationException) return;
    if (!isAppError(err)) throw err;
    // Refusals can quote a customer's name: escaped, so it never becomes a link or a mention.
    await tellPrivately(deps, where, `Not sent to the customer: ${escapeText(err.message)}`);
  }
}

/** R41: the reaction on a person's thread message that stayed an internal note. */
export const NOTE_REACTION = 'memo';

/** What the author is told when their thread message stayed a note (R41). */
export function keptAsNoteText(because: 'explicit' | 'mentions'): string {
  return because === 'mentions'
    ? 'Kept as an internal note: your message only mentions teammates, so the customer did not get it. To write to the customer, write without the mention, or start with `!reply`.'
    : "Kept as an internal note: this group's replies are explicit, so messages in the thread stay with the team. To send one to the customer, start it with `!reply`, use *Reply…* on the conversation, or *Send to customer* in a message's ⋯ menu.";
}

/** The Parley names of the people a Slack message mentions, by Slack id (for the customer's text). */
export async function mentionNames(deps: SlackHandlerDeps, text: string): Promise<Map<string, string>> {
  const ids = mentionedUserIds(text);
  if (ids.length === 0) return new Map();
  const users = await deps.em().find(User, { slackUserId: { $in: ids } });
  return new Map(users.map((u) => [u.slackUserId!, u.name]));
}
