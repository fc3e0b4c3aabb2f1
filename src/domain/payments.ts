import { AppError } from './errors.ts';

/**
 * R4 as pure rules: invoices and checkouts are payment requests that only WhatsApp and SMS
 * conversations carry. Amounts are integers in the currency's minor unit (cents).
 */

export interface LineItemInput {
  description: string;
  quantity: number;
  unitAmountMinor: number;
}

/** Channels that can carry a payment request (R4). A new channel opts in here. */
export const paymentChannels: readonly string[] = ['whatsapp', 'sms'];

export function assertPaymentChannel(
  conv: { number: number; channel: string },
  what: 'invoice' | 'checkout',
): void {
  if (paymentChannels.includes(conv.channel)) return;
  throw new AppError(
    'rule_violation',
    `Conversation #${conv.number} is on ${conv.channel}; ${what === 'invoice' ? 'an invoice' : 'a checkout'} can be sent only on WhatsApp or SMS. Message the contact on WhatsApp or SMS and send it there.`,
    { rule: 'R4', channel: conv.channel },
  );
}

export const totalMinor = (items: readonly LineItemInput[]): number =>
  items.reduce((sum, item) => sum + item.quantity * item.unitAmountMinor, 0);

/** A generated invoice reference: `INV-<conversation number>-<n>`. */
export const invoiceReference = (conversationNumber: number, n: number) => `INV-${conversationNumber}-${n}`;

/** Formats minor units in the currency's own precision (JPY has none, EUR two): "EUR 12.50". */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const amount = (amountMinor / 10 ** digits).toFixed(digits);
  return `${currency} ${amount}`;
}

/** The text the contact receives with the payment request; the pay link follows once a provider issues it. */
export function paymentSummary(
  heading: string,
  currency: string,
  items: readonly LineItemInput[],
  payLink: string | null,
): string {
  const lines = items.map(
    (i) => `${i.quantity} × ${i.description} at ${formatMoney(i.unitAmountMinor, currency)}`,
  );
  const total = `Total: ${formatMoney(totalMinor(items), currency)}`;
  return [heading, ...lines, total, ...(payLink ? [`Pay here: ${payLink}`] : [])].join('\n');
}

export type InvoiceStatus = 'unpaid' | 'paid' | 'void';

/** Whether a move is a change, a repeat (idempotent no-op, e.g. a provider webhook delivered twice) or refused. */
export function invoiceTransition(
  invoice: { reference: string; status: InvoiceStatus },
  to: 'paid' | 'void',
): 'change' | 'repeat' {
  if (invoice.status === to) return 'repeat';
  if (invoice.status === 'unpaid') return 'change';
  const now = invoice.status === 'paid' ? 'paid (refund it with the payment provider instead)' : 'void';
  throw new AppError('conflict', `Invoice ${invoice.reference} is already ${now}.`, {
    rule: 'R4',
    invoiceReference: invoice.reference,
    status: invoice.status,
  });
}
