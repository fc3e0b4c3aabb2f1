import Stripe from 'stripe';
import {
  type PaymentProvider,
  PaymentProviderError,
  type PaymentSession,
  type PaymentSessionRequest,
} from '../../../src/ports/payments.ts';
import { verifyStripeEvent } from './verify-event.ts';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Another API base (a local fake, a proxy); Stripe's own when unset. */
  apiBase?: string;
  /** Where Stripe sends the customer after paying, and after giving up. */
  successUrl: string;
  cancelUrl: string;
  /** Retries the SDK makes itself (same idempotency key) before the job's own retries. */
  maxNetworkRetries?: number;
}

/**
 * R38 through Stripe: one Checkout Session per invoice or checkout. Its URL is the pay link; its
 * metadata carries Parley's ids, which come back in the webhook events.
 */
export function createStripeProvider(opts: StripeProviderOptions): PaymentProvider {
  const stripe = new Stripe(opts.secretKey, {
    ...hostOptions(opts.apiBase),
    maxNetworkRetries: opts.maxNetworkRetries ?? 2,
    // fetch, not node:http, looked up at each call: the same client on every runtime, and one
    // that sees a fetch replaced after start-up (an instrumented or intercepted one).
    httpClient: Stripe.createFetchHttpClient((input, init) => globalThis.fetch(input, init)),
    telemetry: false,
    appInfo: { name: 'Parley' },
  });
  return {
    name: 'stripe',
    signatureHeader: 'stripe-signature',
    async createPaymentSession(request: PaymentSessionRequest): Promise<PaymentSession> {
      try {
        const session = await stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: request.items.map((item) => ({
              quantity: item.quantity,
              price_data: {
                currency: request.currency.toLowerCase(),
                unit_amount: item.unitAmountMinor,
                product_data: { name: item.description },
              },
            })),
            expires_at: Math.floor(request.expiresAt.getTime() / 1000),
            client_reference_id: request.id,
            metadata: request.metadata,
            payment_intent_data: { metadata: request.metadata, description: request.reference },
            success_url: opts.successUrl,
            cancel_url: opts.cancelUrl,
          },
          { idempotencyKey: request.idempotencyKey },
        );
        if (!session.url)
          throw new PaymentProviderError('Stripe opened a session without a URL.', { retryable: false });
        return {
          sessionId: session.id,
          url: session.url,
          expiresAt: new Date(session.expires_at * 1000),
        };
      } catch (err) {
        throw toProviderError(err);
      }
    },
    async expirePaymentSession(sessionId: string): Promise<void> {
      try {
        await stripe.checkout.sessions.expire(sessionId);
      } catch (err) {
        // Only open sessions can be expired: one completed or expired meanwhile needs nothing.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && /can be expired/i.test(err.message))
          return;
        throw toProviderError(err);
      }
    },
    verifyEvent: (rawBody, signature, now) => verifyStripeEvent(opts.webhookSecret, rawBody, signature, now),
  };
}

function hostOptions(apiBase: string | undefined): {
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
} {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** Stripe's answer, in Parley's terms: its message for the thread, and whether a later try may work. */
export function toProviderError(err: unknown): PaymentProviderError {
  if (err instanceof PaymentProviderError) return err;
  if (err instanceof Stripe.errors.StripeAuthenticationError)
    return new PaymentProviderError('Stripe refused the API key (check STRIPE_SECRET_KEY).', {
      retryable: false,
    });
  if (err instanceof Stripe.errors.StripePermissionError)
    return new PaymentProviderError(`Stripe refused: ${err.message}`, { retryable: false });
  if (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeRateLimitError ||
    err instanceof Stripe.errors.StripeAPIError ||
    (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500)
  )
    return new PaymentProviderError(`Stripe is not answering: ${err.message}`, { retryable: true });
  if (err instanceof Stripe.errors.StripeError)
    return new PaymentProviderError(`Stripe refused: ${err.message}`, { retryable: false });
  return new PaymentProviderError(`Stripe could not be reached: ${(err as Error)?.message ?? String(err)}`, {
    retryable: true,
  });
}
