import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Checkout, type Conversation, Invoice, type Message, type User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import {
  assertPaymentChannel,
  formatMoney,
  invoiceReference,
  invoiceTransition,
  paymentSummary,
  totalMinor,
} from '../domain/payments.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor, loadConversationLocked } from './load.ts';
import { keepReadAfterOwnLine, markReadWithin } from './mark-read.ts';
import { appendMessage, appendSystemLine, messageCreated } from './timeline.ts';

/**
 * R4: invoices and checkouts are payment requests sent in WhatsApp and SMS conversations. Each is
 * sent to the contact as a reply carrying its summary; the pay link stays null until a payments
 * adapter issues one. Unpaid invoices block close (R21) and delete (R24).
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
});
export type CreateInvoiceInput = z.input<typeof createInvoiceInput>;

export const createCheckoutInput = z.strictObject(paymentRequest);
export type CreateCheckoutInput = z.input<typeof createCheckoutInput>;

export const invoiceIdInput = z.strictObject({
  invoiceId: z.uuid(),
  providerRef: z.string().max(200).optional(),
});
export type InvoiceIdInput = z.input<typeof invoiceIdInput>;

export async function createInvoice(
  ctx: UseCaseContext,
  actor: Actor,
  input: CreateInvoiceInput,
): Promise<WithEvents<{ invoice: Invoice; message: Message }>> {
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
      createdAt: now,
    });
    const text = paymentSummary(
      `Invoice ${reference}`,
      parsed.currency,
      parsed.items,
      invoice.payLink ?? null,
    );
    const meta = { invoiceId: invoice.id, invoiceReference: reference };
    const message = await sendPaymentMessage(tx, record, user, conv, text, meta, now);
    return { invoice, message };
  });
}

export async function createCheckout(
  ctx: UseCaseContext,
  actor: Actor,
  input: CreateCheckoutInput,
): Promise<WithEvents<{ checkout: Checkout; message: Message }>> {
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
    const text = paymentSummary('Checkout', parsed.currency, parsed.items, checkout.payLink ?? null);
    const message = await sendPaymentMessage(tx, record, user, conv, text, { checkoutId: checkout.id }, now);
    return { checkout, message };
  });
}

/**
 * The payment provider (through its adapter, actor `provider` or `system`) or an admin records
 * that an invoice was paid. A repeat (webhook delivered twice) changes nothing.
 */
export async function markInvoicePaid(
  ctx: UseCaseContext,
  actor: Actor,
  input: InvoiceIdInput,
): Promise<WithEvents<{ invoice: Invoice; changed: boolean }>> {
  const parsed = parseInput(invoiceIdInput, input);
  return changeInvoice(ctx, actor, parsed.invoiceId, 'paid', (invoice, now) => {
    invoice.status = 'paid';
    invoice.paidAt = now;
    if (parsed.providerRef) invoice.providerRef = parsed.providerRef;
  });
}

/** An admin cancels an unpaid invoice (it no longer blocks close or delete). */
export async function voidInvoice(
  ctx: UseCaseContext,
  actor: Actor,
  input: InvoiceIdInput,
): Promise<WithEvents<{ invoice: Invoice; changed: boolean }>> {
  const parsed = parseInput(invoiceIdInput, input);
  return changeInvoice(ctx, actor, parsed.invoiceId, 'void', (invoice) => {
    invoice.status = 'void';
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

async function changeInvoice(
  ctx: UseCaseContext,
  actor: Actor,
  invoiceId: string,
  to: 'paid' | 'void',
  apply: (invoice: Invoice, now: Date) => void,
): Promise<WithEvents<{ invoice: Invoice; changed: boolean }>> {
  return inTransaction(ctx, async (tx, record, now) => {
    const found = await tx.findOne(Invoice, { id: invoiceId });
    const { conv, user } = await loadConversationForInvoice(tx, actor, found?.conversation.id, to);
    // Every change to an invoice holds its conversation's lock; read it again under the lock.
    const invoice = found && (await tx.refresh(found));
    if (!invoice) throw new AppError('not_found', 'That invoice does not exist.');
    if (invoiceTransition(invoice, to) === 'repeat') return { invoice, changed: false };

    apply(invoice, now);
    const amount = formatMoney(invoice.amountMinor, invoice.currency);
    const text =
      to === 'paid'
        ? `Invoice ${invoice.reference} (${amount}) paid${user ? `, recorded by ${user.name}` : ''}`
        : `Invoice ${invoice.reference} (${amount}) voided by ${user?.name ?? 'the system'}`;
    const seqBefore = conv.lastSeq;
    await appendSystemLine(tx, conv, actor, `invoice.${to}`, text, now, { invoiceId: invoice.id });
    if (user) await keepReadAfterOwnLine(tx, user, conv, seqBefore);
    record({
      type: 'conversation.updated',
      conversationId: conv.id,
      groupId: conv.group.id,
      change: 'invoice',
    });
    return { invoice, changed: true };
  });
}

/**
 * Who may change an invoice: an admin who can see the conversation (pay or void); the payment
 * provider or the system (pay only). Agents and the AI cannot.
 */
async function loadConversationForInvoice(
  tx: EntityManager,
  actor: Actor,
  conversationId: string | undefined,
  to: 'paid' | 'void',
): Promise<{ conv: Conversation; user: User | null }> {
  const notFound = () => new AppError('not_found', 'That invoice does not exist.');
  if (actor.kind === 'user') {
    const user = await loadActingUser(tx, actor);
    if (!conversationId) throw notFound();
    const conv = await loadConversationFor(tx, user, conversationId);
    if (user.role !== 'admin') {
      const what = to === 'paid' ? 'mark an invoice as paid' : 'void an invoice';
      throw new AppError('forbidden', `Only an admin can ${what}. Ask an admin of your group.`, {
        rule: 'R4',
      });
    }
    return { conv, user };
  }
  if ((actor.kind === 'provider' || actor.kind === 'system') && to === 'paid') {
    if (!conversationId) throw notFound();
    return { conv: await loadConversationLocked(tx, conversationId), user: null };
  }
  throw new AppError('forbidden', 'Only an admin can change an invoice.', { rule: 'R4' });
}
