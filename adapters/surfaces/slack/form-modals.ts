import type { BroadcastForm, PaymentForm } from '../../../src/commands/command-forms.ts';
import { FORM_FIELDS, ITEM_ROWS } from '../../../src/commands/form-input.ts';
import { capabilitiesOf } from '../../../src/domain/channels.ts';
import { escapeClipped, escapeText } from './escape.ts';

/**
 * The modals the form commands open (R4, R8): invoice and checkout (line items, currency, due
 * date, reference), and broadcast (number or widget, audience, message) with its preview and its
 * outcome. Each input's block_id is the form's field key (FORM_FIELDS), so a refusal is shown on
 * the field it concerns; its action_id is always `value`.
 */

export const FORM_CALLBACKS = {
  invoice: 'parley_invoice',
  checkout: 'parley_checkout',
  broadcast: 'parley_broadcast',
  broadcastConfirm: 'parley_broadcast_confirm',
} as const;
export const FORM_ACTION = 'value';

type Text = { type: 'plain_text'; text: string; emoji: true };
const plain = (text: string): Text => ({ type: 'plain_text', text, emoji: true });
/** Slack's limits: a title 24 characters, an option's text 75. */
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const mrkdwn = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] });
const channelLabel = (channel: string) => capabilitiesOf(channel)?.label ?? channel;

function input(
  blockId: string,
  label: string,
  element: Record<string, unknown>,
  opts: { optional?: boolean; hint?: string } = {},
) {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    optional: opts.optional ?? true,
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element: { action_id: FORM_ACTION, ...element },
  };
}

const textInput = (extra: Record<string, unknown> = {}) => ({ type: 'plain_text_input', ...extra });

function itemRow(row: number) {
  const first = row === 1;
  return [
    input(FORM_FIELDS.description(row), `Item ${row}`, textInput({ max_length: 200 }), { optional: !first }),
    input(
      FORM_FIELDS.quantity(row),
      `Item ${row}: quantity`,
      {
        type: 'number_input',
        is_decimal_allowed: false,
        min_value: '1',
        max_value: '100000',
        ...(first ? { initial_value: '1' } : {}),
      },
      { optional: true },
    ),
    input(
      FORM_FIELDS.price(row),
      `Item ${row}: unit price`,
      { type: 'number_input', is_decimal_allowed: true, min_value: '0' },
      { optional: !first },
    ),
  ];
}

/** The invoice or checkout form for one conversation; private_metadata is its id. */
export function paymentModal(form: PaymentForm) {
  const what = form.form === 'invoice' ? 'Invoice' : 'Checkout';
  const about = `*#${form.number} · ${escapeClipped(form.contactName, 80)}* · ${channelLabel(form.channel)}`;
  const blocks: unknown[] = [
    mrkdwn(about),
    context(
      form.form === 'invoice'
        ? 'The customer receives the invoice with its items and total, and a pay link when payments are set up.'
        : 'The customer receives the items, the total and a pay link when payments are set up.',
    ),
  ];
  for (let row = 1; row <= ITEM_ROWS; row++) blocks.push(...itemRow(row));
  blocks.push(
    input(
      FORM_FIELDS.currency,
      'Currency',
      textInput({ initial_value: form.currency, min_length: 3, max_length: 3 }),
      { optional: false, hint: 'A three-letter code such as EUR or USD.' },
    ),
  );
  if (form.form === 'invoice') {
    blocks.push(
      input(FORM_FIELDS.dueDate, 'Due date', { type: 'datepicker' }),
      input(FORM_FIELDS.reference, 'Reference', textInput({ max_length: 64 }), {
        hint: `Leave it empty for the next INV-${form.number}-… number.`,
      }),
    );
  }
  return {
    type: 'modal',
    callback_id: form.form === 'invoice' ? FORM_CALLBACKS.invoice : FORM_CALLBACKS.checkout,
    private_metadata: form.conversationId,
    title: plain(cut(`${what} for #${form.number}`, 24)),
    submit: plain(form.form === 'invoice' ? 'Send invoice' : 'Send checkout'),
    close: plain('Cancel'),
    blocks,
  };
}

const option = (text: string, value: string) => ({ text: plain(cut(text, 75)), value });

