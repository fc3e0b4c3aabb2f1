import { Container } from '@microsoft/teams.cards';
import type { MirrorItem } from '../../../../src/ports/agent-surface.ts';
import type { OutboundActivity } from '../ports.ts';
import {
  adaptiveCard,
  type CardBody,
  cardActivity,
  fitted,
  itemMarker,
  line,
  oneLine,
  plural,
  run,
} from './card-kit.ts';
import { attachmentPart, deliveryBlock, type MediaLink, textBlocks } from './item-parts.ts';

/**
 * One post for one timeline item, or for several consecutive items of one author combined (R28,
 * R29): who wrote it (a bot cannot post under the customer's name in Teams, so the card says it),
 * the text as written, images inline and other files as Parley's signed links, and for outbound
 * items each one's delivery state. The surface redraws the whole post (updateItem) with the same
 * call when a state changes, so a combined post shows every item's current state.
 * A private note sits in a warning-coloured box headed "Private note … not sent to the customer".
 * In a personal chat there are no threads, so every post starts with the conversation's number.
 * The card's `id` is the hidden mark `parley-items:<message ids>` (card-kit.ts: readItemMarker).
 */

export interface ItemMessageOpts {
  place: 'channel' | 'personal';
  conversationNumber: number;
  mediaLink: MediaLink;
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
};

export function itemMessage(items: MirrorItem[], opts: ItemMessageOpts): OutboundActivity {
  const first = items[0];
  if (!first) throw new Error('itemMessage needs at least one item.');
  const id = itemMarker(items.map((i) => i.messageId));
  return fitted(
    (budget) =>
      cardActivity(
        adaptiveCard(body(items, opts, Math.floor(budget / items.length)), [], { id, fullWidth: true }),
        summary(items, opts),
      ),
    TEXT_BUDGET,
  );
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
      : first.kind === 'system'
        ? 'Parley'
        : oneLine(first.authorName, 60);
  return `${prefix}${who}: ${what}`;
}

/**
 * The delivery state of a person's own message (an agent's reply typed in the thread), which the
 * app cannot redraw: a small card of the app's own right under it, updated as the state moves.
 * Its `id` is `parley-state:<message id>`.
 */
export function deliveryCard(item: MirrorItem, opts: Omit<ItemMessageOpts, 'mediaLink'>): OutboundActivity {
  const number = opts.place === 'personal' ? run(`#${opts.conversationNumber} · `, { bold: true }) : '';
  const quote = oneLine(item.text ?? '', 80);
  const state = deliveryBlock(item) ?? line(run('Not sent to the customer', { subtle: true }));
  const about = line(
    number,
    run('Reply by ', { subtle: true }),
    run(oneLine(item.authorName, 60), { subtle: true }),
    quote ? run(` “${quote}”`, { subtle: true }) : '',
  );
  const card = adaptiveCard([about, state], [], { id: `parley-state:${item.messageId}` });
  return cardActivity(
    card,
    `${opts.place === 'personal' ? `#${opts.conversationNumber} · ` : ''}Delivery: ${item.deliveryState ?? 'not sent'}`,
  );
}
