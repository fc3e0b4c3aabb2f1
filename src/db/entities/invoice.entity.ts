import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';

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
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['account', 'reference'] }],
  indexes: [{ properties: ['conversation', 'status'] }],
});
export class Invoice extends InvoiceSchema.class {}
InvoiceSchema.setClass(Invoice);
