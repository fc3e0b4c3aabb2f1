import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { App as BoltApp, MessageShortcut, ViewSubmitAction } from '@slack/bolt';
import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { parseInput } from '../../../src/use-cases/input.ts';
import { conversationIdInput } from '../../../src/use-cases/management-support.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { sendSavedReply } from '../../../src/use-cases/send-saved-reply.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';
import type { ModalSubject } from './modals.ts';
import { type SlackFile, storeSlackFiles } from './slack-files.ts';
import { slackToPlainText } from './slack-text.ts';
import { threadAndAuthor } from './thread-lookup.ts';
import { mentionNames, NOTE_REACTION, tellPrivately, tellUser } from './thread-messages.ts';

/**
 * The explicit ways to the customer on Slack (R41), for groups whose plain thread messages are
 * notes, and for anyone who prefers them: the header's Reply… dialog, and "Send to customer" in
 * the ⋯ menu of a message in a conversation's thread. Both send a normal reply (sendReply: the
 * channel's rules, R22's redirect after a close, R33's checks).
 */

export const REPLY_CALLBACK = 'parley_reply';
export const SEND_TO_CUSTOMER_CALLBACK = 'parley_send_to_customer';
const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** Slack's most options in one select, and characters in an option's text. */
const MAX_OPTIONS = 100;
const OPTION_MAX = 75;

/**
 * Reply…: the text goes to the customer as the user's reply. With saved replies (R40), a picker
 * above it: pick one, or write the reply (then optional; the submission wants exactly one).
 */
export const replyModal = (s: ModalSubject, saved: readonly { name: string; mine: boolean }[] = []) => ({
  type: 'modal',
  callback_id: REPLY_CALLBACK,
  private_metadata: s.conversationId,
  title: plain(`Reply to #${s.number}`.slice(0, 24)),
  submit: plain('Send'),
  close: plain('Cancel'),
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text: s.about, verbatim: true } },
    ...(saved.length === 0
      ? []
      : [
          {
            type: 'input',
            block_id: 'saved',
            optional: true,
            label: plain('A saved reply'),
            hint: plain(
              saved.length > MAX_OPTIONS
                ? `The first ${MAX_OPTIONS} of ${saved.length} by name; write !saved <name> in the thread for any other.`
                : '{contact.firstName}, {agent.name}… are filled in for this conversation.',
            ),
            element: {
              type: 'static_select',
              action_id: 'saved',
              placeholder: plain('Pick one, or write below'),
              options: saved.slice(0, MAX_OPTIONS).map((r) => ({
                text: plain(`${r.name}${r.mine ? ' (yours)' : ''}`.slice(0, OPTION_MAX)),
                value: r.name,
              })),
            },
          },
        ]),
    {
      type: 'input',
      block_id: 'reply',
      optional: saved.length > 0,
      label: plain(
        saved.length > 0 ? 'Or your reply (the customer gets it)' : 'Reply (the customer gets it)',
      ),
      element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: 3000 },
    },
  ],
});

export function registerReplyActions(app: BoltApp, deps: SlackHandlerDeps): void {
  app.view<ViewSubmitAction>(REPLY_CALLBACK, async ({ ack, body }) => {
    const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
    if (!user) return ack({ response_action: 'errors', errors: { reply: notLinkedText } });
    try {
      const { conversationId } = parseInput(conversationIdInput, {
        conversationId: body.view.private_metadata,
      });
      const values = body.view.state.values;
      const text = values.reply?.text?.value ?? '';
      const saved = values.saved?.saved?.selected_option?.value ?? '';
      if (!!text.trim() === !!saved) {
        const why = saved
          ? 'Write the reply or pick a saved reply (one of them, not both).'
          : 'Write the reply first.';
        return ack({ response_action: 'errors', errors: { reply: why } });
      }
      const sent = saved
        ? await sendSavedReply(deps.context(), userActor(user.id), { conversationId, name: saved })
        : await sendReply(deps.context(), userActor(user.id), { conversationId, text });
      await ack();
      // R22: the reply went to another conversation; the dialog is gone, so the app's DM says where.
      if (sent.notice) await tellUser(deps, body.user.id, escapeText(sent.notice));
    } catch (err) {
      if (!isAppError(err)) throw err;
      // The refusal (a closed WhatsApp window, an opted-out contact) shows on the field; nothing is lost.
      await ack({ response_action: 'errors', errors: { reply: err.message } });
    }
  });

  app.shortcut<MessageShortcut>(SEND_TO_CUSTOMER_CALLBACK, async ({ ack, shortcut }) => {
    await ack();
    await sendToCustomer(deps, shortcut);
  });
}

type Shortcut = MessageShortcut & { message: MessageShortcut['message'] & { files?: SlackFile[] } };

/** "Send to customer" on a message in a conversation's thread: its text and files become a reply. */
async function sendToCustomer(deps: SlackHandlerDeps, s: Shortcut): Promise<void> {
  const m = s.message;
  const where = { channel: s.channel.id, user: s.user.id, threadTs: m.thread_ts ?? m.ts };
  const user = await linkedUser(deps.em(), s.user.id, (id) => lookupEmail(deps, id));
  if (!user) return tellPrivately(deps, where, notLinkedText);
  const { thread } = await threadAndAuthor(deps.em(), {
    channel: s.channel.id,
    threadTs: m.thread_ts ?? '',
    slackUserId: s.user.id,
  });
  if (!thread || m.thread_ts === m.ts)
    return tellPrivately(deps, where, 'Send to customer works on messages in a conversation’s thread.');
  if (m.bot_id || !m.user)
    return tellPrivately(
      deps,
      where,
      'That is a post by Parley, not a message someone wrote: nothing was sent.',
    );
  if (thread.state !== 'active')
    return tellPrivately(
      deps,
      where,
      'This conversation is handled privately now, so nothing was sent. Its users work on it in their direct messages with Parley.',
    );
  try {
    const raw = m.text ?? '';
    const attachments = m.files?.length ? await storeSlackFiles(m.files, deps) : [];
    const sent = await sendReply(deps.context(), userActor(user.id), {
      conversationId: thread.conversationId,
      text: slackToPlainText(raw, await mentionNames(deps, raw)).trim() || undefined,
      attachments,
      // Once per message, however often the action is chosen: the key refuses a second send.
      source: {
        key: `slack:send:${s.channel.id}:${m.ts}`,
        origin: { surface: 'slack-action', ref: { channel: s.channel.id, ts: m.ts } },
      },
    });
    await deps.api
      .call(
        'reactions.remove',
        { channel: s.channel.id, timestamp: m.ts, name: NOTE_REACTION },
        { channel: s.channel.id },
      )
      .catch(() => {});
    if (sent.notice) await tellPrivately(deps, where, escapeText(sent.notice));
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      return tellPrivately(
        deps,
        where,
        'That message was already sent to the customer; it was not sent again.',
      );
    if (!isAppError(err)) throw err;
    await tellPrivately(deps, where, `Not sent to the customer: ${escapeText(err.message)}`);
  }
}
