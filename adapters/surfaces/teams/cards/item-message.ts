import { AdaptiveCard, Container, ExecuteAction, ShowCardAction, SubmitAction } from '@microsoft/teams.cards';
import type { MirrorItem } from '../../../../src/ports/agent-surface.ts';
import { CARD_VERBS, type OutboundActivity } from '../ports.ts';
import {
  adaptiveCard,
  type CardActions,
  type CardBody,
  cardActivity,
  fitted,
  itemMarker,
  line,
  oneLine,
  plural,
  run,
} from './card-kit.ts';
import {
  attachmentPart,
  deliveryBlock,
  draftDecisionBlock,
  type MediaLink,
  textBlocks,
} from './item-parts.ts';

/**
 * One post for one timeline item, or for several consecutive items of one author combined (R28,
 * R29): who wrote it (a bot cannot post under the customer's name in Teams, so the card says it),
 * the text as written, images inline and other files as Parley's signed links, and for outbound
 * items each one's delivery state. The surface redraws the whole post (updateItem) with the same
 * call when a state changes, so a combined post shows every item's current state.
 * A private note sits in a warning-coloured box headed "Private note … not sent to the customer".
 * An AI draft (R36) sits in an accent box headed "AI draft · only the team sees this · not sent
 * yet", with Send (Action.Execute), Edit… (a dialog) and Discard… (which asks first, in a card
 * shown under it) while it waits; once decided it is redrawn without buttons, saying who sent or
 * discarded it. It is never combined with other items (shared/combine-items.ts).
 * In a personal chat there are no threads, so every post starts with the conversation's number.
 * The card's `id` is the hidden mark `parley-items:<message ids>` (card-kit.ts: readItemMarker).
 */

export interface ItemMessageOpts {
  place: 'channel' | 'personal';
  conversationNumber: number;
  mediaLink: MediaLink;
  /** The Parley conversation: an AI draft's Edit… dialog names it (inbound/dialogs.ts). */
  conversationId?: string;
}

/** Characters of text for the whole post before it is cut to fit the message size limit. */
const TEXT_BUDGET = 12_000;
/** Attachments shown in one post; more are counted ("3 more files in Parley"). */
const MAX_FILES = 20;

const ROLE: Record<string, string> = {
  inbound: 'customer',
  reply: 'reply to the customer',
  ai: 'AI reply',
  auto_response: 'automatic reply',
  ai_draft: 'AI draft',
};

export function itemMessage(items: MirrorItem[], opts: ItemMessageOpts): OutboundActivity {
  const first = items[0];
  if (!first) throw new Error('itemMessage needs at least one item.');
  const id = itemMarker(items.map((i) => i.messageId));
  const actions = items.length === 1 ? draftActions(first, opts) : [];
  return fitted(
    (budget) =>
      cardActivity(
        adaptiveCard(body(items, opts, Math.floor(budget / items.length)), actions, { id, fullWidth: true }),
        summary(items, opts),
      ),
    TEXT_BUDGET,
  );
}

/**
 * A waiting AI draft's buttons: Send and Discard act at once (inbound/card-actions.ts), Edit…
 * opens a dialog with its text (Action.Submit `task/fetch`, inbound/dialogs.ts). Discard… first
 * shows a card under the draft asking to confirm. Data: `{ draftId, conversationId }`.
 */
function draftActions(item: MirrorItem, opts: ItemMessageOpts): CardActions {
  if (item.kind !== 'ai_draft' || (item.draft?.state ?? 'pending') !== 'pending') return [];
  const data = { draftId: item.messageId, conversationId: opts.conversationId ?? '' };
  const confirm = new AdaptiveCard(
    line(run('Discard this AI draft? Nothing is sent to the customer.', { bold: true })),
  ).withActions(
    new ExecuteAction({ title: 'Discard', verb: CARD_VERBS.aiDraftDiscard, data }).withStyle('destructive'),
  );
  return [
    new ExecuteAction({ title: 'Send', verb: CARD_VERBS.aiDraftSend, data }).withStyle('positive'),
    new SubmitAction({
      title: 'Edit…',
      data: { msteams: { type: 'task/fetch' }, verb: CARD_VERBS.aiDraftEdit, ...data },
    }),
    new ShowCardAction({ title: 'Discard…', card: confirm }),
  ];
}

