/**
 * The usage lines of the form commands (parse-payment-commands.ts), for help-text.ts. Kept apart,
 * with no imports, so help-text.ts and the parser can both read them without an import cycle.
 */

export type FormCommandName = 'invoice' | 'checkout' | 'paid' | 'void' | 'paylink' | 'broadcast';

export const formCommandUsages: Record<FormCommandName, { usage: string; does: string }> = {
  invoice: {
    usage: '/parley invoice [#1042]',
    does: 'open the invoice form (items, currency, due date) and send the invoice to the customer (WhatsApp and SMS)',
  },
  checkout: {
    usage: '/parley checkout [#1042]',
    does: 'open the checkout form (items, currency) and send the pay link to the customer (WhatsApp and SMS)',
  },
  paid: {
    usage: '/parley paid INV-1042-1',
    does: 'record an invoice as paid by arrangement (admins)',
  },
  void: { usage: '/parley void INV-1042-1', does: 'cancel an unpaid invoice (admins)' },
  paylink: {
    usage: '/parley paylink INV-1042-1',
    does: 'send a new pay link for an unpaid invoice whose link failed or expired (with a payment provider)',
  },
  broadcast: {
    usage: '/parley broadcast',
    does: 'open the broadcast form: one message to a tag or picked contacts, with a preview before it is sent',
  },
};
