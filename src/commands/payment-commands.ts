import { Conversation, Invoice } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { formatMoney } from '../domain/payments.ts';
import { canSee } from '../domain/visibility.ts';
import { markInvoicePaid, voidInvoice } from '../use-cases/invoice-changes.ts';
import { retryPayLink } from '../use-cases/pay-links.ts';
import { type CommandEnv, targetConversation } from './command-env.ts';
import { paymentForm } from './command-forms.ts';
import { type CommandResult, message } from './command-result.ts';
import type { FormCommand } from './parse-payment-commands.ts';

/** R4, R38: the invoice and checkout forms, and an admin's manual paid / void by reference. */

type Of<K extends FormCommand['kind']> = Extract<FormCommand, { kind: K }>;

/** `invoice [#1042]`, `checkout [#1042]`: the form for the surface to open. */
export async function runPaymentForm(
  env: CommandEnv,
  cmd: Of<'invoice' | 'checkout'>,
): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, `/parley ${cmd.kind} #1042`);
  const form = await paymentForm(env.lookup, conv, cmd.kind);
  return {
    kind: 'form',
    form,
    text: `To fill in the ${cmd.kind}, run \`/parley ${cmd.kind} #${conv.number}\`: it opens the ${cmd.kind} form.`,
  };
}

/**
 * `paid INV-…`, `void INV-…`: the invoice with that reference in the user's account, in a
 * conversation they may see (one they may not see answers "not found", R17). The use-case checks
 * that the user is an admin (R4).
 */
export async function runInvoiceChange(env: CommandEnv, cmd: Of<'paid' | 'void'>): Promise<CommandResult> {
  const invoice = await findInvoice(env, cmd.reference);
  const change = cmd.kind === 'paid' ? markInvoicePaid : voidInvoice;
  const result = await change(env.ctx, env.actor, { invoiceId: invoice.id });
  const amount = formatMoney(result.invoice.amountMinor, result.invoice.currency);
  const what = `Invoice ${result.invoice.reference} (${amount})`;
  if (!result.changed) return message(`${what} is already ${cmd.kind === 'paid' ? 'paid' : 'void'}.`);
  return message(
    cmd.kind === 'paid'
      ? `${what} is recorded as paid by arrangement.`
      : `${what} is void: it no longer blocks closing the conversation.`,
  );
}

/** `paylink INV-…`: a new pay link when the last one failed or expired (R38); the thread shows it. */
export async function runPayLink(env: CommandEnv, cmd: Of<'paylink'>): Promise<CommandResult> {
  const invoice = await findInvoice(env, cmd.reference);
  await retryPayLink(env.ctx, env.actor, { invoiceId: invoice.id });
  return message(
    `A new pay link for invoice ${invoice.reference} is on its way to the customer; the thread shows when it is sent.`,
  );
}

async function findInvoice(env: CommandEnv, reference: string): Promise<Invoice> {
  const account = env.user.account.id;
  // References are kept as typed; `inv-1042-1` still finds `INV-1042-1`.
  const invoice =
    (await env.lookup.findOne(Invoice, { account, reference })) ??
    (await env.lookup.findOne(Invoice, { account, reference: reference.toUpperCase() }));
  const conv = invoice && (await env.lookup.findOne(Conversation, { id: invoice.conversation.id }));
  const facts = conv &&
    conv.status !== 'deleted' && { groupId: conv.group.id, visibleToIds: conv.visibleToIds ?? null };
  if (!invoice || !facts || !canSee(env.viewer, facts)) {
    throw new AppError('not_found', `There is no invoice ${reference} you can see.`);
  }
  return invoice;
}
