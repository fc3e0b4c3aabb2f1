import type { Config } from '../../../src/config.ts';
import type { PaymentProvider } from '../../../src/ports/payments.ts';
import { createStripeProvider } from './stripe.provider.ts';

/** Builds the Stripe provider from the configuration (src/payments.ts decides whether it is configured). */
export function stripeProviderFrom(config: Config): PaymentProvider {
  return createStripeProvider({
    secretKey: config.STRIPE_SECRET_KEY ?? '',
    webhookSecret: config.STRIPE_WEBHOOK_SECRET ?? '',
    apiBase: config.STRIPE_API_BASE,
    successUrl: config.PAYMENT_SUCCESS_URL ?? `${config.publicUrl}/payments/done`,
    cancelUrl: config.PAYMENT_CANCEL_URL ?? `${config.publicUrl}/payments/cancelled`,
  });
}
