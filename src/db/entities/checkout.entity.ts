import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import type { LineItem } from './invoice.entity.ts';

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
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['conversation', 'status'] }],
});
export class Checkout extends CheckoutSchema.class {}
CheckoutSchema.setClass(Checkout);
