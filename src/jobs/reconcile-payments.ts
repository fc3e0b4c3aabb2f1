import type { EntityManager } from '@mikro-orm/postgresql';
import { linksToExpire } from '../use-cases/expire-pay-link.ts';
import { pendingPayLinks } from '../use-cases/pay-links.ts';
import { unappliedPaymentEvents } from '../use-cases/payment-events.ts';
import { enqueue, type Queues } from './queues.ts';

/** Work younger than this still has its own wake-up on the way. */
const SETTLE_MS = 30_000;

/**
 * R38, for the reconciler: pay links still to open (or, voided, to expire) and provider events still to apply, whose
 * wake-up was lost. Duplicates collapse on the job ids; the use-cases' state checks make a second
 * run do nothing. Returns how many were woken.
 */
export async function reconcilePayments(deps: {
  em: EntityManager;
  queues: Queues;
  now: Date;
  batch: number;
}): Promise<number> {
  const settled = new Date(deps.now.getTime() - SETTLE_MS);
  const links = await pendingPayLinks(deps.em, settled, deps.batch);
  const events = await unappliedPaymentEvents(deps.em, settled, deps.batch);
  const expiring = await linksToExpire(deps.em, deps.now, deps.batch);
  await Promise.all([
    ...expiring.map((id) => enqueue(deps.queues, 'expirePayLink', { kind: 'invoice', id })),
    ...links.map((l) => enqueue(deps.queues, 'payLink', l)),
    ...events.map((id) => enqueue(deps.queues, 'paymentEvent', { paymentEventId: id })),
  ]);
  return links.length + events.length + expiring.length;
}
