import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import { User } from './user.entity.ts';

export interface LineItem {
  description: string;
  quantity: number;
  unitAmountMinor: number;
}

/** A payment request in a conversation (R4). Unpaid invoices block close (R21) and delete (R24). */
const InvoiceSchema = defineEntity({
  name: 'Invoice',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    reference: p.string(),
    amountMinor: p.integer(),
    currency: p.string().length(3),
    items: p.json<LineItem[]>().default('[]'),
    status: p.enum(['unpaid', 'paid', 'void'] as const).default('unpaid'),
    payLink: p.text().nullable(),
    providerRef: p.string().nullable(),
    paidAt: p.datetime().nullable(),
    /**
     * R38: the pay link's progress with the payment provider. Null: no provider was configured
     * (the request went without a link). `pending`: the pay-link job has not opened the session yet
     * (the message to the contact waits for it); `failed`/`expired` wait for an admin's retry.
     */
    linkState: p.enum(['pending', 'issued', 'failed', 'expired', 'cancelled'] as const).nullable(),
    /** Bumped by each retry: part of the provider's idempotency key, so a retry opens a new session. */
    linkAttempt: p.integer().default(0),
    linkExpiresAt: p.datetime().nullable(),
    /** Why the provider gave no link (shown in the thread). */
    linkError: p.text().nullable(),
    /** Who asked for it: the message carrying the link is their reply. */
    requestedBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    /** When the customer is asked to pay by (a calendar day, `YYYY-MM-DD`); null: no due date. */
    dueDate: p.date().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['account', 'reference'] }],
  indexes: [
    { properties: ['conversation', 'status'] },
    // The reconciler's view of links still to open.
    {
      name: 'invoice_link_pending_idx',
      expression:
        'create index "invoice_link_pending_idx" on "invoice" ("created_at") where "link_state" = \'pending\'',
    },
  ],
});
export class Invoice extends InvoiceSchema.class {}
InvoiceSchema.setClass(Invoice);
