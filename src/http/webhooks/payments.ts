import { Hono } from 'hono';
import { html } from 'hono/html';
import { AppError } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import { type PaymentProvider, PaymentSignatureError } from '../../ports/payments.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import { recordPaymentEvent } from '../../use-cases/payment-events.ts';
import type { AppEnv } from '../env.ts';

/**
 * The payment provider's webhook (`POST /webhooks/stripe`, R38): verified on its raw bytes, then
 * committed (deduplicated by the provider's event id) before it is answered; the payment-event job
 * applies it. A bad signature answers 400 and records nothing. Also the two short pages the
 * customer lands on after the provider's payment page.
 */
export function paymentRoutes(
  provider: PaymentProvider,
  deps: { context: () => UseCaseContext; logger: Logger; now?: () => Date },
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post(`/webhooks/${provider.name}`, async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    let event: ReturnType<PaymentProvider['verifyEvent']>;
    try {
      event = provider.verifyEvent(body, c.req.header(provider.signatureHeader), deps.now?.() ?? new Date());
    } catch (err) {
      if (!(err instanceof PaymentSignatureError)) throw err;
      throw new AppError('bad_request', err.message, { reason: 'signature', provider: provider.name });
    }
    const result = await recordPaymentEvent(deps.context(), provider.name, event);
    if (result.duplicate)
      deps.logger.info({ eventId: event.eventId }, 'payment event delivered again; ignored');
    return c.json({ received: true, duplicate: result.duplicate }, 200);
  });
  app.get('/payments/done', (c) =>
    c.html(page('Thank you', 'Your payment went through. You can go back to the conversation.')),
  );
  app.get('/payments/cancelled', (c) =>
    c.html(
      page(
        'Payment not made',
        'Nothing was charged. The pay link in the conversation still works until it expires.',
      ),
    ),
  );
  return app;
}

const page = (title: string, text: string) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem"><h1>${title}</h1><p>${text}</p></body></html>`;
