import { beforeAll, describe, expect, it } from 'vitest';
import { verifyStripeEvent } from '../../adapters/payments/stripe/verify-event.ts';
import { ContactIdentity, Conversation, Invoice, PaymentEvent, User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { createInvoice } from '../../src/use-cases/invoices.ts';
import { recordPaymentEvent } from '../../src/use-cases/payment-events.ts';
import { incomingSms } from '../adapters/sms/harness.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';
import {
  postStripeEvent,
  STRIPE_ENV,
  STRIPE_WEBHOOK_SECRET,
  stripeEvent,
  stripeFake,
} from './stripe-fake.ts';

/**
 * R4, R21, R38 end to end, through the doors people and vendors use: an SMS customer asks, an
 * agent sends an invoice through the admin API, the real workers open the Stripe Checkout
 * Session and text the pay link to the customer through Twilio, the thread header lists the
 * unpaid invoice, closing is refused naming it, Stripe's signed event marks it paid, and then the
 * conversation closes.
 */
const TOKEN = 'payments-e2e-admin-token-0123456789';
const db = await createTestDb();
const stripe = stripeFake();
const h = slackHarness(db, { sms: true, env: { ...STRIPE_ENV, ADMIN_API_TOKEN: TOKEN } });
let ws: Workspace;
const CUSTOMER = '+15550301122';

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

const admin = (method: string, path: string, as: { id: string }, body?: unknown) =>
  h.app.request(`/api/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'x-parley-user': as.id,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

/** The conversation's header in the group's Slack channel, as it stands now. */
const headerOf = (number: number) =>
  h.slack.posts.find((p) => p.channel === 'C_SUPPORT' && !p.thread_ts && p.text.startsWith(`#${number} `));

describe('an invoice paid through Stripe', () => {
  it('R4, R21, R38: the SMS customer gets the pay link, the header and the close refusal name the unpaid invoice, Stripe’s paid event lets it close', {
    timeout: 60_000,
  }, async () => {
    h.server.use(...stripe.handlers);
    expect((await h.smsWebhook(incomingSms(CUSTOMER, 'Can I pay by card?'))).status).toBe(200);
    const conv = await eventually(() => db.em().findOne(Conversation, { channel: 'sms', status: 'open' }));
    await settled(h.services);
    const twilioBefore = h.twilio.messages.length;

    const created = await admin('POST', `/conversations/${conv.id}/invoices`, ws.alice, {
      currency: 'EUR',
      items: [
        { description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 },
        { description: 'Cable', quantity: 2, unitAmountMinor: 1250 },
      ],
    });
    expect(created.status).toBe(201);
    const { payment, payLinkPending } = (await created.json()) as {
      payment: { id: string; reference: string; linkState: string };
      payLinkPending: boolean;
    };
    expect(payLinkPending).toBe(true);
    expect(payment.linkState).toBe('pending');

    // The worker opens the Stripe session and the reply carrying its link goes to the customer, once.
    await eventually(() => h.twilio.messages.length > twilioBefore);
    await settled(h.services);
    expect(stripe.sessions).toHaveLength(1);
    const session = stripe.sessions[0]!;
    const sent = h.twilio.messages.slice(twilioBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(CUSTOMER);
    expect(sent[0]!.body).toContain(`Invoice ${payment.reference}`);
    expect(sent[0]!.body).toContain(`Pay here: ${session.url}`);
    expect(session.metadata).toMatchObject({ invoiceId: payment.id, conversationId: conv.id });

    // The API lists it with its link; the thread header lists it as unpaid.
    const listed = (await (await admin('GET', `/conversations/${conv.id}/invoices`, ws.alice)).json()) as {
      items: { payLink: string; status: string }[];
    };
    expect(listed.items).toMatchObject([{ payLink: session.url, status: 'unpaid' }]);
    expect(JSON.stringify(headerOf(conv.number)?.blocks)).toContain(
      `Unpaid: ${payment.reference} (EUR 114.00)`,
    );

    // R21: closing is refused, naming the invoice.
    const refused = await admin('POST', `/conversations/${conv.id}/close`, ws.admin);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      payment.reference,
    );

    // Stripe reports the payment; the invoice is paid, the header no longer lists it, and it closes.
    const paidEvent = stripeEvent('checkout.session.completed', {
      id: session.id,
      metadata: session.metadata,
      payment_status: 'paid',
      status: 'complete',
    });
    expect((await postStripeEvent(h.app, paidEvent)).status).toBe(200);
    await eventually(async () => (await db.em().findOneOrFail(Invoice, payment.id)).status === 'paid');
    await settled(h.services);
    expect(JSON.stringify(headerOf(conv.number)?.blocks)).not.toContain('Unpaid:');
    const closed = await admin('POST', `/conversations/${conv.id}/close`, ws.admin);
    expect(closed.status).toBe(200);
    // Nothing more went to the customer.
    expect(h.twilio.messages.length).toBe(twilioBefore + 1);
  });

  it('R38: wake-ups Redis lost are repaired by the reconciler: the link still goes out once, the event is still applied', {
    timeout: 60_000,
  }, async () => {
    h.server.use(...stripe.handlers);
    const customer = '+15550309988';
    expect((await h.smsWebhook(incomingSms(customer, 'Send me the bill please'))).status).toBe(200);
    const identity = await eventually(() =>
      db.em().findOne(ContactIdentity, { channel: 'sms', address: customer }),
    );
    const conv = await eventually(() =>
      db.em().findOne(Conversation, { contact: identity.contact.id, status: 'open' }),
    );
    await settled(h.services);
    const twilioBefore = h.twilio.messages.length;
    const sessionsBefore = stripe.sessions.length;

    // Committed, but its wake-up never reached Redis (no dispatch), and a while ago.
    const { invoice } = await createInvoice(
      { em: db.em(), paymentProvider: 'stripe' },
      userActor(ws.alice.id),
      {
        conversationId: conv.id,
        currency: 'EUR',
        items: [{ description: 'Battery', quantity: 1, unitAmountMinor: 4500 }],
      },
    );
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await db.em().nativeUpdate(Invoice, { id: invoice.id }, { createdAt: aMinuteAgo });
    await settled(h.services);
    const session = stripe.sessions.at(-1)!;
    expect(stripe.sessions.length).toBe(sessionsBefore + 1);
    const sent = h.twilio.messages.slice(twilioBefore);
    expect(sent.map((m) => [m.to, m.body.includes(`Pay here: ${session.url}`)])).toEqual([[customer, true]]);

    // Stripe's event committed, its wake-up lost too.
    const signed = stripeEvent('checkout.session.completed', {
      id: session.id,
      metadata: session.metadata,
      payment_status: 'paid',
    });
    const event = verifyStripeEvent(STRIPE_WEBHOOK_SECRET, signed.body, signed.signature, new Date());
    await recordPaymentEvent({ em: db.em() }, 'stripe', event);
    await db.em().nativeUpdate(PaymentEvent, { eventId: event.eventId }, { createdAt: aMinuteAgo });
    await settled(h.services);
    expect((await db.em().findOneOrFail(Invoice, invoice.id)).status).toBe('paid');
    expect(h.twilio.messages.length).toBe(twilioBefore + 1);
  });
});