function body(items: MirrorItem[], opts: ItemMessageOpts, textBudget: number): CardBody {
  const first = items[0]!;
  const number = opts.place === 'personal' ? run(`#${opts.conversationNumber} · `, { bold: true }) : '';
  if (first.kind === 'system') {
    const lines = items.flatMap((i) => textBlocks(i.text ?? '', textBudget));
    return [line(number, run('ℹ️ Parley', { subtle: true })), ...lines];
  }
  const name = oneLine(first.authorName);
  let filesLeft = MAX_FILES;
  const parts: CardBody = [];
  for (const item of items) {
    const text = textBlocks(item.text ?? '', textBudget);
    const files = item.attachments
      .slice(0, Math.max(0, filesLeft))
      .map((a) => attachmentPart(a, opts.mediaLink));
    filesLeft -= item.attachments.length;
    if (text.length === 0 && item.attachments.length === 0)
      text.push(line(run('(empty message)', { italic: true })));
    const state = deliveryBlock(item);
    parts.push(...text, ...files, ...(state ? [state] : []));
  }
  if (filesLeft < 0) parts.push(line(run(`${plural(-filesLeft, 'more file')} in Parley`, { italic: true })));
  if (first.kind === 'ai_draft') {
    const waiting = (first.draft?.state ?? 'pending') === 'pending';
    const head = line(
      number,
      run('🤖 AI draft', { bold: true }),
      ' by ',
      run(name, { bold: true }),
      run(waiting ? ' · only the team sees this · not sent yet' : ' · only the team saw this', {
        italic: true,
      }),
    );
    const decision = draftDecisionBlock(first);
    const box = new Container(head, ...parts, ...(decision ? [decision] : []));
    return [waiting ? box.withStyle('accent') : box];
  }
  if (first.kind === 'note') {
    const head = line(
      number,
      run('🔒 Private note', { bold: true }),
      ' by ',
      run(name, { bold: true }),
      run(' · not sent to the customer', { italic: true }),
    );
    return [new Container(head, ...parts).withStyle('warning')];
  }
  const role = ROLE[first.kind] ?? first.kind;
  return [line(number, run(name, { bold: true }), run(` · ${role}`, { subtle: true })), ...parts];
}

/** What a notification shows: who, and the start of the first text. */
function summary(items: MirrorItem[], opts: ItemMessageOpts): string {
  const first = items[0]!;
  const prefix = opts.place === 'personal' ? `#${opts.conversationNumber} · ` : '';
  const text = items.find((i) => i.text?.trim())?.text ?? '';
  const files = items.reduce((n, i) => n + i.attachments.length, 0);
  const what = oneLine(text, 120) || (files > 0 ? plural(files, 'file') : '');
  const who =
    first.kind === 'note'
      ? `Private note by ${oneLine(first.authorName, 60)}`
      : first.kind === 'ai_draft'
        ? `AI draft (${first.draft?.state === 'pending' || !first.draft ? 'not sent yet' : first.draft.state})`
        : first.kind === 'system'
          ? 'Parley'
          : oneLine(first.authorName, 60);
  return `${prefix}${who}: ${what}`;
}

/**
 * The delivery state of a person's own message (an agent's reply typed in the thread), which the
 * app cannot redraw: a small card of the app's own right under it, updated as the state moves.
 * The same for an AI draft's decision where its post cannot be redrawn.
 * Its `id` is `parley-state:<message id>`.
 */
export function deliveryCard(item: MirrorItem, opts: Omit<ItemMessageOpts, 'mediaLink'>): OutboundActivity {
  const number = opts.place === 'personal' ? run(`#${opts.conversationNumber} · `, { bold: true }) : '';
  const quote = oneLine(item.text ?? '', 80);
  // An AI draft whose post cannot be redrawn (its send got no answer): what became of it, here.
  const state =
    (item.draft ? draftDecisionBlock(item) : deliveryBlock(item)) ??
    line(run(item.draft ? 'Not sent yet' : 'Not sent to the customer', { subtle: true }));
  const about = line(
    number,
    run(item.draft ? 'AI draft by ' : 'Reply by ', { subtle: true }),
    run(oneLine(item.authorName, 60), { subtle: true }),
    quote ? run(` “${quote}”`, { subtle: true }) : '',
  );
  const card = adaptiveCard([about, state], [], { id: `parley-state:${item.messageId}` });
  return cardActivity(
    card,
    `${opts.place === 'personal' ? `#${opts.conversationNumber} · ` : ''}${item.draft ? `AI draft: ${item.draft.state}` : `Delivery: ${item.deliveryState ?? 'not sent'}`}`,
  );
}
