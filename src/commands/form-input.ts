import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelEndpoint, type User } from '../db/entities/index.ts';
import { type AppError, isAppError } from '../domain/errors.ts';
import type { previewBroadcast } from '../use-cases/broadcast-preview.ts';
import type { CreateCheckoutInput, CreateInvoiceInput } from '../use-cases/invoices.ts';
import { toViewer } from '../use-cases/load.ts';
import { templateRefFor } from './template-language.ts';

/** createBroadcast's and previewBroadcast's input. */
type CreateBroadcastInput = Parameters<typeof previewBroadcast>[2];

/**
 * What a person entered in a form (command-forms.ts), read the same way on every surface: the
 * surface hands over the values by field key (FORM_FIELDS) as text, and gets back either the
 * use-case's input or a sentence per field, shown next to that field (a Slack modal's field
 * error, a line above a Teams dialog's fields). Nothing is sent while a field is wrong.
 */

/** Line-item rows a form offers (a chat form cannot add rows; the admin API takes up to 100 items). */
export const ITEM_ROWS = 5;

export const FORM_FIELDS = {
  description: (row: number) => `item${row}_description`,
  quantity: (row: number) => `item${row}_quantity`,
  price: (row: number) => `item${row}_price`,
  currency: 'currency',
  dueDate: 'due_date',
  reference: 'reference',
  endpoint: 'endpoint',
  tag: 'tag',
  contacts: 'contacts',
  text: 'text',
  templateName: 'template_name',
  templateLanguage: 'template_language',
  templateParameters: 'template_parameters',
} as const;

/** Field key → what is wrong with it. */
export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | string[] | undefined>;

export type FormReading<T> = { ok: true; input: T } | { ok: false; errors: FieldErrors };

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
const list = (v: string | string[] | undefined) =>
  (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean);

/** Digits after the decimal point the currency has (EUR 2, JPY 0); null: not a currency code. */
function currencyDigits(currency: string): number | null {
  if (!/^[A-Z]{3}$/.test(currency)) return null;
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return null;
  }
}

