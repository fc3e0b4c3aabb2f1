import type { EntityManager } from '@mikro-orm/postgresql';
import { ContactIdentity, type Conversation, Group, Invoice, Message, User } from '../db/entities/index.ts';
import { formatMoney } from '../domain/payments.ts';
import { slaClock } from '../domain/sla.ts';
import type { ItemOrigin, MirrorItem, ThreadHeader } from '../ports/agent-surface.ts';

/** What the mirror worker shows: a conversation's header and its timeline items, as plain data. */

export async function contactDisplayName(em: EntityManager, conv: Conversation): Promise<string> {
  if (conv.contact.name) return conv.contact.name;
  const identity = await em.findOne(
    ContactIdentity,
    { contact: conv.contact },
    { orderBy: { createdAt: 'asc' } },
  );
  return identity ? addressLabel(identity.channel, identity.address) : 'Customer';
}

/**
 * A contact without a name, as the team sees them: a phone number as it is; a webchat visitor not
 * by the widget's internal session id but as what they are (the site's own id for a signed-in one).
 */
function addressLabel(channel: string, address: string): string {
  if (channel !== 'webchat') return address;
  const signedIn = /^portal(?:@[^:]+)?:(.+)$/.exec(address);
  return signedIn ? `Website customer ${signedIn[1]}` : 'Website visitor';
}

/** An unpaid invoice as the header shows it. */
export interface UnpaidInvoice {
  reference: string;
  amountMinor: number;
  currency: string;
}

/** `unpaid`: the conversation's unpaid invoices when the caller read them already (mirror-reads.ts). */
export async function buildHeader(
  em: EntityManager,
  conv: Conversation,
  unpaid?: UnpaidInvoice[],
): Promise<ThreadHeader> {
  const assignees = conv.assigneeIds.length ? await em.find(User, { id: { $in: conv.assigneeIds } }) : [];
  return {
    conversationId: conv.id,
    number: conv.number,
    contactName: await contactDisplayName(em, conv),
    channel: conv.channel,
    status: conv.status,
    assignees: assignees.map((u) => ({ id: u.id, name: u.name })),
    unrepliedCount: conv.unrepliedCount,
    restricted: conv.visibleToIds !== null && conv.visibleToIds !== undefined,
    aiState: conv.aiState,
    ...unpaidShown(unpaid ?? (await unpaidInvoicesOf(em, conv))),
    ...(await slaShown(em, conv)),
  };
}

/** R39: only present while the running wait is past its target, like the unpaid invoices. */
async function slaShown(em: EntityManager, conv: Conversation): Promise<Pick<ThreadHeader, 'slaBreached'>> {
  if (!conv.slaBreachedAt || !conv.humanWaitingSince || conv.status !== 'open') return {};
  const group = await em.findOneOrFail(Group, conv.group.id, { fields: ['autoResponder'] });
  return { slaBreached: { waitingSince: slaClock(group.autoResponder?.timeZone, conv.humanWaitingSince) } };
}

async function unpaidInvoicesOf(em: EntityManager, conv: Conversation): Promise<UnpaidInvoice[]> {
  return em.find(
    Invoice,
    { conversation: conv.id, status: 'unpaid' },
    { orderBy: { createdAt: 'asc' }, fields: ['reference', 'amountMinor', 'currency'] },
  );
}

/** Only present when there are some, so the headers of conversations without invoices never change shape. */
function unpaidShown(unpaid: UnpaidInvoice[]): Pick<ThreadHeader, 'unpaidInvoices'> {
  if (unpaid.length === 0) return {};
  return {
    unpaidInvoices: unpaid.map((i) => ({
      reference: i.reference,
      amount: formatMoney(i.amountMinor, i.currency),
    })),
  };
}

export async function itemsAfter(
  em: EntityManager,
  conv: Conversation,
  afterSeq: number,
  limit: number,
): Promise<MirrorItem[]> {
  const messages = await em.find(
    Message,
    { conversation: conv, seq: { $gt: afterSeq } },
    { orderBy: { seq: 'asc' }, limit, populate: ['author'] },
  );
  return toItems(em, conv, messages.map(fromEntity));
}

/** One message as a mirror item again (its delivery state changed after it was posted). */
export async function itemsByIds(
  em: EntityManager,
  conv: Conversation,
  ids: string[],
): Promise<MirrorItem[]> {
  if (ids.length === 0) return [];
  const messages = await em.find(
    Message,
    { conversation: conv, id: { $in: ids } },
    { orderBy: { seq: 'asc' }, populate: ['author'] },
  );
  return toItems(em, conv, messages.map(fromEntity));
}

/** What an item is made of: a message's own fields and its author's name (an entity or a row of mirror-reads.ts). */
export interface ItemSource {
  id: string;
  seq: number;
  kind: Message['kind'];
  text: string | null;
  attachments: Message['attachments'];
  authorName: string | null;
  deliveryState: string | null;
  deliveryReason: string | null;
  draftState: string | null;
  createdAt: Date;
  meta: Record<string, unknown>;
}

const fromEntity = (m: Message): ItemSource => ({
  id: m.id,
  seq: m.seq,
  kind: m.kind,
  text: m.text ?? null,
  attachments: m.attachments,
  authorName: m.author?.name ?? null,
  deliveryState: m.deliveryState ?? null,
  deliveryReason: m.deliveryReason ?? null,
  draftState: m.draftState ?? null,
  createdAt: m.createdAt,
  meta: m.meta ?? {},
});

/** The conversation's messages as mirror items, each under its author's display name. */
export async function toItems(
  em: EntityManager,
  conv: Conversation,
  sources: ItemSource[],
): Promise<MirrorItem[]> {
  if (sources.length === 0) return [];
  const nameOf = await authorNames(em, conv);
  return sources.map((m) => toItem(m, nameOf(m)));
}

async function authorNames(em: EntityManager, conv: Conversation): Promise<(m: ItemSource) => string> {
  const customer = await contactDisplayName(em, conv);
  const aiName = conv.group.aiAgent?.name ?? 'AI agent';
  return (m: ItemSource) => {
    switch (m.kind) {
      case 'inbound':
        return customer;
      case 'ai':
      case 'ai_draft':
        return aiName;
      case 'auto_response':
        return 'Auto-response';
      case 'system':
        return 'Parley';
      default:
        // A note without an author is the AI agent's handoff summary (R36).
        return m.authorName ?? (m.meta.ai ? aiName : 'Parley');
    }
  };
}

const toItem = (m: ItemSource, authorName: string): MirrorItem => ({
  messageId: m.id,
  seq: m.seq,
  kind: m.kind,
  text: m.text,
  attachments: m.attachments,
  authorName,
  deliveryState: m.deliveryState,
  deliveryReason: m.deliveryReason,
  createdAt: m.createdAt,
  origin: originOf(m),
  draft:
    m.kind === 'ai_draft'
      ? {
          state: (m.draftState ?? 'pending') as NonNullable<MirrorItem['draft']>['state'],
          by: typeof m.meta.decidedBy === 'string' ? m.meta.decidedBy : null,
          edited: m.meta.edited === true,
        }
      : null,
});

function originOf(m: ItemSource): ItemOrigin | null {
  const o = m.meta.origin as ItemOrigin | undefined;
  return o && typeof o.surface === 'string' && o.ref && typeof o.ref === 'object' ? o : null;
}
