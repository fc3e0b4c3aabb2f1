import { Container, ExecuteAction, SubmitAction } from '@microsoft/teams.cards';
import type { ThreadHeader } from '../../../../src/ports/agent-surface.ts';
import { CARD_VERBS, type OutboundActivity } from '../ports.ts';
import { adaptiveCard, cardActivity, channelName, clipped, line, oneLine, run } from './card-kit.ts';

/**
 * The conversation's header card (R28, R30, R31): the channel post's root, or the first card of
 * the conversation in a user's personal chat with the app. The surface redraws it by updating
 * the activity whenever the header changes. Buttons:
 * - Assign to me, Close / Reopen: Action.Execute (Universal Actions), verb from CARD_VERBS, data
 *   `{ conversationId }`; Teams sends an `adaptiveCard/action` invoke.
 * - Reply…, Assign…, Visibility…, Add note… (Reply… first in the personal chat, which has no
 *   thread to reply in; R41 in the channel): Action.Submit with `msteams: { type: 'task/fetch' }`, which makes Teams send a `task/fetch`
 *   invoke whose `value.data` is `{ verb, conversationId, msteams }`; the answer is a dialog (dialogs.ts).
 */

export type HeaderPlace = 'channel' | 'personal';

const STATUS = { open: 'Open', closed: 'Closed', deleted: 'Deleted' } as const;
const AI = {
  off: null,
  active: '🤖 AI agent answering',
  handed_off: '🙋 Handed off by the AI agent',
} as const;
/** Assignee names shown before "and N more": a header is a glance, not the list. */
const MAX_NAMES = 10;

const execute = (title: string, verb: string, conversationId: string) =>
  new ExecuteAction({ title, verb, data: { conversationId } });

/** A button that opens one of the dialogs of dialogs.ts. */
export const dialogButton = (title: string, verb: string, conversationId: string) =>
  new SubmitAction({ title, data: { msteams: { type: 'task/fetch' }, verb, conversationId } });

export function headerCard(header: ThreadHeader, opts: { place: HeaderPlace }): OutboundActivity {
  const name = oneLine(header.contactName);
  const via = channelName(header.channel);
  const status = STATUS[header.status];
  const body = [
    line(
      run(`#${header.number} · `, { bold: true, size: 'Medium' }),
      run(name, { bold: true, size: 'Medium' }),
      run(` · ${via}`, { subtle: true }),
    ),
    line(run('Status: ', { bold: true }), status),
    line(run('Assigned: ', { bold: true }), ...assigneeRuns(header.assignees)),
    header.unrepliedCount > 0
      ? line(run(`🔴 ${header.unrepliedCount} unreplied`, { bold: true, color: 'Attention' }))
      : line(run('✅ Nothing unreplied', { subtle: true })),
  ];
  const ai = AI[header.aiState];
  if (ai) body.push(line(ai));
  if (header.unpaidInvoices?.length) {
    const unpaid = header.unpaidInvoices.map((i) => `${i.reference} (${i.amount})`).join(', ');
    body.push(line(run('🧾 Unpaid: ', { bold: true }), clipped(unpaid, 500)));
  }
  if (header.slaBreached) {
    const since = `the customer has waited for a reply since ${header.slaBreached.waitingSince}.`;
    body.push(line(run('🚨 SLA breached: ', { bold: true, color: 'Attention' }), since));
  }
  if (header.restricted) {
    body.push(
      line(run('🔒 Restricted: only the people on its list see this conversation.', { italic: true })),
    );
  }
  const card = adaptiveCard(
    [new Container(...body)],
    header.status === 'deleted' ? [] : actions(header, opts.place),
  );
  const unreplied = header.unrepliedCount > 0 ? ` · ${header.unrepliedCount} unreplied` : '';
  return cardActivity(card, `#${header.number} · ${name} (${via}) · ${status}${unreplied}`);
}

function assigneeRuns(assignees: ThreadHeader['assignees']) {
  if (assignees.length === 0) return [run('Unassigned', { italic: true })];
  const names = assignees.slice(0, MAX_NAMES).map((a) => oneLine(a.name, 60));
  const more = assignees.length - names.length;
  return [
    run(clipped(names.join(', '), 700)),
    ...(more > 0 ? [run(` and ${more} more`, { subtle: true })] : []),
  ];
}

function actions(header: ThreadHeader, place: HeaderPlace) {
  const id = header.conversationId;
  const list = [
    execute('Assign to me', CARD_VERBS.assignMe, id).withStyle('positive'),
    dialogButton('Assign…', CARD_VERBS.assign, id),
    dialogButton('Visibility…', CARD_VERBS.visibility, id),
    header.status === 'closed'
      ? execute('Reopen', CARD_VERBS.reopen, id)
      : execute('Close', CARD_VERBS.close, id),
    dialogButton('Add note…', CARD_VERBS.note, id),
  ];
  // In the personal chat (no thread to reply in) Reply… comes first; in the channel it is the
  // explicit way to the customer when the group's plain thread messages are notes (R41).
  const reply = dialogButton('Reply…', CARD_VERBS.reply, id);
  if (place === 'personal') list.unshift(reply.withStyle('positive'));
  else list.splice(list.length - 1, 0, reply);
  return list;
}
