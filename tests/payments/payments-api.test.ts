import { describe, expect, it } from 'vitest';
import { Invoice, Message } from '../../src/db/entities/index.ts';
import { type ApiError, callAs, expectJson } from '../http/conversations-api-support.ts';
import { sharedRedis, testApp } from '../http/helpers.ts';
import { createTestDb } from '../support/test-db.ts';
import { openConv, workspace } from '../use-cases/management/support.ts';
import { STRIPE_ENV } from './stripe-fake.ts';

/**
 * The admin API's payment routes (R4, R33, R38), acting as the user named in X-Parley-User: the
 * same use-cases and the same refusals as the chat commands.
 */
const db = await createTestDb();
const ws = await workspace(db);
const redis = sharedRedis();
const { app } = testApp(db, redis);
const { app: withStripe } = testApp(db, redis, STRIPE_ENV);
const items = [{ description: 'Screen repair', quantity: 2, unitAmountMinor: 4500 }];

interface Created {
  payment: { id: string; reference: string; status: string; amountMinor: number; linkState: string | null };
  messageId: string;
  payLinkPending: boolean;
}

describe('invoices and checkouts through the admin API', () => {
  it('R4, R38: without a payment provider the invoice goes at once, without a link, and an admin marks it paid', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const created = await expectJson<Created>(
      await callAs(app, ws.alice, 'POST', `/conversations/${conv.number}/invoices`, {
        currency: 'eur',
        items,
        dueDate: '2026-12-31',
      }),
      201,
    );
    expect(created.payLinkPending).toBe(false);
    expect(created.payment).toMatchObject({
      reference: `INV-${conv.number}-1`,
      status: 'unpaid',
      amountMinor: 9000,
      linkState: null,
    });
    const reply = await db.em().findOneOrFail(Message, created.messageId);
    expect(reply).toMatchObject({ kind: 'reply', deliveryState: 'queued' });
    expect(reply.text).not.toContain('Pay here');

    // R33: an agent may not mark it paid; an admin may, once.
    const refused = await expectJson<ApiError>(
      await callAs(app, ws.alice, 'POST', `/invoices/${created.payment.id}/paid`),
      403,
    );
    expect(refused.error.message).toContain('Only an admin');
    const paid = await expectJson<{ invoice: { status: string }; changed: boolean }>(
      await callAs(app, ws.admin, 'POST', `/invoices/${created.payment.id}/paid`),
    );
    expect(paid).toMatchObject({ invoice: { status: 'paid' }, changed: true });
    const again = await expectJson<{ changed: boolean }>(
      await callAs(app, ws.admin, 'POST', `/invoices/${created.payment.id}/paid`),
    );
    expect(again.changed).toBe(false);
    // A pay link cannot be asked for without a provider.
    expect((await callAs(app, ws.alice, 'POST', `/invoices/${created.payment.id}/pay-link`)).status).toBe(
      503,
    );
  });

  it('R38: with Stripe configured the invoice waits for its link; the list shows it pending, and voiding cancels it', async () => {
    const conv = await openConv(db, ws, { channel: 'whatsapp' });
    const created = await expectJson<Created>(
      await callAs(withStripe, ws.alice, 'POST', `/conversations/${conv.id}/invoices`, {
        currency: 'EUR',
        items,
      }),
      201,
    );
    expect(created.payLinkPending).toBe(true);
    expect(created.payment.linkState).toBe('pending');
    expect((await db.em().findOneOrFail(Message, created.messageId)).kind).toBe('system');
    const checkout = await expectJson<Created>(
      await callAs(withStripe, ws.bob, 'POST', `/conversations/${conv.id}/checkouts`, {
        currency: 'EUR',
        items,
      }),
      201,
    );
    expect(checkout.payment).toMatchObject({ status: 'pending', linkState: 'pending' });

    const list = await expectJson<{
      items: { id: string; linkState: string }[];
      checkouts: { id: string }[];
    }>(await callAs(withStripe, ws.bob, 'GET', `/conversations/${conv.id}/invoices`));
    expect(list.items).toMatchObject([{ id: created.payment.id, linkState: 'pending' }]);
    expect(list.checkouts).toMatchObject([{ id: checkout.payment.id }]);

    const voided = await expectJson<{ invoice: { status: string; linkState: string } }>(
      await callAs(withStripe, ws.admin, 'POST', `/invoices/${created.payment.id}/void`),
    );
    expect(voided.invoice).toMatchObject({ status: 'void', linkState: 'cancelled' });
    expect((await db.em().findOneOrFail(Invoice, created.payment.id)).status).toBe('void');
  });

  it('R4, R17, R33: bad input, other channels and conversations the user may not see are refused with the API’s errors', async () => {
    const webchat = await openConv(db, ws, { channel: 'webchat' });
    const wrongChannel = await expectJson<ApiError>(
      await callAs(app, ws.alice, 'POST', `/conversations/${webchat.id}/invoices`, {
        currency: 'EUR',
        items,
      }),
      422,
    );
    expect(wrongChannel.error.message).toContain('only on WhatsApp or SMS');
    const conv = await openConv(db, ws, { channel: 'sms' });
    const bad = await expectJson<ApiError>(
      await callAs(app, ws.alice, 'POST', `/conversations/${conv.id}/invoices`, {
        currency: 'EURO',
        items: [],
      }),
      422,
    );
    expect(bad.error.code).toBe('validation_failed');
    // Carol is in another group: the conversation does not exist for her.
    expect((await callAs(app, ws.carol, 'GET', `/conversations/${conv.id}/invoices`)).status).toBe(404);
    expect((await callAs(app, null, 'GET', `/conversations/${conv.id}/invoices`)).status).toBe(422);
    expect(await db.em().count(Invoice, { conversation: { $in: [webchat.id, conv.id] } })).toBe(0);
  });
});
