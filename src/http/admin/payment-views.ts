import { z } from '@hono/zod-openapi';
import type { Checkout, Invoice } from '../../db/entities/index.ts';
import { strictObject } from '../../setup/strict-object.ts';

/** What the payment routes of the admin API take and return (and their OpenAPI document). */

const lineItem = strictObject({
  description: z.string().min(1).max(200),
  quantity: z.number().int().positive().max(100_000),
  unitAmountMinor: z
    .number()
    .int()
    .nonnegative()
    .openapi({ description: 'In the currency’s minor unit (cents): 1250 is EUR 12.50.' }),
});
const requestBody = {
  currency: z.string().openapi({ description: 'Three letters (ISO 4217), e.g. EUR.', example: 'EUR' }),
  items: z.array(lineItem).min(1).max(100),
};
export const invoiceBody = strictObject({
  ...requestBody,
  reference: z.string().optional().openapi({ description: 'INV-<conversation number>-<n> by default.' }),
  dueDate: z.string().optional().openapi({ description: 'A calendar day, YYYY-MM-DD.' }),
}).openapi('InvoiceCreate');
export const checkoutBody = strictObject(requestBody).openapi('CheckoutCreate');

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const payLinkFields = {
  amountMinor: z.number().int(),
  currency: z.string(),
  items: z.array(lineItem),
  payLink: z.string().nullable().openapi({ description: 'The provider’s pay link, once issued (R38).' }),
  linkState: z
    .enum(['pending', 'issued', 'failed', 'expired', 'cancelled'])
    .nullable()
    .openapi({ description: 'Null without a payment provider (an admin marks it paid by hand).' }),
  linkExpiresAt: z.string().nullable(),
  linkError: z.string().nullable(),
  paidAt: z.string().nullable(),
  createdAt: z.string(),
};
export const invoiceView = z
  .object({
    id: z.uuid(),
    conversationId: z.uuid(),
    reference: z.string(),
    status: z.enum(['unpaid', 'paid', 'void']),
    dueDate: z.string().nullable(),
    ...payLinkFields,
  })
  .openapi('Invoice');
export const checkoutView = z
  .object({
    id: z.uuid(),
    conversationId: z.uuid(),
    status: z.enum(['pending', 'paid', 'expired', 'cancelled']),
    ...payLinkFields,
  })
  .openapi('Checkout');

const common = (p: Invoice | Checkout) => ({
  id: p.id,
  conversationId: p.conversation.id,
  amountMinor: p.amountMinor,
  currency: p.currency,
  items: p.items,
  payLink: p.payLink ?? null,
  linkState: p.linkState ?? null,
  linkExpiresAt: iso(p.linkExpiresAt),
  linkError: p.linkError ?? null,
  paidAt: iso(p.paidAt),
  createdAt: iso(p.createdAt) ?? '',
});
export const toInvoiceView = (i: Invoice) => ({
  ...common(i),
  reference: i.reference,
  status: i.status,
  dueDate: i.dueDate ? String(i.dueDate).slice(0, 10) : null,
});
export const toCheckoutView = (c: Checkout) => ({ ...common(c), status: c.status });

export const created = (view: z.ZodType) =>
  z.object({
    payment: view,
    messageId: z.uuid().openapi({
      description:
        'The reply to the contact; with a payment provider, the thread line (the reply follows with the link).',
    }),
    payLinkPending: z
      .boolean()
      .openapi({ description: 'True when the reply waits for the provider’s pay link.' }),
  });
export const changedView = z.object({ invoice: invoiceView, changed: z.boolean() }).openapi('InvoiceChange');
export const retriedView = z
  .object({ linkState: z.literal('pending'), linkAttempt: z.number().int() })
  .openapi('PayLinkRetry');
