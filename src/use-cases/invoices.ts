import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Checkout, type Conversation, Invoice, type Message, type User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { assertPaymentChannel, invoiceReference, paymentSummary, totalMinor } from '../domain/payments.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { markReadWithin } from './mark-read.ts';
import { holdForPayLink } from './pay-link-hold.ts';
import { appendMessage, messageCreated } from './timeline.ts';

/**
 * R4: invoices and checkouts are payment requests sent in WhatsApp and SMS conversations. Each is
 * sent to the contact as a reply carrying its summary. With a payment provider configured (R38)
 * that reply waits for the provider's pay link (pay-links.ts sends it); without one it goes at
 * once, and an admin marks the invoice paid by hand. Unpaid invoices block close (R21) and delete (R24).
 */

const MAX_AMOUNT_MINOR = 2_147_483_647; // the amount column is a 32-bit integer

const lineItem = z.strictObject({
  description: z.string().trim().min(1).max(200),
  quantity: z.int().positive().max(100_000),
  unitAmountMinor: z.int().nonnegative(),
});

const paymentRequest = {
  conversationId: z.uuid(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'use a three-letter ISO 4217 code such as EUR')
    .transform((c) => c.toUpperCase()),
  items: z
    .array(lineItem)
    .min(1)
    .max(100)
    .refine((items) => totalMinor(items) > 0, 'the total must be more than zero')
    .refine((items) => totalMinor(items) <= MAX_AMOUNT_MINOR, 'the total is too large'),
};

export const createInvoiceInput = z.strictObject({
  ...paymentRequest,
  reference: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/, 'letters, digits and . _ - / only, up to 64')
    .optional(),
  /** A calendar day, `YYYY-MM-DD`; shown to the customer with the summary. */
  dueDate: z.iso.date('use a date such as 2026-12-31').optional(),
});
export type CreateInvoiceInput = z.input<typeof createInvoiceInput>;

export const createCheckoutInput = z.strictObject(paymentRequest);
export type CreateCheckoutInput = z.input<typeof createCheckoutInput>;

export async function createInvoice(
  ctx: UseCaseContext,
  actor: Actor,
  input: CreateInvoiceInput,
): Promise<WithEvents<{ invoice: Invoice; message: Message; payLinkPending: boolean }>> {
  const parsed = parseInput(createInvoiceInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const { user, conv } = await loadForPaymentRequest(tx, actor, parsed.conversationId, 'invoice');
    const reference = parsed.reference ?? (await nextInvoiceReference(tx, conv));
    if (await tx.findOne(Invoice, { account: conv.account.id, reference })) {
      throw new AppError(
        'conflict',
        `An invoice with the reference ${reference} already exists. Pick another reference.`,
        {
          rule: 'R4',
          invoiceReference: reference,
        },
      );
    }
    const invoice = tx.create(Invoice, {
      id: randomUUID(),
      account: conv.account,
      conversation: conv,
      reference,
      amountMinor: totalMinor(parsed.items),
      currency: parsed.currency,
      items: parsed.items,
      status: 'unpaid',
      payLink: null,
      providerRef: null,
      paidAt: null,
      dueDate: parsed.dueDate ?? null,
      createdAt: now,
    });
    const text = paymentSummary(
      `Invoice ${reference}${parsed.dueDate ? `, due ${parsed.dueDate}` : ''}`,
      parsed.currency,
      parsed.items,
      invoice.payLink ?? null,
    );
    if (ctx.paymentProvider) {
      const message = await holdForPayLink(tx, record, {
        user,
        conv,
        now,
        kind: 'invoice',
        payment: invoice,
      });
      return { invoice, message, payLinkPending: true };
    }
    const meta = { invoiceId: invoice.id, invoiceReference: reference };
    const message = await sendPaymentMessage(tx, record, user, conv, text, meta, now);
    return { invoice, message, payLinkPending: false };
  });
}

export async function createCheckout(
  ctx: UseCaseContext,
  actor: Actor,
  input: CreateCheckoutInput,
): Promise<WithEvents<{ checkout: Checkout; message: Message; payLinkPending: boolean }>> {
  const parsed = parseInput(createCheckoutInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const { user, conv } = await loadForPaymentRequest(tx, actor, parsed.conversationId, 'checkout');
    const checkout = tx.create(Checkout, {
      id: randomUUID(),
      account: conv.account,
      conversation: conv,
      amountMinor: totalMinor(parsed.items),
      currency: parsed.currency,
      items: parsed.items,
      status: 'pending',
      payLink: null,
      providerRef: null,
      paidAt: null,
      createdAt: now,
    });
    if (ctx.paymentProvider) {
      const message = await holdForPayLink(tx, record, {
        user,
        conv,
        now,
        kind: 'checkout',
        payment: checkout,
      });
      return { checkout, message, payLinkPending: true };
    }
    const text = paymentSummary('Checkout', parsed.currency, parsed.items, checkout.payLink ?? null);
    const message = await sendPaymentMessage(tx, record, user, conv, text, { checkoutId: checkout.id }, now);
    return { checkout, message, payLinkPending: false };
  });
}

async function loadForPaymentRequest(
  tx: EntityManager,
  actor: Actor,
  conversationId: string,
  what: 'invoice' | 'checkout',
) {
  const user = await loadActingUser(tx, actor);
  const conv = await loadConversationFor(tx, user, conversationId);
  if (conv.status !== 'open') {
    throw new AppError('conflict', `Conversation #${conv.number} is closed. Reopen it to send an ${what}.`, {
      rule: 'R4',
    });
  }
  assertPaymentChannel(conv, what);
  return { user, conv };
}

/** The first free `INV-<number>-<n>` (a user may have typed one of these by hand before). */
async function nextInvoiceReference(tx: EntityManager, conv: Conversation): Promise<string> {
  let n = (await tx.count(Invoice, { conversation: conv.id })) + 1;
  while (await tx.findOne(Invoice, { account: conv.account.id, reference: invoiceReference(conv.number, n) }))
    n += 1;
  return invoiceReference(conv.number, n);
}

/** The request goes to the contact as a reply by the user (R11: it answers them; R12: they have read it). */
async function sendPaymentMessage(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  user: User,
  conv: Conversation,
  text: string,
  meta: Record<string, unknown>,
  now: Date,
): Promise<Message> {
  const message = await appendMessage(tx, conv, {
    kind: 'reply',
    text,
    author: user,
    channel: conv.channel,
    endpoint: conv.endpoint ?? null,
    deliver: true,
    meta,
    now,
  });
  await markReadWithin(tx, user, conv, now);
  await tx.flush(); // ids for the events
  record(messageCreated(conv, message), {
    type: 'conversation.updated',
    conversationId: conv.id,
    groupId: conv.group.id,
    change: 'invoice',
  });
  return message;
}
