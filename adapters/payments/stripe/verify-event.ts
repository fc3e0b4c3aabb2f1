import Stripe from 'stripe';
import { type PaymentProviderEvent, PaymentSignatureError } from '../../../src/ports/payments.ts';

/**
 * Verifies a Stripe webhook on its raw bytes with the endpoint's signing secret (the SDK's
 * `constructEvent`, its default 5-minute tolerance) and reduces it to what Parley acts on. A pure
 * function of (secret, body, header, now), so it is tested without a server or a clock.
 */
export function verifyStripeEvent(
  secret: string,
  rawBody: Uint8Array | string,
  header: string | undefined,
  now: Date,
): PaymentProviderEvent {
  if (!header) throw new PaymentSignatureError('The Stripe-Signature header is missing.');
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, header, secret, undefined, undefined, now.getTime());
  } catch (err) {
    throw new PaymentSignatureError(
      `The Stripe signature does not verify: ${(err as Error).message ?? 'unknown reason'}`,
    );
  }
  return toProviderEvent(event);
}

const outcomes: Record<string, PaymentProviderEvent['outcome']> = {
  'checkout.session.async_payment_succeeded': 'paid',
  'checkout.session.async_payment_failed': 'failed',
  'checkout.session.expired': 'expired',
};

function toProviderEvent(event: Stripe.Event): PaymentProviderEvent {
  const base = {
    eventId: event.id,
    type: event.type,
    createdAt: new Date(event.created * 1000),
  };
  if (!event.type.startsWith('checkout.session.')) {
    return { ...base, outcome: 'ignored', sessionId: null, invoiceId: null, checkoutId: null };
  }
  const session = event.data.object as Stripe.Checkout.Session;
  const metadata = session.metadata ?? {};
  let outcome = outcomes[event.type] ?? 'ignored';
  if (event.type === 'checkout.session.completed') {
    // Delayed methods (bank debits) complete the session unpaid: the money follows in async_payment_*.
    outcome = session.payment_status === 'unpaid' ? 'processing' : 'paid';
  }
  return {
    ...base,
    outcome,
    sessionId: session.id ?? null,
    invoiceId: metadata.invoiceId ?? null,
    checkoutId: metadata.checkoutId ?? null,
  };
}
