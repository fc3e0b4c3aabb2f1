import { Hono } from 'hono';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { Checkout, Invoice, PaymentEvent } from '../../src/db/entities/index.ts';
import type { AppEnv } from '../../src/http/env.ts';
import { onError } from '../../src/http/on-error.ts';
import { paymentRoutes } from '../../src/http/webhooks/payments.ts';
import { closeConversation } from '../../src/use-cases/close-conversation.ts';
import { createCheckout, createInvoice } from '../../src/use-cases/invoices.ts';
import { issuePayLink } from '../../src/use-cases/pay-links.ts';
import { applyPaymentEvent } from '../../src/use-cases/payment-events.ts';
import { useMsw } from '../support/msw.ts';
import { createTestDb } from '../support/test-db.ts';
import { as, openConv, refusal, timeline, workspace } from '../use-cases/management/support.ts';
import { postStripeEvent, stripeEvent, stripeFake, testStripeProvider } from './stripe-fake.ts';

/**
 * R38: Stripe's signed events at `POST /webhooks/stripe`: verified on the raw body, committed once
 * per event id, then applied (the payment-event job's work) monotonically.
 */
const stripe = stripeFake();
useMsw(...stripe.handlers);
beforeEach(() => stripe.reset());

const db = await createTestDb();
const ws = await workspace(db);
const logger = pino({ level: 'silent' });
const provider = testStripeProvider();
const app = new Hono<AppEnv>();
app.route('/', paymentRoutes(provider, { context: () => ({ em: db.em() }), logger }));
app.onError(onError(logger));

const items = [{ description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 }];

/** An invoice whose pay link went out, and its Stripe session. */
async function sentInvoice() {
  const conv = await openConv(db, ws, { channel: 'sms' });
  const ctx = { em: db.em(), paymentProvider: 'stripe' };
  const { invoice } = await createInvoice(ctx, as(ws.alice), {
    conversationId: conv.id,
    currency: 'EUR',
    items,
  });
  await issuePayLink(
    { em: db.em() },
    { kind: 'invoice', id: invoice.id, attempt: 0 },
    {
      provider,
      ttlMs: 3_600_000,
      lastAttempt: false,
    },
  );
  const session = stripe.sessions.at(-1)!;
  return { conv, invoice, session: { id: session.id, metadata: session.metadata } };
}

/** Stripe delivers the event; Parley commits it and the job applies it. */
async function deliver(event: { body: string; signature: string }) {
  const res = await postStripeEvent(app, event);
  const body = (await res.json()) as { received?: boolean; duplicate?: boolean };
  const rows = await db.em().find(PaymentEvent, { appliedAt: null });
  for (const row of rows) await applyPaymentEvent({ em: db.em() }, row.id);
  return { status: res.status, body };
}

const invoiceNow = (id: string) => db.em().findOneOrFail(Invoice, id);

