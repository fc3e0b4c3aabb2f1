import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { buildPaymentProvider, configuredPaymentProvider } from '../../src/payments.ts';

describe('payment provider configuration (R38)', () => {
  it('R38: without Stripe settings no provider is built: invoices go without a link and admins mark them paid', async () => {
    const config = loadConfig({ STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '', STRIPE_API_BASE: '' });
    expect(configuredPaymentProvider(config)).toBeNull();
    expect(await buildPaymentProvider(config)).toBeNull();
  });

  it('R38: the key and the webhook secret together turn Stripe on, with its API base overridable for fakes', async () => {
    const config = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
    });
    expect(config.STRIPE_API_BASE).toBe('http://127.0.0.1:12111');
    expect(config.PAYMENT_LINK_TTL_HOURS).toBe(24);
    expect(configuredPaymentProvider(config)).toBe('stripe');
    const provider = await buildPaymentProvider(config);
    expect(provider?.name).toBe('stripe');
    expect(provider?.signatureHeader).toBe('stripe-signature');
  });

  it('R38: one without the other stops start-up naming the missing variable; a plain-http API base elsewhere is refused', () => {
    const issues = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).issues;
      }
    };
    expect(issues({ STRIPE_SECRET_KEY: 'sk_test_x' })[0]).toMatch(/^STRIPE_WEBHOOK_SECRET: required/);
    expect(issues({ STRIPE_WEBHOOK_SECRET: 'whsec_x' })[0]).toMatch(/^STRIPE_SECRET_KEY: required/);
    expect(issues({ STRIPE_API_BASE: 'http://stripe.example.com' })[0]).toMatch(/^STRIPE_API_BASE:/);
    expect(issues({ PAYMENT_LINK_TTL_HOURS: '48' })[0]).toMatch(/^PAYMENT_LINK_TTL_HOURS:/);
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(ConfigError);
  });
});