/** The broadcast form: where from, to whom, what (R8). Submit shows the preview. */
export function broadcastModal(form: BroadcastForm) {
  const endpoints = form.endpoints.map((e) =>
    option(`${e.name} (${channelLabel(e.channel)} · ${e.groupName})`, e.id),
  );
  const blocks: unknown[] = [
    input(
      FORM_FIELDS.endpoint,
      'Send from',
      {
        type: 'static_select',
        placeholder: plain('A number or widget of your group'),
        options: endpoints.slice(0, 100),
        ...(endpoints.length === 1 ? { initial_option: endpoints[0] } : {}),
      },
      { optional: false },
    ),
  ];
  // An option's value holds at most 150 characters: a longer tag is reached through the API.
  const tags = form.tags.filter((t) => t.length <= 150);
  if (tags.length > 0) {
    blocks.push(
      input(
        FORM_FIELDS.tag,
        'To the contacts tagged',
        {
          type: 'static_select',
          placeholder: plain('Pick a tag'),
          options: tags.map((t) => option(t, t)),
        },
        { hint: 'Or pick contacts below; not both.' },
      ),
    );
  }
  if (form.contacts.length > 0) {
    blocks.push(
      input(
        FORM_FIELDS.contacts,
        'Or to these contacts',
        {
          type: 'multi_static_select',
          placeholder: plain('Pick contacts'),
          options: form.contacts.map((c) => option(c.name, c.id)),
        },
        {
          hint: form.moreContacts
            ? `Only the first ${form.contacts.length} contacts by name are listed here; a tag reaches all of them.`
            : 'Pick one or more.',
        },
      ),
    );
  }
  blocks.push(
    input(FORM_FIELDS.text, 'Message', textInput({ multiline: true, max_length: 3000 }), {
      hint: 'Or send a WhatsApp template below (the way to reach contacts outside the 24-hour window).',
    }),
    input(FORM_FIELDS.templateName, 'WhatsApp template name', textInput({ max_length: 512 })),
    input(FORM_FIELDS.templateLanguage, 'Template language', textInput({ max_length: 15 }), {
      hint: 'Such as en_US. Leave it empty when the number lists one language for the template.',
    }),
    input(FORM_FIELDS.templateParameters, 'Template parameters', textInput({ multiline: true }), {
      hint: 'One per line, in order.',
    }),
  );
  return {
    type: 'modal',
    callback_id: FORM_CALLBACKS.broadcast,
    title: plain('Broadcast'),
    submit: plain('Preview'),
    close: plain('Cancel'),
    blocks,
  };
}

export interface BroadcastPreviewFacts {
  total: number;
  willReceive: number;
  leftOut: { reason: string; label: string; count: number }[];
  /** How the message is described: its text, or the template's name. */
  message: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The preview (R8): how many receive it, who is left out and why; Send confirms. */
export function broadcastPreviewView(facts: BroadcastPreviewFacts, draftKey: string) {
  const left = facts.leftOut.filter((l) => l.count > 0);
  const blocks: unknown[] = [
    mrkdwn(
      `*${plural(facts.willReceive, 'contact')} will receive it* (of ${plural(facts.total, 'contact')} in the audience).`,
    ),
    ...(left.length > 0
      ? [mrkdwn(['*Left out:*', ...left.map((l) => `• ${escapeText(l.label)}: ${l.count}`)].join('\n'))]
      : []),
    mrkdwn(`*Message*\n>${escapeClipped(facts.message, 2500).replace(/\n/g, '\n>')}`),
  ];
  if (facts.willReceive === 0)
    blocks.push(context('Nobody would receive it: change the audience or the message.'));
  return {
    type: 'modal',
    callback_id: FORM_CALLBACKS.broadcastConfirm,
    private_metadata: draftKey,
    title: plain('Broadcast preview'),
    ...(facts.willReceive > 0 ? { submit: plain(cut(`Send to ${facts.willReceive}`, 24)) } : {}),
    close: plain(facts.willReceive > 0 ? 'Cancel' : 'Close'),
    blocks,
  };
}

/** What became of the confirmed broadcast (or why it was not sent); the modal can only be closed. */
export function broadcastOutcomeView(text: string) {
  return {
    type: 'modal',
    title: plain('Broadcast'),
    close: plain('Done'),
    blocks: [mrkdwn(text)],
  };
}
