import { beforeEach, describe, expect, it } from 'vitest';
import { verifyStripeEvent } from '../../../adapters/payments/stripe/verify-event.ts';
import { PaymentProviderError, PaymentSignatureError } from '../../../src/ports/payments.ts';
import {
  STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET,
  stripeEvent,
  stripeFake,
  testStripeProvider,
} from '../../payments/stripe-fake.ts';
import { useMsw } from '../../support/msw.ts';

const stripe = stripeFake();
useMsw(...stripe.handlers);
beforeEach(() => stripe.reset());

const provider = testStripeProvider;

const expiresAt = new Date(Math.floor(Date.now() / 1000 + 24 * 3600) * 1000);
const request = (idempotencyKey = 'parley-invoice-1-0') => ({
  kind: 'invoice' as const,
  id: '0b9c3f1e-5b7a-4f7e-9a43-4b1c2d3e4f50',
  reference: 'Invoice INV-1042-1',
  currency: 'EUR',
  items: [
    { description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 },
    { description: 'Cable', quantity: 2, unitAmountMinor: 1250 },
  ],
  expiresAt,
  metadata: {
    invoiceId: '0b9c3f1e-5b7a-4f7e-9a43-4b1c2d3e4f50',
    conversationId: 'c0c0c0c0-0000-4000-8000-000000000001',
    accountId: 'a0a0a0a0-0000-4000-8000-000000000001',
  },
  idempotencyKey,
});

describe('Stripe Checkout Sessions (R38)', () => {
  it('R38: an invoice becomes one payment-mode Checkout Session with its line items, expiry, Parley ids and idempotency key', async () => {
    const session = await provider().createPaymentSession(request());
    expect(stripe.requests).toHaveLength(1);
    const sent = stripe.requests[0]!;
    expect(sent.authorization).toBe(`Bearer ${STRIPE_SECRET_KEY}`);
    expect(sent.idempotencyKey).toBe('parley-invoice-1-0');
    expect(sent.form).toMatchObject({
      mode: 'payment',
      expires_at: String(expiresAt.getTime() / 1000),
      client_reference_id: request().id,
      success_url: 'https://parley.test/payments/done',
      cancel_url: 'https://parley.test/payments/cancelled',
      metadata: request().metadata,
      line_items: {
        0: {
          quantity: '1',
          price_data: { currency: 'eur', unit_amount: '8900', product_data: { name: 'Screen repair' } },
        },
        1: {
          quantity: '2',
          price_data: { currency: 'eur', unit_amount: '1250', product_data: { name: 'Cable' } },
        },
      },
    });
    expect(stripe.sessions[0]!.amount_total).toBe(11400);
    expect(session).toEqual({ sessionId: stripe.sessions[0]!.id, url: stripe.sessions[0]!.url, expiresAt });
  });

  it('R38: a retried call with the same idempotency key gets the same session, never a second one', async () => {
    const first = await provider().createPaymentSession(request('parley-invoice-2-0'));
    const again = await provider().createPaymentSession(request('parley-invoice-2-0'));
    expect(again).toEqual(first);
    expect(stripe.sessions).toHaveLength(1);
    const other = await provider().createPaymentSession(request('parley-invoice-2-1'));
    expect(other.sessionId).not.toBe(first.sessionId);
  });

  it('R38: Stripe refusing the request is a permanent error carrying Stripe’s reason', async () => {
    stripe.failNext({
      status: 400,
      type: 'invalid_request_error',
      message: 'Invalid currency: xyz.',
      param: 'currency',
    });
    const error = await provider()
      .createPaymentSession(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentProviderError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain('Invalid currency: xyz.');
  });

  it('R38: a wrong secret key is permanent and names the setting to fix', async () => {
    const error = await provider('sk_test_wrong')
      .createPaymentSession(request())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain('STRIPE_SECRET_KEY');
  });

  it('R38: a Stripe outage (500) or rate limit (429) is worth another try', async () => {
    stripe.failNext({ status: 500, type: 'api_error', message: 'An unknown error occurred' });
    expect(
      await provider()
        .createPaymentSession(request('k-500'))
        .catch((e: unknown) => e),
    ).toMatchObject({
      retryable: true,
    });
    stripe.failNext({ status: 429, type: 'rate_limit_error', message: 'Too many requests' });
    expect(
      await provider()
        .createPaymentSession(request('k-429'))
        .catch((e: unknown) => e),
    ).toMatchObject({
      retryable: true,
    });
  });
});

describe('Stripe webhook verification (R38), a pure function of secret, body, header and time', () => {
  const session = { id: 'cs_test_verify', metadata: { invoiceId: 'ab1b9b5e-7c4e-4f9e-8a2b-3c4d5e6f7a8b' } };

  it('R38: a correctly signed checkout.session.completed (paid) verifies and means paid', () => {
    const event = stripeEvent('checkout.session.completed', {
      ...session,
      payment_status: 'paid',
      status: 'complete',
    });
    expect(verifyStripeEvent(STRIPE_WEBHOOK_SECRET, event.body, event.signature, new Date())).toMatchObject({
      eventId: event.id,
      type: 'checkout.session.completed',
      outcome: 'paid',
      sessionId: 'cs_test_verify',
      invoiceId: session.metadata.invoiceId,
      checkoutId: null,
    });
  });

  it('R38: the same bytes signed with another secret do not verify', () => {
    const event = stripeEvent('checkout.session.completed', session, { secret: 'whsec_someone_else' });
    expect(() => verifyStripeEvent(STRIPE_WEBHOOK_SECRET, event.body, event.signature, new Date())).toThrow(
      PaymentSignatureError,
    );
  });

  it('R38: a body changed after signing, or no signature at all, does not verify', () => {
    const event = stripeEvent('checkout.session.completed', { ...session, payment_status: 'paid' });
    const tampered = event.body.replace('"paid"', '"unpaid"');
    expect(() => verifyStripeEvent(STRIPE_WEBHOOK_SECRET, tampered, event.signature, new Date())).toThrow(
      PaymentSignatureError,
    );
    expect(() => verifyStripeEvent(STRIPE_WEBHOOK_SECRET, event.body, undefined, new Date())).toThrow(
      /missing/,
    );
  });

  it('R38: a signature older than the SDK’s tolerance (5 minutes) is refused; inside it, accepted', () => {
    const signedAt = Math.floor(Date.now() / 1000) - 3600;
    const event = stripeEvent('checkout.session.expired', session, { timestamp: signedAt });
    const at = (seconds: number) => new Date((signedAt + seconds) * 1000);
    expect(verifyStripeEvent(STRIPE_WEBHOOK_SECRET, event.body, event.signature, at(299)).outcome).toBe(
      'expired',
    );
    expect(() => verifyStripeEvent(STRIPE_WEBHOOK_SECRET, event.body, event.signature, at(301))).toThrow(
      /tolerance/,
    );
  });

  it('R38: delayed payments, failures and other event types map to what Parley acts on', () => {
    const outcome = (type: string, extra: Record<string, unknown> = {}) => {
      const e = stripeEvent(type, { ...session, ...extra });
      return verifyStripeEvent(STRIPE_WEBHOOK_SECRET, e.body, e.signature, new Date()).outcome;
    };
    expect(outcome('checkout.session.completed', { payment_status: 'unpaid' })).toBe('processing');
    expect(outcome('checkout.session.async_payment_succeeded', { payment_status: 'paid' })).toBe('paid');
    expect(outcome('checkout.session.async_payment_failed')).toBe('failed');
    expect(outcome('checkout.session.expired')).toBe('expired');
    expect(outcome('customer.created')).toBe('ignored');
  });
});
