import { describe, expect, it } from 'vitest';
import { Invoice, Message } from '../../../src/db/entities/index.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { markInvoicePaid, voidInvoice } from '../../../src/use-cases/invoice-changes.ts';
import { createCheckout, createInvoice } from '../../../src/use-cases/invoices.ts';
import { createTestDb } from '../../support/test-db.ts';
import { as, ctxFor, lastLine, openConv, refusal, reload, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

const items = [
  { description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 },
  { description: 'Cable', quantity: 2, unitAmountMinor: 1250 },
];
const provider = { kind: 'provider', channel: 'stripe' } as const;

describe('createInvoice', () => {
  it('R4: an invoice on a WhatsApp conversation totals its items and goes to the contact as a reply', async () => {
    const conv = await openConv(db, ws, { channel: 'whatsapp' });
    const result = await createInvoice(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      currency: 'eur',
      items,
    });
    const invoice = await db.em().findOneOrFail(Invoice, result.invoice.id);
    expect(invoice).toMatchObject({
      reference: `INV-${conv.number}-1`,
      amountMinor: 11400,
      currency: 'EUR',
      status: 'unpaid',
      payLink: null,
    });
    const message = await db.em().findOneOrFail(Message, result.message.id);
    expect(message.kind).toBe('reply');
    expect(message.deliveryState).toBe('queued');
    expect(message.channel).toBe('whatsapp');
    expect(message.meta).toMatchObject({ invoiceId: invoice.id });
    expect(message.text).toBe(
      `Invoice INV-${conv.number}-1\n1 × Screen repair at EUR 89.00\n2 × Cable at EUR 12.50\nTotal: EUR 114.00`,
    );
    expect(result.events.map((e) => e.type)).toEqual(['message.created', 'conversation.updated']);
    // R11: the invoice is a human reply, so the customer's message is answered.
    expect((await reload(db, conv.id)).unrepliedCount).toBe(0);
  });

  it('R4: SMS conversations carry invoices too; references count up and a given reference is kept', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    await createInvoice(ctxFor(db), as(ws.alice), { conversationId: conv.id, currency: 'USD', items });
    const second = await createInvoice(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      currency: 'USD',
      items,
    });
    expect(second.invoice.reference).toBe(`INV-${conv.number}-2`);
    const named = await createInvoice(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      reference: 'ACME-77',
      currency: 'USD',
      items,
    });
    expect(named.invoice.reference).toBe('ACME-77');
    const error = await refusal(
      createInvoice(ctxFor(db), as(ws.alice), {
        conversationId: conv.id,
        reference: 'ACME-77',
        currency: 'USD',
        items,
      }),
      'conflict',
    );
    expect(error.message).toContain('ACME-77');
  });

  it('R4: a webchat conversation cannot carry an invoice or a checkout, and the refusal says why', async () => {
    const conv = await openConv(db, ws, { channel: 'webchat' });
    const error = await refusal(
      createInvoice(ctxFor(db), as(ws.alice), { conversationId: conv.id, currency: 'EUR', items }),
      'rule_violation',
      'R4',
    );
    expect(error.message).toContain('only on WhatsApp or SMS');
    await refusal(
      createCheckout(ctxFor(db), as(ws.alice), { conversationId: conv.id, currency: 'EUR', items }),
      'rule_violation',
      'R4',
    );
    expect(await db.em().count(Invoice, { conversation: conv.id })).toBe(0);
  });

  it('R4: an invoice needs items with a total above zero', async () => {
    const conv = await openConv(db, ws);
    await refusal(
      createInvoice(ctxFor(db), as(ws.alice), { conversationId: conv.id, currency: 'EUR', items: [] }),
      'validation_failed',
    );
    await refusal(
      createInvoice(ctxFor(db), as(ws.alice), {
        conversationId: conv.id,
        currency: 'EUR',
        items: [{ description: 'Free', quantity: 1, unitAmountMinor: 0 }],
      }),
      'validation_failed',
    );
  });

  it('R4: a checkout is sent as a reply with its total and starts pending', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const result = await createCheckout(ctxFor(db), as(ws.bob), {
      conversationId: conv.id,
      currency: 'JPY',
      items,
    });
    expect(result.checkout).toMatchObject({
      amountMinor: 11400,
      currency: 'JPY',
      status: 'pending',
      payLink: null,
    });
    const message = await db.em().findOneOrFail(Message, result.message.id);
    expect(message.meta).toMatchObject({ checkoutId: result.checkout.id });
    expect(message.text).toContain('Total: JPY 11400');
  });
});

describe('paying and voiding invoices', () => {
  it('R21: an invoice blocks closing until the payment provider reports it paid', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    const { invoice } = await createInvoice(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    const error = await refusal(
      closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id }),
      'rule_violation',
      'R21',
    );
    expect(error.message).toContain(invoice.reference);

    const paid = await markInvoicePaid(ctxFor(db), provider, {
      invoiceId: invoice.id,
      providerRef: 'pi_123',
    });
    expect(paid.changed).toBe(true);
    expect(await lastLine(db, conv.id)).toBe(`Invoice ${invoice.reference} (EUR 114.00) paid`);
    const again = await markInvoicePaid(ctxFor(db), provider, { invoiceId: invoice.id });
    expect(again.changed).toBe(false);
    expect(again.events).toEqual([]);

    await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    const stored = await db.em().findOneOrFail(Invoice, invoice.id);
    expect(stored).toMatchObject({ status: 'paid', providerRef: 'pi_123' });
    expect(stored.paidAt).toBeInstanceOf(Date);
  });

  it('R21: an admin voids an unpaid invoice, which then no longer blocks closing; agents cannot', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    const { invoice } = await createInvoice(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    await refusal(voidInvoice(ctxFor(db), as(ws.alice), { invoiceId: invoice.id }), 'forbidden', 'R4');
    await refusal(markInvoicePaid(ctxFor(db), as(ws.alice), { invoiceId: invoice.id }), 'forbidden', 'R4');
    await voidInvoice(ctxFor(db), as(ws.admin), { invoiceId: invoice.id });
    expect(await lastLine(db, conv.id)).toBe(`Invoice ${invoice.reference} (EUR 114.00) voided by Ada`);
    await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect((await reload(db, conv.id)).status).toBe('closed');
  });

  it('R4: a paid invoice cannot be voided, and the refusal says to refund it instead', async () => {
    const conv = await openConv(db, ws);
    const { invoice } = await createInvoice(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    await markInvoicePaid(ctxFor(db), as(ws.admin), { invoiceId: invoice.id });
    const error = await refusal(voidInvoice(ctxFor(db), as(ws.admin), { invoiceId: invoice.id }), 'conflict');
    expect(error.message).toContain('refund');
  });

  it('R4: a closed conversation takes no new invoice until it is reopened', async () => {
    const conv = await openConv(db, ws, { status: 'closed' });
    const error = await refusal(
      createInvoice(ctxFor(db), as(ws.alice), { conversationId: conv.id, currency: 'EUR', items }),
      'conflict',
    );
    expect(error.message).toContain('Reopen it');
  });
});
