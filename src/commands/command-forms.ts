import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelEndpoint, Contact, type Conversation, Invoice, type User } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { assertPaymentChannel } from '../domain/payments.ts';
import { toViewer } from '../use-cases/load.ts';
import { contactDisplayName } from '../use-cases/mirror-items.ts';

/**
 * The forms a command opens (R4, R8), as plain data a surface draws: a Slack modal, a Teams
 * dialog. A surface that opens one later (a Teams dialog button) loads it again with the same
 * functions, for the acting user as they are then.
 */

export interface PaymentForm {
  form: 'invoice' | 'checkout';
  conversationId: string;
  number: number;
  contactName: string;
  channel: string;
  /** The currency the account last asked for, to start the form with. */
  currency: string;
}

export interface BroadcastEndpointChoice {
  id: string;
  name: string;
  channel: string;
  groupName: string;
}

export interface BroadcastForm {
  form: 'broadcast';
  endpoints: BroadcastEndpointChoice[];
  /** The tags the account's contacts carry, first FORM_CHOICES_MAX by name. */
  tags: string[];
  /** Contacts to pick from, first FORM_CHOICES_MAX by name. */
  contacts: { id: string; name: string }[];
  /** More contacts exist than are offered: a tag reaches them all. */
  moreContacts: boolean;
}

export type CommandForm = PaymentForm | BroadcastForm;

/** What a surface needs to open a form again: the form and, for a payment, its conversation. */
export type FormRequest = { form: 'invoice' | 'checkout'; conversationId: string } | { form: 'broadcast' };

/** The currency a form starts with before the account has sent any invoice. */
const DEFAULT_CURRENCY = 'USD';

/** A Slack static select offers at most 100 options; Teams' dialogs keep the same lists. */
export const FORM_CHOICES_MAX = 100;

/**
 * The invoice or checkout form for a conversation the user may see. Refused up front where the
 * request could never be sent (closed, or not on WhatsApp or SMS), so nobody fills it in for nothing.
 */
export async function paymentForm(
  em: EntityManager,
  conv: Conversation,
  what: 'invoice' | 'checkout',
): Promise<PaymentForm> {
  if (conv.status !== 'open') {
    throw new AppError('conflict', `Conversation #${conv.number} is closed. Reopen it to send an ${what}.`, {
      rule: 'R4',
    });
  }
  assertPaymentChannel(conv, what);
  const last = await em.findOne(
    Invoice,
    { account: conv.account.id },
    { orderBy: { createdAt: 'desc' }, fields: ['currency'] },
  );
  return {
    form: what,
    conversationId: conv.id,
    number: conv.number,
    contactName: await contactDisplayName(em, conv),
    channel: conv.channel,
    currency: last?.currency ?? DEFAULT_CURRENCY,
  };
}

/** The broadcast form: the numbers and widgets of the user's groups, the tags, the first contacts. */
export async function broadcastForm(em: EntityManager, user: User): Promise<BroadcastForm> {
  const groupIds = toViewer(user).groupIds;
  const endpoints =
    groupIds.length === 0
      ? []
      : await em.find(
          ChannelEndpoint,
          { account: user.account.id, group: { $in: [...groupIds] } },
          { populate: ['group'], orderBy: { group: { name: 'asc' }, name: 'asc' } },
        );
  if (endpoints.length === 0) {
    throw new AppError(
      'rule_violation',
      'None of your groups has a number or widget to broadcast from. Ask an admin to add you to a group that has one.',
      { rule: 'R8' },
    );
  }
  const tagRows: { tag: string }[] = await em
    .getConnection()
    .execute(
      'select distinct t.tag from contact c, unnest(c.tags) as t(tag) where c.account_id = ? order by t.tag limit ?',
      [user.account.id, FORM_CHOICES_MAX],
    );
  const contacts = await em.find(
    Contact,
    { account: user.account.id },
    { orderBy: { name: 'asc', id: 'asc' }, limit: FORM_CHOICES_MAX + 1, fields: ['id', 'name'] },
  );
  return {
    form: 'broadcast',
    endpoints: endpoints.map((e) => ({
      id: e.id,
      name: e.name,
      channel: e.channel,
      groupName: e.group.name,
    })),
    tags: tagRows.map((r) => r.tag),
    contacts: contacts
      .slice(0, FORM_CHOICES_MAX)
      .map((c) => ({ id: c.id, name: c.name ?? 'Unnamed contact' })),
    moreContacts: contacts.length > FORM_CHOICES_MAX,
  };
}

export const formRequestOf = (form: CommandForm): FormRequest =>
  form.form === 'broadcast'
    ? { form: 'broadcast' }
    : { form: form.form, conversationId: form.conversationId };