describe('POST /webhooks/stripe', () => {
  it('R38, R21: checkout.session.completed marks the invoice paid (a thread line says so) and the conversation may close', async () => {
    const { conv, invoice, session } = await sentInvoice();
    await refusal(
      closeConversation({ em: db.em() }, as(ws.admin), { conversationId: conv.id }),
      'rule_violation',
      'R21',
    );
    const event = stripeEvent('checkout.session.completed', {
      ...session,
      payment_status: 'paid',
      status: 'complete',
    });
    const res = await deliver(event);
    expect(res).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await invoiceNow(invoice.id)).toMatchObject({ status: 'paid', providerRef: session.id });
    expect((await timeline(db, conv.id)).at(-1)!.text).toBe(`Invoice ${invoice.reference} (EUR 89.00) paid`);
    const row = await db.em().findOneOrFail(PaymentEvent, { eventId: event.id });
    expect(row).toMatchObject({ type: 'checkout.session.completed', result: 'paid' });
    expect(row.appliedAt).not.toBeNull();
    await closeConversation({ em: db.em() }, as(ws.admin), { conversationId: conv.id });
  });

  it('R38: the same event delivered twice is recorded and applied once', async () => {
    const { conv, invoice, session } = await sentInvoice();
    const event = stripeEvent('checkout.session.completed', { ...session, payment_status: 'paid' });
    await deliver(event);
    const lines = (await timeline(db, conv.id)).length;
    const again = await deliver(event);
    expect(again).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await db.em().count(PaymentEvent, { eventId: event.id })).toBe(1);
    expect((await timeline(db, conv.id)).length).toBe(lines);
    expect((await invoiceNow(invoice.id)).status).toBe('paid');
  });

  it('R38: a wrong signature, or one outside the tolerance window, answers 400 in the API’s error shape and records nothing', async () => {
    const { invoice, session } = await sentInvoice();
    const before = await db.em().count(PaymentEvent, {});
    const forged = stripeEvent(
      'checkout.session.completed',
      { ...session, payment_status: 'paid' },
      { secret: 'whsec_forged' },
    );
    const res = await postStripeEvent(app, forged);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toContain('signature');
    const stale = stripeEvent(
      'checkout.session.completed',
      { ...session, payment_status: 'paid' },
      {
        timestamp: Math.floor(Date.now() / 1000) - 600,
      },
    );
    const late = await postStripeEvent(app, stale);
    expect(late.status).toBe(400);
    expect(((await late.json()) as { error: { message: string } }).error.message).toContain('tolerance');
    expect(await db.em().count(PaymentEvent, {})).toBe(before);
    expect((await invoiceNow(invoice.id)).status).toBe('unpaid');
  });

  it('R38: out of order, paid wins: an expiry or failure after the payment changes nothing, and paid never goes back', async () => {
    const { conv, invoice, session } = await sentInvoice();
    await deliver(stripeEvent('checkout.session.completed', { ...session, payment_status: 'paid' }));
    const lines = (await timeline(db, conv.id)).length;
    const expired = stripeEvent('checkout.session.expired', { ...session, status: 'expired' });
    await deliver(expired);
    await deliver(stripeEvent('checkout.session.async_payment_failed', session));
    expect(await invoiceNow(invoice.id)).toMatchObject({ status: 'paid', linkState: 'issued' });
    expect((await timeline(db, conv.id)).length).toBe(lines);
    expect((await db.em().findOneOrFail(PaymentEvent, { eventId: expired.id })).result).toBe(
      'late: invoice is paid',
    );
  });

  it('R38: an expired link is shown in the thread; a payment that still arrives for it marks the invoice paid', async () => {
    const { conv, invoice, session } = await sentInvoice();
    await deliver(stripeEvent('checkout.session.expired', { ...session, status: 'expired' }));
    expect(await invoiceNow(invoice.id)).toMatchObject({ status: 'unpaid', linkState: 'expired' });
    expect((await timeline(db, conv.id)).at(-1)!.text).toBe(
      `The pay link of Invoice ${invoice.reference} expired unpaid. Send a new pay link, or void it.`,
    );
    await deliver(
      stripeEvent('checkout.session.async_payment_succeeded', { ...session, payment_status: 'paid' }),
    );
    expect((await invoiceNow(invoice.id)).status).toBe('paid');
  });

  it('R38: a failed delayed payment is shown in the thread and the invoice stays unpaid', async () => {
    const { conv, invoice, session } = await sentInvoice();
    await deliver(stripeEvent('checkout.session.completed', { ...session, payment_status: 'unpaid' }));
    expect((await timeline(db, conv.id)).at(-1)!.text).toContain('still on its way (processing)');
    await deliver(stripeEvent('checkout.session.async_payment_failed', session));
    expect(await invoiceNow(invoice.id)).toMatchObject({ status: 'unpaid', linkState: 'failed' });
    expect((await timeline(db, conv.id)).at(-1)!.text).toBe(
      `The contact's payment for Invoice ${invoice.reference} failed at Stripe. Send a new pay link, or void it.`,
    );
  });

  it('R38: a checkout is paid or expires by its events', async () => {
    const conv = await openConv(db, ws, { channel: 'whatsapp' });
    const ctx = { em: db.em(), paymentProvider: 'stripe' };
    const { checkout } = await createCheckout(ctx, as(ws.bob), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    await issuePayLink(
      { em: db.em() },
      { kind: 'checkout', id: checkout.id, attempt: 0 },
      {
        provider,
        ttlMs: 3_600_000,
        lastAttempt: false,
      },
    );
    const session = { id: stripe.sessions.at(-1)!.id, metadata: stripe.sessions.at(-1)!.metadata };
    await deliver(stripeEvent('checkout.session.completed', { ...session, payment_status: 'paid' }));
    expect(await db.em().findOneOrFail(Checkout, checkout.id)).toMatchObject({ status: 'paid' });
    await deliver(stripeEvent('checkout.session.expired', session));
    expect(await db.em().findOneOrFail(Checkout, checkout.id)).toMatchObject({ status: 'paid' });
  });

  it('R38: event types Parley does not act on are acknowledged and kept only as seen', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_test_1' });
    const res = await deliver(event);
    expect(res.status).toBe(200);
    expect(await db.em().findOneOrFail(PaymentEvent, { eventId: event.id })).toMatchObject({
      result: 'ignored',
    });
  });
});
