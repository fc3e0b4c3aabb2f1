import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Conversation, Invoice, type User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { formatMoney, invoiceTransition } from '../domain/payments.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor, loadConversationLocked } from './load.ts';
import { keepReadAfterOwnLine } from './mark-read.ts';
import { appendSystemLine } from './timeline.ts';

/**
 * R4, R21, R24: what happens to an invoice after it was sent — paid (by the provider or an admin,
 * by arrangement) or voided by an admin. Every change holds the conversation's lock.
 */
export const invoiceIdInput = z.strictObject({
  invoiceId: z.uuid(),
  providerRef: z.string().max(200).optional(),
});
export type InvoiceIdInput = z.input<typeof invoiceIdInput>;

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
  const apply = (invoice: Invoice) => {
    invoice.status = 'void';
    // A link not sent yet never goes (R38); a live one is expired at the provider by the expire-pay-link job.
    if (invoice.linkState === 'pending' || invoice.linkState === 'failed') invoice.linkState = 'cancelled';
  };
  return inTransaction(ctx, async (tx, record, now) => {
    const result = await changeInvoiceWithin(tx, record, actor, parsed.invoiceId, 'void', apply, now);
    if (result.changed && result.invoice.linkState === 'issued')
      record({ type: 'payment.link_cancelled', paymentKind: 'invoice', paymentId: result.invoice.id });
    return result;
  });
}

async function changeInvoice(
  ctx: UseCaseContext,
  actor: Actor,
  invoiceId: string,
  to: 'paid' | 'void',
  apply: (invoice: Invoice, now: Date) => void,
): Promise<WithEvents<{ invoice: Invoice; changed: boolean }>> {
  return inTransaction(ctx, (tx, record, now) =>
    changeInvoiceWithin(tx, record, actor, invoiceId, to, apply, now),
  );
}

/** The change itself, inside the caller's transaction (the payment-event job applies a provider's "paid" here). */
export async function changeInvoiceWithin(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  actor: Actor,
  invoiceId: string,
  to: 'paid' | 'void',
  apply: (invoice: Invoice, now: Date) => void,
  now: Date,
): Promise<{ invoice: Invoice; changed: boolean }> {
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
