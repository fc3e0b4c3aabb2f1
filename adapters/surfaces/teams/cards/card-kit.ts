import {
  type ActionArray,
  AdaptiveCard,
  type CardElementArray,
  type IRefreshDefinition,
  RichTextBlock,
  TextBlock,
  type TextColor,
  TextRun,
  type TextSize,
} from '@microsoft/teams.cards';
import { capabilitiesOf } from '../../../../src/domain/channels.ts';
import type { OutboundActivity } from '../ports.ts';

/**
 * The pieces every Parley card is made of. Two rules hold for all of them:
 * - Text Parley did not write (a customer's message, a contact's or a user's name, a file name)
 *   only ever goes into a TextRun: Adaptive Cards draw a TextRun as it is, with no markdown, no
 *   `<at>` mention and no link, whatever it contains. (A TextBlock parses markdown, and clients
 *   disagree on escapes in it, so TextBlocks only hold our own words.)
 * - A card is sent as Adaptive Card 1.5, the newest Teams draws everywhere, and the whole activity
 *   stays under TEAMS_MESSAGE_MAX_BYTES (Teams refuses a message over about 28 KB).
 */

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const CARD_VERSION = '1.5';
/** Serialized activity size we stay under: Teams' ~28 KB less room for the envelope it adds. */
export const TEAMS_MESSAGE_MAX_BYTES = 25_000;

export type CardBody = CardElementArray;
export type CardActions = ActionArray;

export interface RunStyle {
  bold?: boolean;
  italic?: boolean;
  subtle?: boolean;
  color?: TextColor;
  size?: TextSize;
}

/** One piece of literal text (never markdown), styled. */
export function run(text: string, style: RunStyle = {}): TextRun {
  const r = new TextRun(text);
  if (style.bold) r.withWeight('Bolder');
  if (style.italic) r.withItalic(true);
  if (style.subtle) r.withIsSubtle(true);
  if (style.color) r.withColor(style.color);
  if (style.size) r.withSize(style.size);
  return r;
}

/** A line of literal runs; a plain string is a run with no style. */
export function line(...parts: (TextRun | string)[]): RichTextBlock {
  const runs = parts.filter((p) => p !== '').map((p) => (typeof p === 'string' ? run(p) : p));
  return new RichTextBlock().withInlines(...runs);
}

/**
 * Text cut to `max` characters with `…` at the end (never inside a surrogate pair); `clipped`
 * tells the caller to say so.
 */
export function clip(text: string, max: number): { text: string; clipped: boolean } {
  if (text.length <= max) return { text, clipped: false };
  let cut = Math.max(0, max - 1);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return { text: `${text.slice(0, cut)}…`, clipped: true };
}

export const clipped = (text: string, max: number): string => clip(text, max).text;

/**
 * A name on one line: no line breaks, no bidi overrides (which could turn the words drawn after
 * it around, like " · customer"), at most `max` characters.
 */
export const oneLine = (text: string, max = 80): string =>
  clipped(
    text
      .replace(/[\u202A-\u202E\u2066-\u2069]/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
    max,
  );

export const SHORTENED_NOTE = 'Shortened here: the full text is in Parley.';

const CHANNEL_NAMES: Record<string, string> = {
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  webchat: 'Web chat',
  internal: 'Internal chat',
};
export const channelName = (channel: string): string =>
  CHANNEL_NAMES[channel] ?? capabilitiesOf(channel)?.label ?? channel;

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** An Adaptive Card 1.5 as plain JSON (the SDK builders are classes). */
export function adaptiveCard(
  body: CardBody,
  actions: CardActions = [],
  opts: { id?: string; fullWidth?: boolean; refresh?: IRefreshDefinition } = {},
): Record<string, unknown> {
  const card = new AdaptiveCard(...body).withVersion(CARD_VERSION);
  if (actions.length) card.withActions(...actions);
  if (opts.id) card.withId(opts.id);
  if (opts.refresh) card.withRefresh(opts.refresh);
  if (opts.fullWidth) card.withMsteams({ width: 'full' });
  return JSON.parse(JSON.stringify(card)) as Record<string, unknown>;
}

/** A message carrying one card; `summary` is what notifications and the chat list show. */
export function cardActivity(card: Record<string, unknown>, summary: string): OutboundActivity {
  return {
    type: 'message',
    summary: oneLine(summary, 200),
    attachments: [{ contentType: CARD_CONTENT_TYPE, content: card }],
  };
}

/** The card in a message built here (for an `adaptiveCard/action` or dialog answer). */
export function cardOf(activity: OutboundActivity): Record<string, unknown> {
  const content = activity.attachments?.find((a) => a.contentType === CARD_CONTENT_TYPE)?.content;
  if (!content || typeof content !== 'object') throw new Error('This activity carries no Adaptive Card.');
  return content as Record<string, unknown>;
}

export const activityBytes = (activity: OutboundActivity): number =>
  Buffer.byteLength(JSON.stringify(activity), 'utf8');

/**
 * The largest drawing that fits: `build(textBudget)` is tried with a smaller text budget until the
 * activity is under TEAMS_MESSAGE_MAX_BYTES. Throws when even no text does not fit, which only a
 * caller passing far too many items can cause.
 */
export function fitted(build: (textBudget: number) => OutboundActivity, start: number): OutboundActivity {
  for (let budget = start; ; budget = Math.floor(budget * 0.6)) {
    const activity = build(budget);
    if (activityBytes(activity) <= TEAMS_MESSAGE_MAX_BYTES) return activity;
    if (budget === 0) throw new Error('A Teams card does not fit in a message even without its text.');
  }
}

/**
 * The hidden mark on each post Parley draws for timeline items: the card's `id` is
 * `parley-items:<message id>,<message id>…` (the Parley message ids it shows, in order). Teams keeps a
 * card's JSON as sent, so the mark can be read back from the posted message (Graph's
 * `attachments[].content`) to recognise a post whose send timed out after Teams accepted it.
 */
export const ITEM_MARKER_PREFIX = 'parley-items:';
export const itemMarker = (messageIds: readonly string[]): string =>
  ITEM_MARKER_PREFIX + messageIds.join(',');

/** The Parley message ids a posted card shows, from the card (object or JSON text); null when it is none of ours. */
export function readItemMarker(card: unknown): string[] | null {
  let value = card;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || !id.startsWith(ITEM_MARKER_PREFIX)) return null;
  const ids = id.slice(ITEM_MARKER_PREFIX.length).split(',');
  return ids.every((i) => i.length > 0) ? ids : null;
}

/**
 * A time Teams draws in the reader's own time zone and language (Adaptive Cards' DATE and TIME
 * functions, in a TextBlock of ours: the value is a re-serialised date, never data as given).
 */
export function localTime(iso: string | null): TextBlock | null {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) return null;
  const at = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return new TextBlock(`{{DATE(${at}, SHORT)}} {{TIME(${at})}}`, {
    isSubtle: true,
    size: 'Small',
    wrap: false,
  });
}
