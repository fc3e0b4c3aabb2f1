import type { EntityManager } from '@mikro-orm/postgresql';
import { Invoice } from '../db/entities/index.ts';
import type { PaymentProvider } from '../ports/payments.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';

/**
 * R38: a voided invoice whose pay link had gone out. The provider's session is expired (outside
 * any transaction) so the customer can no longer pay it; then the link is marked cancelled. A
 * payment that still slipped through is shown in the thread by the payment-event job.
 */
export async function expirePayLink(
  ctx: UseCaseContext,
  target: { kind: 'invoice' | 'checkout'; id: string },
  provider: PaymentProvider,
): Promise<WithEvents<{ outcome: 'expired' | 'skipped' }>> {
  // Only invoices are voided; a checkout has no void.
  if (target.kind !== 'invoice') return { outcome: 'skipped', events: [] };
  const invoice = await ctx.em.findOne(Invoice, { id: target.id });
  if (invoice?.status !== 'void' || invoice.linkState !== 'issued' || !invoice.providerRef)
    return { outcome: 'skipped', events: [] };
  await provider.expirePaymentSession(invoice.providerRef);
  return inTransaction(ctx, async (tx) => {
    await tx.nativeUpdate(Invoice, { id: target.id, linkState: 'issued' }, { linkState: 'cancelled' });
    return { outcome: 'expired' as const };
  });
}

/** For the reconciler: voided invoices whose live link was not expired yet (the job was lost). */
export async function linksToExpire(em: EntityManager, now: Date, batch: number): Promise<string[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from invoice where status = 'void' and link_state = 'issued' and link_expires_at > ? limit ?`,
      [now, batch],
    );
  return rows.map((r) => r.id);
}
