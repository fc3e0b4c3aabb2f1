import type { Attachment } from '../../../src/db/entities/index.ts';
import type { MirrorItem, ThreadHeader } from '../../../src/ports/agent-surface.ts';
import { draftButtons, draftVoice } from './ai-draft-blocks.ts';
import { escapeClipped, escapeText } from './escape.ts';

/**
 * How a conversation looks in Slack (R28, R29, R31): the thread's header with its buttons, the
 * content-free stub of a restricted conversation, and each mirrored item. Every piece of text
 * Parley did not write goes through escapeText, so customer markup never becomes a mention or link.
 */

export type Block = Record<string, unknown>;
/** A message body: `text` is the notification fallback, `blocks` what people see. */
export interface SlackMessageBody {
  text: string;
  blocks: Block[];
  username?: string;
  icon_emoji?: string;
}

const SECTION_MAX = 3000;
/** Slack refuses a section field longer than this. */
const FIELD_MAX = 2000;
/** Sections of one item's text: Slack takes 50 blocks per message. */
const MAX_SECTIONS = 10;
const CHANNEL_NAMES: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS', webchat: 'Web chat' };

export const HEADER_ACTIONS = {
  assignMe: 'conv_assign_me',
  assign: 'conv_assign',
  visibility: 'conv_visibility',
  close: 'conv_close',
  reopen: 'conv_reopen',
  note: 'conv_note',
  reply: 'conv_reply',
} as const;

/** `verbatim`: Slack does not link bare `#channel` names, URLs or mentions in text we did not write. */
const mrkdwn = (text: string): Block => ({ type: 'mrkdwn', text, verbatim: true });
const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });
/**
 * Escaped text cut to what one Slack text object takes (`max` characters, `…` included), never
 * inside an escape like `&amp;`: Slack refuses the whole message (invalid_blocks) for one text over it.
 */
function clip(text: string, max = SECTION_MAX): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp > cut - 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  return `${text.slice(0, cut)}…`;
}
const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.map((t) => mrkdwn(clip(t))),
});
export const button = (
  actionId: string,
  label: string,
  value: string,
  style?: 'primary' | 'danger',
  confirm?: Block,
): Block => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text: label },
  value,
  ...(style ? { style } : {}),
  ...(confirm ? { confirm } : {}),
});