/** "12.50" (or "12,50") in the currency's minor unit; a sentence when it is not an amount. */
function minorUnits(text: string, currency: string, digits: number): number | string {
  const m = /^(\d{1,9})(?:[.,](\d+))?$/.exec(text.replace(/\s/g, ''));
  if (!m) return 'Write the unit price as a number, e.g. 12.50.';
  const fraction = m[2] ?? '';
  if (fraction.length > digits) {
    return digits === 0
      ? `${currency} has no cents: write a whole amount.`
      : `${currency} takes at most ${digits} digits after the point.`;
  }
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

const today = () => new Date().toISOString().slice(0, 10);

/** The invoice or checkout form's entries as the use-case's input (without the conversation). */
export function readPaymentForm(
  what: 'invoice' | 'checkout',
  values: FormValues,
): FormReading<Omit<CreateInvoiceInput, 'conversationId'>> {
  const errors: FieldErrors = {};
  const currency = str(values[FORM_FIELDS.currency]).toUpperCase();
  const digits = currencyDigits(currency);
  if (digits === null) errors[FORM_FIELDS.currency] = 'Use a three-letter currency code such as EUR or USD.';
  const items: CreateInvoiceInput['items'] = [];
  for (let row = 1; row <= ITEM_ROWS; row++) {
    const description = str(values[FORM_FIELDS.description(row)]);
    const quantityText = str(values[FORM_FIELDS.quantity(row)]);
    const priceText = str(values[FORM_FIELDS.price(row)]);
    if (!description && !quantityText && !priceText) continue;
    if (!description) errors[FORM_FIELDS.description(row)] = 'Describe the item.';
    else if (description.length > 200) errors[FORM_FIELDS.description(row)] = 'At most 200 characters.';
    const quantity = quantityText === '' ? 1 : Number(quantityText);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100_000)
      errors[FORM_FIELDS.quantity(row)] = 'Write a whole number from 1 to 100000.';
    const price = priceText ? minorUnits(priceText, currency, digits ?? 2) : 'Give the unit price.';
    if (typeof price === 'string') errors[FORM_FIELDS.price(row)] = price;
    else items.push({ description, quantity, unitAmountMinor: price });
  }
  if (Object.keys(errors).length === 0 && items.length === 0)
    errors[FORM_FIELDS.description(1)] = 'Add at least one item.';
  const reference = str(values[FORM_FIELDS.reference]);
  const dueDate = str(values[FORM_FIELDS.dueDate]);
  if (what === 'invoice') {
    if (dueDate && !/^\d{4}-\d{2}-\d{2}$/.test(dueDate))
      errors[FORM_FIELDS.dueDate] = 'Pick a date, e.g. 2026-12-31.';
    else if (dueDate && dueDate < today())
      errors[FORM_FIELDS.dueDate] = 'The due date has passed: pick a later one.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const base = { currency, items };
  if (what === 'checkout') return { ok: true, input: base };
  return {
    ok: true,
    input: { ...base, ...(reference ? { reference } : {}), ...(dueDate ? { dueDate } : {}) },
  };
}

export type CheckoutFormInput = Omit<CreateCheckoutInput, 'conversationId'>;

/**
 * The field a refusal of the payment use-case concerns: a validation issue's path
 * (`items[1].unitAmountMinor` → the second row's price), a taken reference; anything else
 * (the conversation closed meanwhile) goes on the first field.
 */
export function paymentErrorField(err: AppError): string {
  if (err.code === 'conflict' && err.details?.invoiceReference !== undefined) return FORM_FIELDS.reference;
  const issues = (err.details?.issues ?? []) as { path?: string }[];
  const path = issues[0]?.path ?? '';
  const item = /^items\[(\d+)\]\.(\w+)/.exec(path);
  if (item) {
    const row = Number(item[1]) + 1;
    if (item[2] === 'description') return FORM_FIELDS.description(row);
    if (item[2] === 'quantity') return FORM_FIELDS.quantity(row);
    return FORM_FIELDS.price(row);
  }
  if (path.startsWith('items')) return FORM_FIELDS.price(1);
  if (path === 'currency') return FORM_FIELDS.currency;
  if (path === 'reference') return FORM_FIELDS.reference;
  if (path === 'dueDate') return FORM_FIELDS.dueDate;
  return FORM_FIELDS.description(1);
}

/**
 * The broadcast form's entries as createBroadcast's input: the number or widget (of one of the
 * user's groups, which also names the group), a tag or picked contacts, text or a WhatsApp template.
 */
export async function readBroadcastForm(
  em: EntityManager,
  user: User,
  values: FormValues,
): Promise<FormReading<CreateBroadcastInput>> {
  const errors: FieldErrors = {};
  const endpointId = str(values[FORM_FIELDS.endpoint]);
  const endpoint = /^[0-9a-f-]{36}$/i.test(endpointId)
    ? await em.findOne(ChannelEndpoint, { id: endpointId, account: user.account.id })
    : null;
  if (!endpoint || !toViewer(user).groupIds.includes(endpoint.group.id))
    errors[FORM_FIELDS.endpoint] = 'Pick the number or widget to send from.';
  const tag = str(values[FORM_FIELDS.tag]);
  const contactIds = list(values[FORM_FIELDS.contacts]);
  if (tag && contactIds.length > 0) errors[FORM_FIELDS.tag] = 'Pick a tag or contacts, not both.';
  else if (!tag && contactIds.length === 0) errors[FORM_FIELDS.tag] = 'Pick a tag, or pick contacts below.';
  const text = str(values[FORM_FIELDS.text]);
  const templateName = str(values[FORM_FIELDS.templateName]);
  const language = str(values[FORM_FIELDS.templateLanguage]);
  const parameters = str(values[FORM_FIELDS.templateParameters])
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  if (text && templateName) errors[FORM_FIELDS.text] = 'Write a message or name a template, not both.';
  else if (!text && !templateName)
    errors[FORM_FIELDS.text] = 'Write the message, or name a WhatsApp template below.';
  else if (templateName && endpoint && endpoint.channel !== 'whatsapp')
    errors[FORM_FIELDS.templateName] = 'Templates are for WhatsApp numbers: write a message instead.';
  if (Object.keys(errors).length > 0 || !endpoint) return { ok: false, errors };

  let template: CreateBroadcastInput['template'];
  if (templateName) {
    try {
      template = await templateRefFor(em, endpoint.id, {
        name: templateName,
        ...(language ? { language } : {}),
        parameters,
      });
    } catch (err) {
      if (!isAppError(err)) throw err;
      return { ok: false, errors: { [FORM_FIELDS.templateLanguage]: plainWording(err.message) } };
    }
  }
  return {
    ok: true,
    input: {
      groupId: endpoint.group.id,
      endpointId: endpoint.id,
      ...(template ? { template } : { text }),
      target: tag ? { tag } : { contactIds },
    },
  };
}

/** The field a refusal of previewBroadcast or createBroadcast concerns. */
export function broadcastErrorField(err: AppError): string {
  const path = ((err.details?.issues ?? []) as { path?: string }[])[0]?.path ?? '';
  if (path.startsWith('template')) return FORM_FIELDS.templateName;
  if (path.startsWith('target') || err.details?.rule === 'R8') return FORM_FIELDS.tag;
  if (path.startsWith('endpoint') || path.startsWith('group')) return FORM_FIELDS.endpoint;
  return FORM_FIELDS.text;
}

/** Our sentences name the command syntax (`template:name:lang`); in a form the fields say it. */
const plainWording = (text: string) => text.replace(/, e\.g\. `template:[^`]*`/, ' in the language field');
