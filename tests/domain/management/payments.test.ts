import { describe, expect, it } from 'vitest';
import { chatPair } from '../../../src/domain/internal-chat.ts';
import {
  assertPaymentChannel,
  formatMoney,
  invoiceReference,
  invoiceTransition,
  totalMinor,
} from '../../../src/domain/payments.ts';

describe('payment rules', () => {
  it('R4: only WhatsApp and SMS conversations carry invoices and checkouts', () => {
    expect(() => assertPaymentChannel({ number: 1, channel: 'whatsapp' }, 'invoice')).not.toThrow();
    expect(() => assertPaymentChannel({ number: 1, channel: 'sms' }, 'checkout')).not.toThrow();
    expect(() => assertPaymentChannel({ number: 1, channel: 'webchat' }, 'invoice')).toThrow(
      /only on WhatsApp or SMS/,
    );
  });

  it("R4: the amount is the sum of the items, shown in the currency's precision", () => {
    expect(
      totalMinor([
        { description: 'a', quantity: 3, unitAmountMinor: 250 },
        { description: 'b', quantity: 1, unitAmountMinor: 1 },
      ]),
    ).toBe(751);
    expect(formatMoney(751, 'EUR')).toBe('EUR 7.51');
    expect(formatMoney(751, 'JPY')).toBe('JPY 751');
    expect(invoiceReference(1042, 2)).toBe('INV-1042-2');
  });

  it('R4: an unpaid invoice may be paid or voided; repeats change nothing; a paid one is not voided', () => {
    expect(invoiceTransition({ reference: 'X', status: 'unpaid' }, 'paid')).toBe('change');
    expect(invoiceTransition({ reference: 'X', status: 'paid' }, 'paid')).toBe('repeat');
    expect(() => invoiceTransition({ reference: 'X', status: 'paid' }, 'void')).toThrow(/refund/);
    expect(() => invoiceTransition({ reference: 'X', status: 'void' }, 'paid')).toThrow(/already void/);
  });

  it('R25: a pair of users has one chat whoever writes first', () => {
    expect(chatPair('b', 'a')).toEqual(['a', 'b']);
    expect(chatPair('a', 'b')).toEqual(['a', 'b']);
    expect(chatPair('a', 'a')).toEqual(['a', 'a']);
  });
});