export function headerMessage(h: ThreadHeader): SlackMessageBody {
  const name = escapeText(h.contactName);
  const via = CHANNEL_NAMES[h.channel] ?? escapeText(h.channel);
  const status = { open: 'Open', closed: 'Closed', deleted: 'Deleted' }[h.status];
  const assigned = h.assignees.length
    ? clip(h.assignees.map((a) => escapeText(a.name)).join(', '), FIELD_MAX - '*Assigned*\n'.length)
    : '_Unassigned_';
  const unreplied =
    h.unrepliedCount > 0
      ? `:red_circle: *${h.unrepliedCount} unreplied*`
      : ':white_check_mark: Nothing unreplied';
  const ai = {
    off: null,
    active: ':robot_face: AI agent answering',
    handed_off: ':raising_hand: Handed off by the AI agent',
  }[h.aiState];
  const blocks: Block[] = [
    section(`*#${h.number} · ${name}* · ${via}`),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Status*\n${status}`),
        mrkdwn(`*Assigned*\n${assigned}`),
        mrkdwn(`*Unreplied*\n${unreplied}`),
        ...(ai ? [mrkdwn(`*AI*\n${ai}`)] : []),
      ],
    },
  ];
  if (h.unpaidInvoices?.length)
    blocks.push(
      context(
        clip(
          `:receipt: Unpaid: ${h.unpaidInvoices.map((i) => `${escapeText(i.reference)} (${escapeText(i.amount)})`).join(', ')}`,
          FIELD_MAX,
        ),
      ),
    );
  if (h.slaBreached)
    blocks.push(
      context(
        `:rotating_light: *SLA breached*: the customer has waited for a reply since ${h.slaBreached.waitingSince}.`,
      ),
    );
  if (h.restricted)
    blocks.push(context(':lock: Restricted: only the people on its list see this conversation.'));
  if (h.status !== 'deleted') {
    const id = h.conversationId;
    blocks.push({
      type: 'actions',
      elements: [
        button(HEADER_ACTIONS.assignMe, 'Assign to me', id, 'primary'),
        button(HEADER_ACTIONS.assign, 'Assign…', id),
        button(HEADER_ACTIONS.visibility, 'Visibility…', id),
        h.status === 'closed'
          ? button(HEADER_ACTIONS.reopen, 'Reopen', id)
          : button(HEADER_ACTIONS.close, 'Close', id),
        button(HEADER_ACTIONS.reply, 'Reply…', id),
        button(HEADER_ACTIONS.note, 'Add note', id),
      ],
    });
  }
  const fallback = `#${h.number} · ${name} (${via}) · ${status}${h.unrepliedCount > 0 ? ` · ${h.unrepliedCount} unreplied` : ''}`;
  return { text: fallback, blocks };
}

/** R31: what stays in the shared channel while a conversation is restricted; says nothing about it. */
export const STUB_TEXT = 'This conversation is handled privately.';
export function stubMessage(): SlackMessageBody {
  return { text: STUB_TEXT, blocks: [section(`:lock: ${STUB_TEXT}`)] };
}

const DELIVERY: Record<string, string> = {
  queued: ':hourglass_flowing_sand: Sending…',
  sending: ':hourglass_flowing_sand: Sending…',
  sent: ':outbox_tray: Sent',
  delivered: ':white_check_mark: Delivered',
  read: ':eyes: Read',
};

/** The delivery state of an outbound item as a line of text; null for items that are not sent. */
export function deliveryLine(item: Pick<MirrorItem, 'deliveryState' | 'deliveryReason'>): string | null {
  if (!item.deliveryState) return null;
  if (item.deliveryState === 'failed') {
    return `:x: Not delivered: ${escapeText(item.deliveryReason ?? 'unknown reason')}`;
  }
  return DELIVERY[item.deliveryState] ?? escapeText(item.deliveryState);
}

/** The same state as a reaction, on posts the app cannot redraw (an agent's own message, a combined post). */
export const STATE_REACTIONS: Record<string, string> = {
  queued: 'hourglass_flowing_sand',
  sending: 'hourglass_flowing_sand',
  sent: 'outbox_tray',
  delivered: 'white_check_mark',
  read: 'eyes',
  failed: 'x',
};

/** Who an item shows as, and the line above or below its text. */
function voice(item: MirrorItem): { username?: string; icon_emoji?: string; lead?: string; tail?: string } {
  const name = escapeText(item.authorName);
  // Slack shows at most 80 characters of a post's author name.
  const username = escapeClipped(item.authorName, 80);
  const state = deliveryLine(item);
  const withState = (label: string) => [label, state].filter(Boolean).join(' · ');
  switch (item.kind) {
    case 'inbound':
      return { username, icon_emoji: ':bust_in_silhouette:' };
    case 'reply':
      return { username, icon_emoji: ':speech_balloon:', tail: withState(`Reply by ${name}`) };
    case 'note':
      return {
        username,
        icon_emoji: ':lock:',
        lead: `:lock: *Private note* by ${name} · not sent to the customer`,
      };
    case 'ai':
      return { username, icon_emoji: ':robot_face:', tail: withState('AI reply') };
    case 'auto_response':
      return { username, icon_emoji: ':envelope:', tail: withState('Automatic reply') };
    case 'ai_draft':
      return { username, icon_emoji: ':robot_face:', ...draftVoice(item) };
    default:
      return {};
  }
}

function attachmentLine(a: Attachment): string {
  const name = escapeText(a.name ?? a.caption ?? a.kind);
  if (a.kind === 'location' && a.latitude !== undefined && a.longitude !== undefined) {
    const at = `${Number(a.latitude)},${Number(a.longitude)}`;
    return `:round_pushpin: <https://maps.google.com/?q=${at}|Location ${at}>${a.caption ? ` ${escapeText(a.caption)}` : ''}`;
  }
  if (a.status === 'failed')
    return `:paperclip: ${name} _(could not be fetched: ${escapeText(a.failureReason ?? 'unknown')})_`;
  if (a.status === 'pending') return `:paperclip: ${name} _(being fetched)_`;
  return `:paperclip: ${name}`;
}

/** Escaped text in pieces a section block takes (3000 characters), never cutting an `&amp;` in two. */
function chunks(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cut = Math.min(text.length, i + SECTION_MAX);
    const amp = text.lastIndexOf('&', cut - 1);
    if (cut < text.length && amp > i && amp > cut - 5 && !text.slice(amp, cut).includes(';')) cut = amp;
    out.push(text.slice(i, cut));
    i = cut;
  }
  return out;
}

