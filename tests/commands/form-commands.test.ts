import { describe, expect, it } from 'vitest';
import { FORM_FIELDS, readPaymentForm } from '../../src/commands/form-input.ts';
import { helpText } from '../../src/commands/help-text.ts';
import { isParseError, type ParseError, parseCommand } from '../../src/commands/parse-command.ts';

const parsed = (text: string) => {
  const result = parseCommand(text);
  if (isParseError(result)) throw new Error(`expected "${text}" to parse, got: ${result.message}`);
  return result;
};

const refused = (text: string): ParseError => {
  const result = parseCommand(text);
  if (!isParseError(result))
    throw new Error(`expected "${text}" to be refused, got ${JSON.stringify(result)}`);
  return result;
};

describe('parseCommand: the form commands (R4, R8, R38)', () => {
  it('R4: invoice and checkout take an optional #number and nothing else (the form asks for the items)', () => {
    expect(parsed('invoice #1042')).toEqual({ kind: 'invoice', conversationNumber: 1042 });
    expect(parsed('invoice')).toEqual({ kind: 'invoice' });
    expect(parsed('Checkout #7')).toEqual({ kind: 'checkout', conversationNumber: 7 });
    expect(parsed('checkout')).toEqual({ kind: 'checkout' });
    const extra = refused('invoice #1042 2 widgets');
    expect(extra.message).toContain('`/parley invoice #1042`');
    expect(extra.usage).toBe('`/parley invoice [#1042]`');
    expect(refused('checkout 12.50').usage).toBe('`/parley checkout [#1042]`');
  });

  it('R38: paid and void name one invoice by its reference', () => {
    expect(parsed('paid INV-1042-1')).toEqual({ kind: 'paid', reference: 'INV-1042-1' });
    expect(parsed('void ACME/2026.7')).toEqual({ kind: 'void', reference: 'ACME/2026.7' });
    expect(refused('paid').message).toContain('`/parley paid INV-1042-1`');
    expect(refused('paid INV-1 INV-2').usage).toBe('`/parley paid INV-1042-1`');
    expect(refused('void "INV 1"').message).toContain('reference');
    expect(refused('void #1042').message).toContain('reference');
  });

  it('R8: broadcast takes no arguments (the form asks for the audience and the message)', () => {
    expect(parsed('broadcast')).toEqual({ kind: 'broadcast' });
    expect(refused('broadcast hello everyone').usage).toBe('`/parley broadcast`');
  });

  it('R30: help lists the form commands, and help on one describes it', () => {
    const help = helpText();
    for (const usage of [
      '/parley invoice [#1042]',
      '/parley checkout [#1042]',
      '/parley paid INV-1042-1',
      '/parley void INV-1042-1',
      '/parley broadcast',
    ])
      expect(help).toContain(usage);
    expect(parsed('help paid')).toEqual({ kind: 'help', topic: 'paid' });
  });
});

describe('readPaymentForm: the invoice and checkout form entries (R4)', () => {
  const row = (n: number, description: string, quantity: string, price: string) => ({
    [FORM_FIELDS.description(n)]: description,
    [FORM_FIELDS.quantity(n)]: quantity,
    [FORM_FIELDS.price(n)]: price,
  });

  it('R4: amounts become minor units in the currency’s precision; empty rows are skipped', () => {
    const read = readPaymentForm('invoice', {
      ...row(1, 'Widget', '2', '12.5'),
      ...row(3, 'Delivery', '', '4,99'),
      currency: 'eur',
      due_date: '2999-01-31',
      reference: 'ACME-1',
    });
    expect(read).toEqual({
      ok: true,
      input: {
        currency: 'EUR',
        items: [
          { description: 'Widget', quantity: 2, unitAmountMinor: 1250 },
          { description: 'Delivery', quantity: 1, unitAmountMinor: 499 },
        ],
        reference: 'ACME-1',
        dueDate: '2999-01-31',
      },
    });
    expect(readPaymentForm('checkout', { ...row(1, 'Ramen', '1', '1200'), currency: 'JPY' })).toEqual({
      ok: true,
      input: { currency: 'JPY', items: [{ description: 'Ramen', quantity: 1, unitAmountMinor: 1200 }] },
    });
  });

  it('R4: a wrong entry is refused on its own field, with what to write', () => {
    const bad = readPaymentForm('invoice', {
      ...row(1, 'Widget', '1', 'twelve'),
      ...row(2, '', '1', '3'),
      currency: 'EUR',
    });
    expect(bad).toEqual({
      ok: false,
      errors: {
        item1_price: 'Write the unit price as a number, e.g. 12.50.',
        item2_description: 'Describe the item.',
      },
    });
    expect(readPaymentForm('invoice', { ...row(1, 'Widget', '1', '1.234'), currency: 'EUR' })).toMatchObject({
      ok: false,
      errors: { item1_price: 'EUR takes at most 2 digits after the point.' },
    });
    expect(readPaymentForm('invoice', { ...row(1, 'Widget', '0', '1'), currency: 'EURO' })).toMatchObject({
      ok: false,
      errors: { currency: expect.stringContaining('three-letter'), item1_quantity: expect.any(String) },
    });
    expect(readPaymentForm('invoice', { currency: 'EUR' })).toEqual({
      ok: false,
      errors: { item1_description: 'Add at least one item.' },
    });
    expect(
      readPaymentForm('invoice', { ...row(1, 'Widget', '1', '1'), currency: 'EUR', due_date: '2001-01-01' }),
    ).toMatchObject({
      ok: false,
      errors: { due_date: expect.stringContaining('passed') },
    });
  });
});
