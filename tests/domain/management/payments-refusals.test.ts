import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/domain/errors.ts';
import {
  assertPaymentChannel,
  formatMoney,
  invoiceTransition,
  paymentSummary,
} from '../../../src/domain/payments.ts';

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('payment refusals and texts', () => {
  it('R4: an invoice on webchat is refused as a rule violation that names the channel', () => {
    const error = thrown(() => assertPaymentChannel({ number: 7, channel: 'webchat' }, 'invoice'));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe(
      'Conversation #7 is on webchat; an invoice can be sent only on WhatsApp or SMS. Message the contact on WhatsApp or SMS and send it there.',
    );
    expect(error.details).toEqual({ rule: 'R4', channel: 'webchat' });
  });

  it('R4: a checkout on webchat is refused as a checkout', () => {
    const error = thrown(() => assertPaymentChannel({ number: 7, channel: 'webchat' }, 'checkout'));
    expect(error.message).toMatch(
      /^Conversation #7 is on webchat; a checkout can be sent only on WhatsApp or SMS/,
    );
  });

  it("R4: amounts are shown in the currency's own precision, three digits included", () => {
    expect(formatMoney(1234, 'KWD')).toBe('KWD 1.234');
    expect(formatMoney(5, 'EUR')).toBe('EUR 0.05');
  });

  it('R4: the payment text lists the items, the total and the pay link once there is one', () => {
    const items = [
      { description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 },
      { description: 'Cable', quantity: 2, unitAmountMinor: 1250 },
    ];
    expect(paymentSummary('Invoice INV-7-1', 'EUR', items, null)).toBe(
      'Invoice INV-7-1\n1 × Screen repair at EUR 89.00\n2 × Cable at EUR 12.50\nTotal: EUR 114.00',
    );
    expect(paymentSummary('Checkout', 'EUR', items.slice(1), 'https://pay.example/c/1')).toBe(
      'Checkout\n2 × Cable at EUR 12.50\nTotal: EUR 25.00\nPay here: https://pay.example/c/1',
    );
  });

  it('R4: an unpaid invoice may be voided; a void one stays void on a repeat; moving a settled one is a conflict', () => {
    expect(invoiceTransition({ reference: 'INV-7-1', status: 'unpaid' }, 'void')).toBe('change');
    expect(invoiceTransition({ reference: 'INV-7-1', status: 'void' }, 'void')).toBe('repeat');
    const error = thrown(() => invoiceTransition({ reference: 'INV-7-1', status: 'void' }, 'paid'));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('Invoice INV-7-1 is already void.');
    expect(error.details).toEqual({ rule: 'R4', invoiceReference: 'INV-7-1', status: 'void' });
    expect(thrown(() => invoiceTransition({ reference: 'INV-7-1', status: 'paid' }, 'void')).message).toBe(
      'Invoice INV-7-1 is already paid (refund it with the payment provider instead).',
    );
  });
});
