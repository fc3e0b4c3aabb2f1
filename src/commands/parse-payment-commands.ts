import { allTokens, conversationNumberOf } from './command-tokens.ts';
import { formCommandUsages } from './form-command-help.ts';
import type { ParseError } from './parsed-command.ts';

/**
 * R4, R8, R38: the commands that open a form (invoice, checkout, broadcast) and the admin's
 * manual invoice changes (paid, void), in the shared grammar (parse-command.ts hands them over).
 */

/** What these commands parse to; part of ParsedCommand. */
export type FormCommand =
  /** Opens the invoice or checkout form for the conversation (the thread's when no number). */
  | { kind: 'invoice'; conversationNumber?: number }
  | { kind: 'checkout'; conversationNumber?: number }
  /** An admin records a payment by arrangement, or cancels an unpaid invoice (R38). */
  | { kind: 'paid'; reference: string }
  | { kind: 'void'; reference: string }
  /** A new pay link for an invoice whose link failed or expired (R38). */
  | { kind: 'paylink'; reference: string }
  /** Opens the broadcast form (R8). */
  | { kind: 'broadcast' };

export type { FormCommandName } from './form-command-help.ts';

import type { FormCommandName } from './form-command-help.ts';

/** The part of the parser's source these commands read: the text and where the arguments start. */
interface Args {
  text: string;
  pos: number;
}

/** The same characters an invoice reference may have (createInvoiceInput). */
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

const fail = (name: FormCommandName, message: string): ParseError => ({
  kind: 'error',
  message,
  usage: `\`${formCommandUsages[name].usage}\``,
});

function paymentForm(kind: 'invoice' | 'checkout') {
  return (src: Args): FormCommand | ParseError => {
    const tokens = allTokens(src.text, src.pos);
    const number = tokens[0] ? conversationNumberOf(tokens[0]) : null;
    if (tokens.length > 1 || (tokens.length === 1 && !number)) {
      return fail(
        kind,
        `The ${kind} form asks for the items itself: give only the conversation, e.g. \`/parley ${kind} #1042\`.`,
      );
    }
    return number ? { kind, conversationNumber: number } : { kind };
  };
}

function invoiceChange(kind: 'paid' | 'void' | 'paylink') {
  return (src: Args): FormCommand | ParseError => {
    const tokens = allTokens(src.text, src.pos);
    const first = tokens[0];
    if (!first || tokens.length > 1 || first.quoted || !REFERENCE.test(first.text)) {
      return fail(kind, `Name one invoice by its reference, e.g. \`/parley ${kind} INV-1042-1\`.`);
    }
    return { kind, reference: first.text };
  };
}

export const formCommandParsers: Record<FormCommandName, (src: Args) => FormCommand | ParseError> = {
  invoice: paymentForm('invoice'),
  checkout: paymentForm('checkout'),
  paid: invoiceChange('paid'),
  void: invoiceChange('void'),
  paylink: invoiceChange('paylink'),
  broadcast: (src) =>
    allTokens(src.text, src.pos).length > 0
      ? fail(
          'broadcast',
          'The broadcast form asks for the audience and the message itself: type only `/parley broadcast`.',
        )
      : { kind: 'broadcast' },
};
