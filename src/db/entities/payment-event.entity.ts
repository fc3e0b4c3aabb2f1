import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';

/**
 * A verified event from the payment provider (R38), committed before the webhook is answered and
 * applied by the payment-event job. The unique key absorbs a provider's repeated delivery of the
 * same event; `appliedAt` tells the reconciler which still wait.
 */
const PaymentEventSchema = defineEntity({
  name: 'PaymentEvent',
  properties: {
    id: id(),
    provider: p.string(),
    /** The provider's event id (`evt_...`). */
    eventId: p.string(),
    type: p.string(),
    outcome: p.enum(['paid', 'processing', 'expired', 'failed', 'ignored'] as const),
    sessionId: p.string().nullable(),
    invoiceId: p.uuid().nullable(),
    checkoutId: p.uuid().nullable(),
    /** When the provider created it. */
    occurredAt: p.datetime(),
    appliedAt: p.datetime().nullable(),
    /** What applying it did (`paid`, `late: invoice already paid`...), for reading the table. */
    result: p.text().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'payment_event_key', properties: ['provider', 'eventId'] }],
  indexes: [
    {
      name: 'payment_event_unapplied_idx',
      expression:
        'create index "payment_event_unapplied_idx" on "payment_event" ("created_at") where "applied_at" is null',
    },
  ],
});
export class PaymentEvent extends PaymentEventSchema.class {}
PaymentEventSchema.setClass(PaymentEvent);
