import { userActor } from '../../../src/domain/actor.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { reviseOwnMessage } from '../../../src/use-cases/revise-own-message.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { linkedUser, lookupEmail } from './linked-user.ts';
import { slackToPlainText } from './slack-text.ts';
import { type SlackMessageEvent, tellPrivately } from './thread-messages.ts';

/**
 * An agent edits or deletes their message in a conversation's thread. Before delivery the edit
 * changes what the customer gets and a deletion withdraws the reply; after delivery the customer
 * already has it, and the agent is told privately that the change did not reach them.
 */
export async function onMessageChanged(deps: SlackHandlerDeps, e: SlackMessageEvent): Promise<void> {
  const m = e.message;
  if (!m?.user || m.bot_id || !m.thread_ts || m.thread_ts === m.ts) return;
  if ((m.text ?? '') === (e.previous_message?.text ?? '')) return; // an unfurl or a reaction, not an edit
  await revise(deps, { channel: e.channel, ts: m.ts, user: m.user, threadTs: m.thread_ts }, m.text ?? '');
}

export async function onMessageDeleted(deps: SlackHandlerDeps, e: SlackMessageEvent): Promise<void> {
  const m = e.previous_message;
  if (!m?.user || m.bot_id || !m.thread_ts || m.thread_ts === m.ts) return;
  await revise(deps, { channel: e.channel, ts: m.ts, user: m.user, threadTs: m.thread_ts }, null);
}

async function revise(
  deps: SlackHandlerDeps,
  at: { channel: string; ts: string; user: string; threadTs: string },
  newText: string | null,
): Promise<void> {
  const user = await linkedUser(deps.em(), at.user, (id) => lookupEmail(deps, id));
  if (!user) return;
  const text = newText === null ? null : slackToPlainText(newText).trim();
  try {
    const { outcome } = await reviseOwnMessage(deps.context(), userActor(user.id), {
      sourceRef: `slack:${at.channel}:${at.ts}`,
      change: text ? { kind: 'edit', text } : { kind: 'withdraw' },
    });
    const where = { channel: at.channel, user: at.user, threadTs: at.threadTs };
    if (outcome === 'withdrawn') {
      await tellPrivately(
        deps,
        where,
        'Your reply was deleted before it was sent: the customer will not get it.',
      );
    } else if (outcome === 'already_sent') {
      await tellPrivately(
        deps,
        where,
        newText === null
          ? 'The customer already received this message: deleting it in Slack does not take it back from them.'
          : 'Your edit was not delivered to the customer: they already received the earlier text.',
      );
    }
  } catch (err) {
    if (!isAppError(err)) throw err;
    const where = { channel: at.channel, user: at.user, threadTs: at.threadTs };
    await tellPrivately(deps, where, escapeText(err.message));
  }
}