/**
 * One post for one item, or for several consecutive items of one author (combined when they came
 * faster than the channel takes posts). A combined post shows no per-item delivery line: those
 * change later and are shown as reactions instead.
 */
export function itemMessage(items: MirrorItem[]): SlackMessageBody {
  const first = items[0]!;
  const combined = items.length > 1;
  const v = voice(first);
  const texts = items.map((i) => escapeText(i.text ?? ''));
  if (first.kind === 'system') {
    const lines = texts.filter(Boolean).map((t) => `:information_source: ${t}`);
    return {
      text: texts.join('\n').slice(0, SECTION_MAX),
      blocks: [context(lines.join('\n').slice(0, SECTION_MAX))],
    };
  }
  const blocks: Block[] = [];
  if (v.lead) blocks.push(section(v.lead));
  if (combined) {
    // Combined text-only items (a burst from one author): one line each, packed into few sections.
    for (const piece of chunks(texts.join('\n')).slice(0, MAX_SECTIONS)) blocks.push(section(piece));
    return {
      text: texts.join('\n').slice(0, SECTION_MAX) || EMPTY,
      blocks,
      ...(v.username ? { username: v.username, icon_emoji: v.icon_emoji } : {}),
    };
  }
  items.forEach((item, n) => {
    const pieces = chunks(texts[n]!);
    for (const piece of pieces.slice(0, MAX_SECTIONS)) blocks.push(section(piece));
    if (pieces.length > MAX_SECTIONS) blocks.push(context('_Shortened here: the full text is in Parley._'));
    const files = item.attachments.map(attachmentLine);
    if (files.length) blocks.push(context(...files.slice(0, 10)));
  });
  if (v.tail && !combined) blocks.push(context(v.tail));
  // Drafts are never combined (combine-items.ts): the buttons act on this one item.
  if (first.kind === 'ai_draft' && !combined && (first.draft?.state ?? 'pending') === 'pending')
    blocks.push(draftButtons(first));
  const fallback = [v.lead, texts.filter(Boolean).join('\n') || item0Files(first)].filter(Boolean).join('\n');
  return {
    text: fallback.slice(0, SECTION_MAX) || EMPTY,
    blocks: blocks.length ? blocks : [section(EMPTY)],
    ...(v.username ? { username: v.username, icon_emoji: v.icon_emoji } : {}),
  };
}

const EMPTY = '_(empty message)_';
const item0Files = (item: MirrorItem) => item.attachments.map((a) => escapeText(a.name ?? a.kind)).join(', ');

/** The words a warning quotes to say which message it is about. */
export function snippet(item: MirrorItem, max = 100): string {
  const t = (item.text ?? '').replace(/\s+/g, ' ').trim();
  return escapeText(t.length > max ? `${t.slice(0, max)}…` : t);
}
