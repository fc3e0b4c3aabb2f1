import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Checkout, Invoice, PaymentEvent } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import type { DomainEvent } from '../domain/events.ts';
import { formatMoney } from '../domain/payments.ts';
import type { PaymentProviderEvent } from '../ports/payments.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { changeInvoiceWithin } from './invoice-changes.ts';
import { loadConversationLocked } from './load.ts';
import { paymentLabel } from './pay-link-hold.ts';
import { appendSystemLine, messageCreated } from './timeline.ts';

/**
 * R38: the payment provider's verified events. The webhook commits each one (deduplicated by the
 * provider's event id) and answers; the payment-event job applies it. Applying is monotonic:
 * paid never goes back, and a late `expired` or `failed` after `paid` (or for a link that was
 * replaced) changes nothing.
 */

/** Commits a verified event once; a repeated delivery of the same event is reported as a duplicate. */
export async function recordPaymentEvent(
  ctx: UseCaseContext,
  provider: string,
  event: PaymentProviderEvent,
): Promise<WithEvents<{ duplicate: boolean; paymentEventId: string | null }>> {
  try {
    return await inTransaction(ctx, async (tx, record) => {
      const row = tx.create(PaymentEvent, {
        provider,
        eventId: event.eventId,
        type: event.type,
        outcome: event.outcome,
        sessionId: event.sessionId,
        invoiceId: event.invoiceId,
        checkoutId: event.checkoutId,
        occurredAt: event.createdAt,
        // Nothing to apply: recorded only so a repeat is recognised.
        appliedAt: event.outcome === 'ignored' ? new Date() : null,
        result: event.outcome === 'ignored' ? 'ignored' : null,
      });
      await tx.flush();
      if (event.outcome !== 'ignored') record({ type: 'payment.event_received', paymentEventId: row.id });
      return { duplicate: false, paymentEventId: row.id };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      return { duplicate: true, paymentEventId: null, events: [] };
    throw err;
  }
}

/** Applies one committed event, once, in one transaction with its mark. */
export async function applyPaymentEvent(
  ctx: UseCaseContext,
  paymentEventId: string,
): Promise<WithEvents<{ result: string }>> {
  return inTransaction(ctx, async (tx, record, now) => {
    const event = await tx.findOne(
      PaymentEvent,
      { id: paymentEventId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!event) return { result: 'missing' };
    if (event.appliedAt) return { result: event.result ?? 'applied' };
    const actor: Actor = { kind: 'provider', channel: providerName(event.provider) };
    const result = event.invoiceId
      ? await applyToInvoice(tx, record, actor, event, now)
      : event.checkoutId
        ? await applyToCheckout(tx, record, actor, event, now)
        : 'no Parley invoice or checkout in its metadata';
    event.appliedAt = now;
    event.result = result;
    return { result };
  });
}

const providerName = (p: string) => (p === 'stripe' ? 'Stripe' : p);

type RecordEvents = (...events: DomainEvent[]) => void;

async function applyToInvoice(
  tx: EntityManager,
  record: RecordEvents,
  actor: Actor,
  event: PaymentEvent,
  now: Date,
) {
  const found = await tx.findOne(Invoice, { id: event.invoiceId ?? '' });
  if (!found) return 'invoice gone';
  const conv = await loadConversationLocked(tx, found.conversation.id).catch(() => null);
  if (!conv) return 'conversation gone';
  const invoice = await tx.refresh(found);
  if (!invoice) return 'invoice gone';
  const label = paymentLabel('invoice', invoice);
  if (event.outcome === 'paid') {
    if (invoice.status === 'paid') return 'repeat: already paid';
    if (invoice.status === 'void') {
      // Money arrived for a request the team cancelled: say so, never un-void silently.
      await line(tx, record, conv, actor, 'invoice.paid_after_void', event, now, {
        text: `A payment for the voided ${label} arrived through ${actor.kind === 'provider' ? actor.channel : 'the provider'}. Refund it there if it is not owed.`,
        invoiceId: invoice.id,
      });
      return 'paid after void: shown';
    }
    await changeInvoiceWithin(
      tx,
      record,
      actor,
      invoice.id,
      'paid',
      (i, at) => {
        i.status = 'paid';
        i.paidAt = at;
        if (event.sessionId) i.providerRef = event.sessionId;
      },
      now,
    );
    return 'paid';
  }
  return applyNotPaid(tx, record, actor, event, now, conv, invoice, invoice.status === 'unpaid', 'invoice');
}

async function applyToCheckout(
  tx: EntityManager,
  record: RecordEvents,
  actor: Actor,
  event: PaymentEvent,
  now: Date,
) {
  const found = await tx.findOne(Checkout, { id: event.checkoutId ?? '' });
  if (!found) return 'checkout gone';
  const conv = await loadConversationLocked(tx, found.conversation.id).catch(() => null);
  if (!conv) return 'conversation gone';
  const checkout = await tx.refresh(found);
  if (!checkout) return 'checkout gone';
  if (event.outcome === 'paid') {
    if (checkout.status === 'paid') return 'repeat: already paid';
    checkout.status = 'paid';
    checkout.paidAt = now;
    if (event.sessionId) checkout.providerRef = event.sessionId;
    const amount = formatMoney(checkout.amountMinor, checkout.currency);
    await line(tx, record, conv, actor, 'checkout.paid', event, now, {
      text: `Checkout (${amount}) paid through ${actor.kind === 'provider' ? actor.channel : 'the provider'}`,
      checkoutId: checkout.id,
    });
    return 'paid';
  }
  const open = checkout.status === 'pending';
  const result = await applyNotPaid(tx, record, actor, event, now, conv, checkout, open, 'checkout');
  if (result === 'expired' && open) checkout.status = 'expired';
  return result;
}

/** Expired, failed or processing: shown only while the request is still open and the event is about its live link. */
async function applyNotPaid(
  tx: EntityManager,
  record: RecordEvents,
  actor: Actor,
  event: PaymentEvent,
  now: Date,
  conv: Awaited<ReturnType<typeof loadConversationLocked>>,
  payment: Invoice | Checkout,
  open: boolean,
  kind: 'invoice' | 'checkout',
): Promise<string> {
  if (!open) return `late: ${kind} is ${payment.status}`;
  if (event.sessionId && payment.providerRef && event.sessionId !== payment.providerRef)
    return 'late: about a replaced pay link';
  const label = paymentLabel(kind, payment);
  const via = actor.kind === 'provider' ? actor.channel : 'the provider';
  const idData = { [`${kind}Id`]: payment.id };
  if (event.outcome === 'processing') {
    await line(tx, record, conv, actor, `${kind}.payment_processing`, event, now, {
      text: `The contact completed the payment of ${label} through ${via}; the money is still on its way (processing).`,
      ...idData,
    });
    return 'processing';
  }
  if (event.outcome === 'expired') {
    if (payment.linkState !== 'issued') return 'late: link not live';
    payment.linkState = 'expired';
    await line(tx, record, conv, actor, `${kind}.link_expired`, event, now, {
      text: `The pay link of ${label} expired unpaid. Send a new pay link, or void it.`,
      ...idData,
    });
    return 'expired';
  }
  payment.linkState = 'failed';
  payment.linkError = 'the payment failed';
  await line(tx, record, conv, actor, `${kind}.payment_failed`, event, now, {
    text: `The contact's payment for ${label} failed at ${via}. Send a new pay link, or void it.`,
    ...idData,
  });
  return 'failed';
}

async function line(
  tx: EntityManager,
  record: RecordEvents,
  conv: Awaited<ReturnType<typeof loadConversationLocked>>,
  actor: Actor,
  action: string,
  event: PaymentEvent,
  now: Date,
  data: { text: string } & { [key: string]: unknown },
) {
  const { text, ...ids } = data;
  const message = await appendSystemLine(tx, conv, actor, action, text, now, {
    ...ids,
    eventId: event.eventId,
  });
  await tx.flush();
  record(messageCreated(conv, message), {
    type: 'conversation.updated',
    conversationId: conv.id,
    groupId: conv.group.id,
    change: 'invoice',
  });
}

/** For the reconciler: committed events whose wake-up was lost. */
export async function unappliedPaymentEvents(
  em: EntityManager,
  olderThan: Date,
  batch: number,
): Promise<string[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      'select id from payment_event where applied_at is null and created_at <= ? order by created_at limit ?',
      [olderThan, batch],
    );
  return rows.map((r) => r.id);
}
