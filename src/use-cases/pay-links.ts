import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Checkout, Invoice, User } from '../db/entities/index.ts';
import { type Actor, systemActor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { assertPaymentChannel, formatMoney, paymentSummary } from '../domain/payments.ts';
import { type PaymentProvider, PaymentProviderError } from '../ports/payments.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor, loadConversationLocked } from './load.ts';
import { keepReadAfterOwnLine, markReadWithin } from './mark-read.ts';
import { type PaymentKind, paymentLabel, summaryHeading } from './pay-link-hold.ts';
import { appendMessage, appendSystemLine, messageCreated } from './timeline.ts';

/**
 * R38: an invoice or checkout held for its pay link (pay-link-hold.ts) gets it here. The
 * provider is called outside any transaction, with an idempotency key per invoice and attempt, so
 * a job that ran twice (or died after the provider answered) finds the same session. Then, under
 * the conversation's lock, the link is stored and the reply carrying it is appended: it reaches
 * the contact through the normal delivery (R4). A refusal leaves the thread a line saying why
 * and sends nothing.
 */

export interface IssueOptions {
  provider: PaymentProvider;
  /** How long the link stays valid (PAYMENT_LINK_TTL_HOURS). */
  ttlMs: number;
  /** The job's last try: a provider that is still not answering then counts as a refusal. */
  lastAttempt: boolean;
}

export type IssueOutcome = 'issued' | 'failed' | 'skipped' | 'cancelled';

const findPayment = (em: EntityManager, kind: PaymentKind, id: string): Promise<Invoice | Checkout | null> =>
  kind === 'invoice' ? em.findOne(Invoice, { id }) : em.findOne(Checkout, { id });
/** Still waiting for this attempt's link: a duplicate or stale job finds it otherwise and does nothing. */
const awaitsLink = (p: Invoice | Checkout | null, attempt: number): p is Invoice | Checkout =>
  p?.linkState === 'pending' && p.linkAttempt === attempt;
const isOpen = (kind: PaymentKind, p: Invoice | Checkout) =>
  kind === 'invoice' ? p.status === 'unpaid' : p.status === 'pending';

export async function issuePayLink(
  ctx: UseCaseContext,
  target: { kind: PaymentKind; id: string; attempt: number },
  opts: IssueOptions,
): Promise<WithEvents<{ outcome: IssueOutcome }>> {
  const { kind, id, attempt } = target;
  const payment = await findPayment(ctx.em, kind, id);
  if (!awaitsLink(payment, attempt)) return { outcome: 'skipped', events: [] };
  const now = ctx.now ? ctx.now() : new Date();
  let session: Awaited<ReturnType<PaymentProvider['createPaymentSession']>>;
  try {
    session = await opts.provider.createPaymentSession({
      kind,
      id,
      reference: paymentLabel(kind, payment),
      currency: payment.currency,
      items: payment.items,
      expiresAt: new Date(now.getTime() + opts.ttlMs),
      metadata: {
        [`${kind}Id`]: id,
        conversationId: payment.conversation.id,
        accountId: payment.account.id,
      },
      idempotencyKey: `parley-${kind}-${id}-${attempt}`,
    });
  } catch (err) {
    const error =
      err instanceof PaymentProviderError ? err : new PaymentProviderError(String(err), { retryable: true });
    if (error.retryable && !opts.lastAttempt) throw error;
    return recordRefusal(ctx, target, error.message);
  }
  return inTransaction(ctx, async (tx, record, at) => {
    const conv = await loadConversationLocked(tx, payment.conversation.id);
    const current = await tx.refresh(payment);
    if (!awaitsLink(current, attempt)) return { outcome: 'skipped' as const };
    if (!isOpen(kind, current) || conv.status !== 'open') {
      // Voided (or its conversation closed) while the provider answered: nothing goes out.
      current.linkState = 'cancelled';
      return { outcome: 'cancelled' as const };
    }
    Object.assign(current, {
      linkState: 'issued',
      payLink: session.url,
      providerRef: session.sessionId,
      linkExpiresAt: session.expiresAt,
      linkError: null,
    });
    const author = current.requestedBy ? await tx.findOne(User, { id: current.requestedBy.id }) : null;
    const message = await appendMessage(tx, conv, {
      kind: 'reply',
      text: paymentSummary(summaryHeading(kind, current), current.currency, current.items, session.url),
      author,
      channel: conv.channel,
      endpoint: conv.endpoint ?? null,
      deliver: true,
      meta: {
        [`${kind}Id`]: id,
        ...(kind === 'invoice' ? { invoiceReference: (current as Invoice).reference } : {}),
      },
      now: at,
    });
    if (author) await markReadWithin(tx, author, conv, at);
    await tx.flush();
    record(messageCreated(conv, message), {
      type: 'conversation.updated',
      conversationId: conv.id,
      groupId: conv.group.id,
      change: 'invoice',
    });
    return { outcome: 'issued' as const };
  });
}

/** The provider refused (or never answered): the thread says why; nothing reached the contact. */
async function recordRefusal(
  ctx: UseCaseContext,
  target: { kind: PaymentKind; id: string; attempt: number },
  reason: string,
): Promise<WithEvents<{ outcome: IssueOutcome }>> {
  return inTransaction(ctx, async (tx, record, now) => {
    const found = await findPayment(tx, target.kind, target.id);
    if (!found) return { outcome: 'skipped' as const };
    const conv = await loadConversationLocked(tx, found.conversation.id);
    const payment = await tx.refresh(found);
    if (!awaitsLink(payment, target.attempt)) return { outcome: 'skipped' as const };
    payment.linkState = 'failed';
    payment.linkError = reason.slice(0, 1000);
    const label = paymentLabel(target.kind, payment);
    const line = await appendSystemLine(
      tx,
      conv,
      systemActor,
      `${target.kind}.link_failed`,
      `${label} got no pay link, so nothing was sent to the contact. ${reason} Retry the pay link, or void it.`,
      now,
      { [`${target.kind}Id`]: payment.id, reason },
    );
    await tx.flush();
    record(messageCreated(conv, line), {
      type: 'conversation.updated',
      conversationId: conv.id,
      groupId: conv.group.id,
      change: 'invoice',
    });
    return { outcome: 'failed' as const };
  });
}

export const retryPayLinkInput = z.union([
  z.strictObject({ invoiceId: z.uuid() }),
  z.strictObject({ checkoutId: z.uuid() }),
]);
export type RetryPayLinkInput = z.input<typeof retryPayLinkInput>;

/**
 * A new pay link for a request whose link failed or expired (R38): anyone who may send one may
 * ask again. The attempt number changes, so the provider opens a new session.
 */
export async function retryPayLink(
  ctx: UseCaseContext,
  actor: Actor,
  input: RetryPayLinkInput,
): Promise<WithEvents<{ payment: Invoice | Checkout }>> {
  const parsed = parseInput(retryPayLinkInput, input);
  const kind: PaymentKind = 'invoiceId' in parsed ? 'invoice' : 'checkout';
  const id = 'invoiceId' in parsed ? parsed.invoiceId : parsed.checkoutId;
  if (!ctx.paymentProvider)
    throw new AppError(
      'not_configured',
      'No payment provider is configured, so there is no pay link to send.',
      {
        rule: 'R38',
      },
    );
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const found = await findPayment(tx, kind, id);
    if (!found) throw new AppError('not_found', `That ${kind} does not exist.`);
    const conv = await loadConversationFor(tx, user, found.conversation.id);
    const payment = await tx.refresh(found);
    if (!payment) throw new AppError('not_found', `That ${kind} does not exist.`);
    const label = paymentLabel(kind, payment);
    if (!isOpen(kind, payment))
      throw new AppError('conflict', `${label} is ${payment.status}; it needs no pay link.`, { rule: 'R38' });
    if (conv.status !== 'open')
      throw new AppError(
        'conflict',
        `Conversation #${conv.number} is closed. Reopen it to send a pay link.`,
        {
          rule: 'R38',
        },
      );
    assertPaymentChannel(conv, kind);
    if (payment.linkState === 'pending' || payment.linkState === 'issued')
      throw new AppError('conflict', `${label} already has a live pay link (or is getting one).`, {
        rule: 'R38',
        linkState: payment.linkState,
      });
    payment.linkState = 'pending';
    payment.linkAttempt += 1;
    payment.linkError = null;
    payment.requestedBy = user;
    const seqBefore = conv.lastSeq;
    const amount = formatMoney(payment.amountMinor, payment.currency);
    const line = await appendSystemLine(
      tx,
      conv,
      actor,
      `${kind}.link_retried`,
      `${user.name} asked for a new pay link for ${label} (${amount}).`,
      now,
      { [`${kind}Id`]: payment.id },
    );
    await keepReadAfterOwnLine(tx, user, conv, seqBefore);
    await tx.flush();
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
    return { payment };
  });
}

/** For the reconciler: requests whose pay-link wake-up was lost. */
export async function pendingPayLinks(
  em: EntityManager,
  olderThan: Date,
  batch: number,
): Promise<{ kind: PaymentKind; id: string; attempt: number }[]> {
  const rows = await em.getConnection().execute<{ kind: PaymentKind; id: string; attempt: number }[]>(
    `(select 'invoice' as kind, id, link_attempt as attempt from invoice where link_state = 'pending' and created_at <= ? limit ?)
     union all
     (select 'checkout' as kind, id, link_attempt as attempt from checkout where link_state = 'pending' and created_at <= ? limit ?)`,
    [olderThan, batch, olderThan, batch],
  );
  return rows.map((r) => ({ kind: r.kind, id: r.id, attempt: Number(r.attempt) }));
}
