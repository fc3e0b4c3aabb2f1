import { beforeEach, describe, expect, it } from 'vitest';
import { Invoice, Message } from '../../src/db/entities/index.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { expirePayLink } from '../../src/use-cases/expire-pay-link.ts';
import { voidInvoice } from '../../src/use-cases/invoice-changes.ts';
import { createCheckout, createInvoice } from '../../src/use-cases/invoices.ts';
import { issuePayLink, retryPayLink } from '../../src/use-cases/pay-links.ts';
import { useMsw } from '../support/msw.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { as, openConv, refusal, timeline, workspace } from '../use-cases/management/support.ts';
import { stripeFake, testStripeProvider } from './stripe-fake.ts';

/**
 * R38: with a payment provider, an invoice or checkout reaches the contact only with its pay link.
 * The pay-link use-case (the pay-link job's work) opens the Stripe session outside any
 * transaction, then appends the reply carrying the link for the normal delivery.
 */
const stripe = stripeFake();
useMsw(...stripe.handlers);
beforeEach(() => stripe.reset());

const db: TestDb = await createTestDb();
const ws = await workspace(db);
const provider = testStripeProvider();
const withStripe = (): UseCaseContext => ({ em: db.em(), paymentProvider: 'stripe' });
const issue = (target: { kind: 'invoice' | 'checkout'; id: string; attempt: number }, lastAttempt = false) =>
  issuePayLink({ em: db.em() }, target, { provider, ttlMs: 24 * 3_600_000, lastAttempt });
const items = [{ description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 }];
const replies = async (conversationId: string) =>
  (await timeline(db, conversationId)).filter((m) => m.kind === 'reply' && m.deliveryState !== null);

