import type { EntityManager } from '@mikro-orm/postgresql';
import { Checkout, Invoice, type LineItem } from '../db/entities/index.ts';

/** R4: the payment requests a conversation carries, as the conversation's reader sees them. */
export interface InvoiceItem {
  id: string;
  reference: string;
  amountMinor: number;
  currency: string;
  items: LineItem[];
  status: 'unpaid' | 'paid' | 'void';
  payLink: string | null;
  dueDate: string | null;
  paidAt: Date | null;
  createdAt: Date;
}

export interface CheckoutItem {
  id: string;
  amountMinor: number;
  currency: string;
  items: LineItem[];
  status: 'pending' | 'paid' | 'expired' | 'cancelled';
  payLink: string | null;
  paidAt: Date | null;
  createdAt: Date;
}

/** A `date` column as `YYYY-MM-DD`, however the driver hands it over. */
const calendarDay = (d: unknown): string | null =>
  d === null || d === undefined
    ? null
    : d instanceof Date
      ? d.toISOString().slice(0, 10)
      : String(d).slice(0, 10);

/**
 * The invoices and checkouts of one conversation, oldest first. The caller has already checked
 * that the reader may see the conversation (R17): these carry amounts and pay links.
 */
export async function conversationInvoices(
  em: EntityManager,
  conversationId: string,
): Promise<{ invoices: InvoiceItem[]; checkouts: CheckoutItem[] }> {
  const order = { orderBy: { createdAt: 'asc', id: 'asc' } } as const;
  // One after another: the caller's EntityManager may hold a single transaction connection.
  const invoices = await em.find(Invoice, { conversation: conversationId }, order);
  const checkouts = await em.find(Checkout, { conversation: conversationId }, order);
  return {
    invoices: invoices.map((i) => ({
      id: i.id,
      reference: i.reference,
      amountMinor: i.amountMinor,
      currency: i.currency,
      items: i.items,
      status: i.status,
      payLink: i.payLink ?? null,
      dueDate: calendarDay(i.dueDate),
      paidAt: i.paidAt ?? null,
      createdAt: i.createdAt,
    })),
    checkouts: checkouts.map((c) => ({
      id: c.id,
      amountMinor: c.amountMinor,
      currency: c.currency,
      items: c.items,
      status: c.status,
      payLink: c.payLink ?? null,
      paidAt: c.paidAt ?? null,
      createdAt: c.createdAt,
    })),
  };
}
