import type { EntityManager } from '@mikro-orm/postgresql';
import type { Checkout, Conversation, Invoice, Message, User } from '../db/entities/index.ts';
import { userActor } from '../domain/actor.ts';
import type { DomainEvent } from '../domain/events.ts';
import { formatMoney } from '../domain/payments.ts';
import { keepReadAfterOwnLine } from './mark-read.ts';
import { appendSystemLine, messageCreated } from './timeline.ts';

export type PaymentKind = 'invoice' | 'checkout';

export const paymentLabel = (kind: PaymentKind, payment: Invoice | Checkout) =>
  kind === 'invoice' ? `Invoice ${(payment as Invoice).reference}` : 'Checkout';

/** The first line of the message the contact receives (with the due date, when the invoice has one). */
export function summaryHeading(kind: PaymentKind, payment: Invoice | Checkout): string {
  const due = kind === 'invoice' ? (payment as Invoice).dueDate : null;
  return `${paymentLabel(kind, payment)}${due ? `, due ${String(due).slice(0, 10)}` : ''}`;
}

/**
 * R38, inside createInvoice/createCheckout's transaction: with a payment provider the request
 * reaches the contact only together with its pay link, so nothing is sent yet. The thread shows
 * that it was created; the pay-link job (woken by the event, or by the reconciler) opens the
 * provider's session outside any transaction and then sends the reply.
 */
export async function holdForPayLink(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  opts: { user: User; conv: Conversation; now: Date; kind: PaymentKind; payment: Invoice | Checkout },
): Promise<Message> {
  const { user, conv, now, kind, payment } = opts;
  payment.linkState = 'pending';
  payment.requestedBy = user;
  const amount = formatMoney(payment.amountMinor, payment.currency);
  const seqBefore = conv.lastSeq;
  const line = await appendSystemLine(
    tx,
    conv,
    userActor(user.id),
    `${kind}.created`,
    `${paymentLabel(kind, payment)} (${amount}) created by ${user.name}; it goes to the contact with its pay link.`,
    now,
    { [`${kind}Id`]: payment.id },
  );
  await keepReadAfterOwnLine(tx, user, conv, seqBefore);
  await tx.flush(); // ids for the events
  record(
    messageCreated(conv, line),
    { type: 'conversation.updated', conversationId: conv.id, groupId: conv.group.id, change: 'invoice' },
    {
      type: 'payment.link_requested',
      paymentKind: kind,
      paymentId: payment.id,
      attempt: payment.linkAttempt,
    },
  );
  return line;
}