describe('R38: issuing the pay link', () => {
  it('R38: the invoice waits for its link (a thread line, nothing to the contact), then goes with it as the creator’s reply', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const created = await createInvoice(withStripe(), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    expect(created.payLinkPending).toBe(true);
    expect(created.message.kind).toBe('system');
    expect(created.message.text).toContain(`Invoice INV-${conv.number}-1 (EUR 89.00) created by Alice`);
    expect(created.events.map((e) => e.type)).toContain('payment.link_requested');
    expect(await replies(conv.id)).toHaveLength(0);
    expect(stripe.requests).toHaveLength(0); // never inside the use-case's transaction

    const result = await issue({ kind: 'invoice', id: created.invoice.id, attempt: 0 });
    expect(result.outcome).toBe('issued');
    const session = stripe.sessions[0]!;
    expect(stripe.requests[0]!.idempotencyKey).toBe(`parley-invoice-${created.invoice.id}-0`);
    expect(session.metadata).toEqual({
      invoiceId: created.invoice.id,
      conversationId: conv.id,
      accountId: ws.account.id,
    });
    const invoice = await db.em().findOneOrFail(Invoice, created.invoice.id);
    expect(invoice).toMatchObject({ linkState: 'issued', payLink: session.url, providerRef: session.id });
    expect(invoice.linkExpiresAt?.getTime()).toBe(session.expires_at * 1000);
    const [reply] = await replies(conv.id);
    expect(reply).toMatchObject({ deliveryState: 'queued', channel: 'sms', author: { id: ws.alice.id } });
    expect(reply!.text).toBe(
      `Invoice INV-${conv.number}-1\n1 × Screen repair at EUR 89.00\nTotal: EUR 89.00\nPay here: ${session.url}`,
    );

    // The same job again (a duplicate wake-up) changes nothing and asks Stripe nothing.
    expect((await issue({ kind: 'invoice', id: created.invoice.id, attempt: 0 })).outcome).toBe('skipped');
    expect(stripe.requests).toHaveLength(1);
    expect(await replies(conv.id)).toHaveLength(1);
  });

  it('R38: when Stripe refuses, the thread says why and nothing is half-sent; a retry opens a new session and sends it', async () => {
    const conv = await openConv(db, ws, { channel: 'whatsapp' });
    const { invoice } = await createInvoice(withStripe(), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    stripe.failNext({
      status: 400,
      type: 'invalid_request_error',
      message: 'Your account cannot accept EUR.',
      param: 'currency',
    });
    expect((await issue({ kind: 'invoice', id: invoice.id, attempt: 0 })).outcome).toBe('failed');
    const failed = await db.em().findOneOrFail(Invoice, invoice.id);
    expect(failed).toMatchObject({ linkState: 'failed', payLink: null });
    const line = (await timeline(db, conv.id)).at(-1)!;
    expect(line.kind).toBe('system');
    expect(line.text).toContain(
      `Invoice ${invoice.reference} got no pay link, so nothing was sent to the contact.`,
    );
    expect(line.text).toContain('Your account cannot accept EUR.');
    expect(await replies(conv.id)).toHaveLength(0);

    const retried = await retryPayLink(withStripe(), as(ws.alice), { invoiceId: invoice.id });
    expect(retried.payment.linkAttempt).toBe(1);
    expect((await issue({ kind: 'invoice', id: invoice.id, attempt: 1 })).outcome).toBe('issued');
    expect(stripe.requests.at(-1)!.idempotencyKey).toBe(`parley-invoice-${invoice.id}-1`);
    expect(await replies(conv.id)).toHaveLength(1);
    // A live link is not replaced.
    await refusal(retryPayLink(withStripe(), as(ws.alice), { invoiceId: invoice.id }), 'conflict', 'R38');
  });

  it('R38: Stripe not answering is retried by the job (the same key), and only the last try tells the thread', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const { invoice } = await createInvoice(withStripe(), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    stripe.failNext({ status: 503, type: 'api_error', message: 'Service unavailable' });
    await expect(issue({ kind: 'invoice', id: invoice.id, attempt: 0 })).rejects.toMatchObject({
      retryable: true,
    });
    expect((await db.em().findOneOrFail(Invoice, invoice.id)).linkState).toBe('pending');
    stripe.failNext({ status: 503, type: 'api_error', message: 'Service unavailable' });
    expect((await issue({ kind: 'invoice', id: invoice.id, attempt: 0 }, true)).outcome).toBe('failed');
    expect((await timeline(db, conv.id)).at(-1)!.text).toContain('Stripe is not answering');
  });

  it('R38: an invoice voided before its link came sends nothing', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const { invoice } = await createInvoice(withStripe(), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    await voidInvoice(withStripe(), as(ws.admin), { invoiceId: invoice.id });
    expect((await issue({ kind: 'invoice', id: invoice.id, attempt: 0 })).outcome).toBe('skipped');
    expect(stripe.requests).toHaveLength(0);
    expect(await replies(conv.id)).toHaveLength(0);
  });

  it('R38: a checkout gets its own session and link the same way', async () => {
    const conv = await openConv(db, ws, { channel: 'whatsapp' });
    const { checkout, message } = await createCheckout(withStripe(), as(ws.bob), {
      conversationId: conv.id,
      currency: 'usd',
      items,
    });
    expect(message.kind).toBe('system');
    expect((await issue({ kind: 'checkout', id: checkout.id, attempt: 0 })).outcome).toBe('issued');
    expect(stripe.sessions[0]!.metadata).toMatchObject({ checkoutId: checkout.id, conversationId: conv.id });
    const reply = await db
      .em()
      .findOneOrFail(Message, { conversation: conv.id, kind: 'reply' }, { orderBy: { seq: 'desc' } });
    expect(reply.text).toContain(`Pay here: ${stripe.sessions[0]!.url}`);
  });

  it('R38: voiding an invoice whose link went out expires its Stripe session, so the customer can no longer pay it', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const { invoice } = await createInvoice(withStripe(), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    await issue({ kind: 'invoice', id: invoice.id, attempt: 0 });
    const session = stripe.sessions.at(-1)!;
    const voided = await voidInvoice(withStripe(), as(ws.admin), { invoiceId: invoice.id });
    expect(voided.events).toContainEqual({
      type: 'payment.link_cancelled',
      paymentKind: 'invoice',
      paymentId: invoice.id,
    });
    expect(
      (await expirePayLink({ em: db.em() }, { kind: 'invoice', id: invoice.id }, provider)).outcome,
    ).toBe('expired');
    expect(stripe.expired).toEqual([session.id]);
    expect(session.status).toBe('expired');
    expect(await db.em().findOneOrFail(Invoice, invoice.id)).toMatchObject({
      status: 'void',
      linkState: 'cancelled',
    });
    // Done once: a repeated job asks Stripe nothing more.
    expect(
      (await expirePayLink({ em: db.em() }, { kind: 'invoice', id: invoice.id }, provider)).outcome,
    ).toBe('skipped');
    expect(stripe.expired).toHaveLength(1);
  });

  it('R38: a session Stripe already closed (paid or expired meanwhile) is left as it is', async () => {
    const session = await provider.createPaymentSession({
      kind: 'invoice',
      id: ws.account.id,
      reference: 'Invoice X',
      currency: 'EUR',
      items,
      expiresAt: new Date(Date.now() + 3_600_000),
      metadata: {},
      idempotencyKey: 'parley-test-closed',
    });
    stripe.sessions.at(-1)!.status = 'complete';
    await expect(provider.expirePaymentSession(session.sessionId)).resolves.toBeUndefined();
  });
});
