import type { EntityManager } from '@mikro-orm/postgresql';
import { ContactIdentity, type Conversation, Message, User } from '../db/entities/index.ts';
import type { MirrorItem, ThreadHeader } from '../ports/agent-surface.ts';

/** What the mirror worker shows: a conversation's header and its timeline items, as plain data. */

export async function contactDisplayName(em: EntityManager, conv: Conversation): Promise<string> {
  if (conv.contact.name) return conv.contact.name;
  const identity = await em.findOne(
    ContactIdentity,
    { contact: conv.contact },
    { orderBy: { createdAt: 'asc' } },
  );
  return identity?.address ?? 'Customer';
}

export async function buildHeader(em: EntityManager, conv: Conversation): Promise<ThreadHeader> {
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
  const customer = await contactDisplayName(em, conv);
  const aiName = conv.group.aiAgent?.name ?? 'AI agent';
  const nameOf = (m: Message) => {
    switch (m.kind) {
      case 'inbound':
        return customer;
      case 'ai':
        return aiName;
      case 'auto_response':
        return 'Auto-response';
      case 'system':
        return 'Parley';
      default:
        return m.author?.name ?? 'Parley';
    }
  };
  return messages.map((m) => ({
    messageId: m.id,
    seq: m.seq,
    kind: m.kind,
    text: m.text ?? null,
    attachments: m.attachments,
    authorName: nameOf(m),
    deliveryState: m.deliveryState ?? null,
    deliveryReason: m.deliveryReason ?? null,
    createdAt: m.createdAt,
  }));
}
