import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  type Attachment,
  Contact,
  ContactIdentity,
  Conversation,
  Message,
  ReadState,
  User,
} from '../db/entities/index.ts';
import type { Viewer } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { MessageKind } from '../domain/events.ts';
import { canKnowExists, canSee } from '../domain/visibility.ts';

export type ConversationRef = { id: string } | { number: number };

export interface UserRef {
  id: string;
  name: string;
}

export interface ConversationHeader {
  id: string;
  number: number;
  status: 'open' | 'closed';
  groupId: string;
  channel: string;
  contact: {
    id: string;
    name: string | null;
    identities: { channel: string; address: string; identified: boolean }[];
  };
  assignees: UserRef[];
  /** R17: null when the whole group sees the conversation. */
  visibleTo: UserRef[] | null;
  restricted: boolean;
  aiState: 'off' | 'active' | 'handed_off';
  /** R13: shown more prominently than `unread`. */
  unrepliedCount: number;
  oldestUnrepliedAt: Date | null;
  unread: boolean;
  lastSeq: number;
}

export interface TimelineItem {
  id: string;
  seq: number;
  kind: MessageKind;
  author: UserRef | null;
  text: string | null;
  attachments: Attachment[];
  templateName: string | null;
  channel: string | null;
  deliveryState: Message['deliveryState'];
  deliveryReason: string | null;
  awaitingReply: boolean;
  aiHandoff: boolean;
  createdAt: Date;
}

export interface ConversationDetail {
  header: ConversationHeader;
  /** Messages in sequence order: the latest `limit` before `beforeSeq`. */
  timeline: TimelineItem[];
  /** Older messages exist: ask again with `beforeSeq` = the first item's seq. */
  hasEarlier: boolean;
}

const uuid = z.uuid();

async function findConversation(em: EntityManager, viewer: Viewer, ref: ConversationRef) {
  if ('id' in ref) {
    if (!uuid.safeParse(ref.id).success) return null;
    return em.findOne(Conversation, { id: ref.id, account: viewer.accountId, status: { $ne: 'deleted' } });
  }
  return em.findOne(Conversation, {
    number: ref.number,
    account: viewer.accountId,
    status: { $ne: 'deleted' },
  });
}

/**
 * One conversation's header and timeline for a viewer who may see it (R17). Outside the viewer's
 * groups it answers not_found (its existence does not leak); a restricted conversation answers
 * forbidden, naming only its number. Read-only: viewing does not mark it read (mark-read does).
 */
export async function conversationDetail(
  em: EntityManager,
  viewer: Viewer,
  ref: ConversationRef,
  opts: { beforeSeq?: number; limit?: number } = {},
): Promise<ConversationDetail> {
  const conv = await findConversation(em, viewer, ref);
  const facts = conv && { groupId: conv.group.id, visibleToIds: conv.visibleToIds ?? null };
  if (!conv || !facts || !canKnowExists(viewer, facts)) {
    throw new AppError('not_found', 'That conversation does not exist or is not in your groups.');
  }
  if (!canSee(viewer, facts)) {
    throw new AppError(
      'forbidden',
      `Conversation #${conv.number} is restricted to a list of users you are not on.`,
      {
        rule: 'R17',
        conversationNumber: conv.number,
        restricted: true,
      },
    );
  }
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  // One after another: the caller's EntityManager may hold a single transaction connection.
  const contact = await em.findOneOrFail(Contact, { id: conv.contact.id });
  const identities = await em.find(
    ContactIdentity,
    { contact: contact.id },
    { orderBy: { createdAt: 'asc' } },
  );
  const readState = await em.findOne(ReadState, { user: viewer.id, conversation: conv.id });
  const fetched = await em.find(
    Message,
    { conversation: conv.id, ...(opts.beforeSeq !== undefined ? { seq: { $lt: opts.beforeSeq } } : {}) },
    { orderBy: { seq: 'desc' }, limit: limit + 1 },
  );
  const messages = fetched.slice(0, limit).reverse();
  const userIds = new Set([...conv.assigneeIds, ...(conv.visibleToIds ?? [])]);
  for (const m of messages) if (m.author) userIds.add(m.author.id);
  const users = await em.find(User, { id: { $in: [...userIds] }, account: viewer.accountId });
  const userRef = (id: string): UserRef => ({
    id,
    name: users.find((u) => u.id === id)?.name ?? 'Former user',
  });
  return {
    header: {
      id: conv.id,
      number: conv.number,
      status: conv.status === 'closed' ? 'closed' : 'open',
      groupId: conv.group.id,
      channel: conv.channel,
      contact: {
        id: contact.id,
        name: contact.name ?? null,
        identities: identities.map((i) => ({
          channel: i.channel,
          address: i.address,
          identified: i.identified,
        })),
      },
      assignees: conv.assigneeIds.map(userRef),
      visibleTo: conv.visibleToIds ? conv.visibleToIds.map(userRef) : null,
      restricted: conv.visibleToIds != null,
      aiState: conv.aiState,
      unrepliedCount: conv.unrepliedCount,
      oldestUnrepliedAt: conv.oldestUnrepliedAt ?? null,
      unread: conv.lastSeq > (readState?.lastReadSeq ?? 0),
      lastSeq: conv.lastSeq,
    },
    timeline: messages.map((m) => ({
      id: m.id,
      seq: m.seq,
      kind: m.kind,
      author: m.author ? userRef(m.author.id) : null,
      text: m.text ?? null,
      attachments: m.attachments,
      templateName: m.template?.name ?? null,
      channel: m.channel ?? null,
      deliveryState: m.deliveryState ?? null,
      deliveryReason: m.deliveryReason ?? null,
      awaitingReply: m.awaitingReply,
      aiHandoff: m.meta.aiHandoff === true,
      createdAt: m.createdAt,
    })),
    hasEarlier: fetched.length > limit,
  };
}
