import { Image, OpenUrlAction, type RichTextBlock } from '@microsoft/teams.cards';
import type { Attachment } from '../../../../src/db/entities/index.ts';
import type { MirrorItem } from '../../../../src/ports/agent-surface.ts';
import { clip, line, oneLine, run, SHORTENED_NOTE } from './card-kit.ts';

/**
 * The parts of an item's card: its text as literal lines, its attachments (images inline, other
 * files as links), and the delivery state of an outbound item.
 */

/** Lines of one item's text drawn as separate blocks; more are cut with a note. */
const MAX_LINES = 60;

/** An item's text as literal lines, within `budget` characters; says so when it was cut. */
export function textBlocks(text: string, budget: number): RichTextBlock[] {
  const { text: shown, clipped } = clip(text.replace(/\r\n?/g, '\n'), Math.max(0, budget));
  const lines = shown === '' ? [] : shown.split('\n');
  // A blank line keeps its place as a paragraph break: a block with a single space.
  const blocks = lines.slice(0, MAX_LINES).map((l) => line(l === '' ? ' ' : l));
  if (clipped || lines.length > MAX_LINES)
    blocks.push(line(run(SHORTENED_NOTE, { italic: true, subtle: true })));
  return blocks;
}

const STATES: Record<string, string> = {
  queued: '⏳ Sending…',
  sending: '⏳ Sending…',
  sent: '📤 Sent',
  delivered: '✅ Delivered',
  read: '👀 Read',
};

/** The delivery state of an outbound item as one line; null for items that are not sent. */
export function deliveryBlock(
  item: Pick<MirrorItem, 'deliveryState' | 'deliveryReason'>,
): RichTextBlock | null {
  if (!item.deliveryState) return null;
  if (item.deliveryState === 'failed') {
    return line(
      run('❌ Not delivered: ', { bold: true, color: 'Attention' }),
      run(oneLine(item.deliveryReason ?? 'unknown reason', 300), { color: 'Attention' }),
    );
  }
  return line(run(STATES[item.deliveryState] ?? oneLine(item.deliveryState, 40), { subtle: true }));
}

/**
 * What became of a decided AI draft (R36) as one line: sent by whom (after an edit or not),
 * discarded by whom, or out of date. Null while it waits, and for every other item.
 */
export function draftDecisionBlock(item: Pick<MirrorItem, 'draft'>): RichTextBlock | null {
  const draft = item.draft;
  if (!draft || draft.state === 'pending') return null;
  const by = draft.by ? ` by ${oneLine(draft.by, 60)}` : '';
  switch (draft.state) {
    case 'sent':
      return line(run(`📤 Sent${by}${draft.edited ? ' after editing' : ''}`, { bold: true }));
    case 'discarded':
      return line(run(`🗑️ Discarded${by}`, { bold: true, subtle: true }));
    default:
      return line(run('⌛ Out of date · not sent', { bold: true, subtle: true }));
  }
}

/** A signed link to a stored attachment (Parley's media links), or null when it cannot be served. */
export type MediaLink = (attachment: Attachment) => string | null;

const link = (label: string, url: string) =>
  run(label, { color: 'Accent' }).withSelectAction(new OpenUrlAction(url, { title: label }));

/** Only web links become buttons: a stored or provider value never becomes a `javascript:` target. */
const isWebUrl = (url: string | null): url is string => !!url && /^https?:\/\/[^\s]+$/i.test(url);

/** An attachment as it shows in the card: an image inline, anything else as a line with a link. */
export function attachmentPart(a: Attachment, mediaLink: MediaLink): Image | RichTextBlock {
  const name = oneLine(a.name ?? a.caption ?? a.kind, 100);
  if (a.kind === 'location' && Number.isFinite(a.latitude) && Number.isFinite(a.longitude)) {
    const at = `${Number(a.latitude)},${Number(a.longitude)}`;
    const caption = a.caption ? ` ${oneLine(a.caption, 100)}` : '';
    return line('📍 ', link(`Location ${at}`, `https://maps.google.com/?q=${at}`), caption);
  }
  if (a.status === 'failed') {
    return line(
      `📎 ${name} `,
      run(`(could not be fetched: ${oneLine(a.failureReason ?? 'unknown', 200)})`, { italic: true }),
    );
  }
  if (a.status === 'pending') return line(`📎 ${name} `, run('(being fetched)', { italic: true }));
  const url = a.storageKey ? mediaLink(a) : null;
  if (!isWebUrl(url)) return line(`📎 ${name} `, run('(open it in Parley)', { italic: true }));
  if (a.kind === 'image' || a.kind === 'sticker') {
    return new Image(url).withAltText(name).withMsteams({ allowExpand: true });
  }
  return line('📎 ', link(name, url));
}
