import type { Config } from './config.ts';
import type { PaymentProvider } from './ports/payments.ts';

/**
 * A row of the payment provider table. Its module (and the vendor SDK behind it) is loaded only
 * when the deployment configures it, as for AI models (ai-models.ts).
 */
export interface PaymentProviderTableRow {
  name: string;
  configured(config: Config): boolean;
  load(config: Config): Promise<PaymentProvider>;
}

/**
 * Which provider issues pay links for invoices and checkouts (R38). Another provider is a new
 * folder under adapters/payments/ and a row here.
 */
export const paymentProviderTable: PaymentProviderTableRow[] = [
  {
    name: 'stripe',
    configured: (c) => Boolean(c.STRIPE_SECRET_KEY && c.STRIPE_WEBHOOK_SECRET),
    load: async (c) => (await import('../adapters/payments/stripe/index.ts')).stripeProviderFrom(c),
  },
];

/** The configured provider, or null when none is (invoices then carry no link; an admin marks them paid). */
export async function buildPaymentProvider(
  config: Config,
  table = paymentProviderTable,
): Promise<PaymentProvider | null> {
  const row = table.find((r) => r.configured(config));
  return row ? row.load(config) : null;
}

/** The configured provider's name without loading it (the admin API passes it to the use-cases). */
export function configuredPaymentProvider(
  config: Partial<Config>,
  table = paymentProviderTable,
): string | null {
  return table.find((r) => r.configured(config as Config))?.name ?? null;
}
