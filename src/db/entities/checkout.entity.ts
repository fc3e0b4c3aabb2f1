import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import type { LineItem } from './invoice.entity.ts';
import { User } from './user.entity.ts';

/** A checkout (pay link for items) sent in a conversation (R4). */
const CheckoutSchema = defineEntity({
  name: 'Checkout',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    amountMinor: p.integer(),
    currency: p.string().length(3),
    items: p.json<LineItem[]>().default('[]'),
    status: p.enum(['pending', 'paid', 'expired', 'cancelled'] as const).default('pending'),
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
    createdAt: createdAt(),
  },
  indexes: [
    { properties: ['conversation', 'status'] },
    // The reconciler's view of links still to open.
    {
      name: 'checkout_link_pending_idx',
      expression:
        'create index "checkout_link_pending_idx" on "checkout" ("created_at") where "link_state" = \'pending\'',
    },
  ],
});
export class Checkout extends CheckoutSchema.class {}
CheckoutSchema.setClass(Checkout);
