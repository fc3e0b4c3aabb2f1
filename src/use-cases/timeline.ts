import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Account,
  type Attachment,
  AuditEvent,
  type ChannelEndpoint,
  type Contact,
  Conversation,
  type Group,
  Message,
  type TemplateRef,
  type User,
} from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import type { DomainEvent, MessageKind } from '../domain/events.ts';
import { nextUnreplied } from '../domain/unreplied.ts';
import { endSlaWait } from './sla-waits.ts';

/**
 * The two writes every conversation use-case shares: opening a conversation and appending to its
 * timeline. Callers hold the conversation's row lock (loadConversation*), so sequence numbers and
 * counters never race.
 */

export interface OpenConversationInput {
  account: Account;
  group: Group;
  contact: Contact;
  channel: string;
  endpoint: ChannelEndpoint | null;
  direction: 'inbound' | 'outbound';
  /** Whether the contact is identified (phone, portal profile): R16 applies only then. */
  identified: boolean;
  /**
   * Who may see it (R19, R34): from `newConversationVisibility`, computed by the caller first so
   * that it can refuse a sender who would not see the conversation they open.
   */
  visibleToIds: string[] | null;
  now: Date;
}

export async function openConversation(
  tx: EntityManager,
  input: OpenConversationInput,
): Promise<Conversation> {
  const number = await takeConversationNumber(tx, input.account.id);
  const { contact, visibleToIds } = input;
  let assigneeIds = input.identified ? [...(contact.defaultAssigneeIds ?? [])] : [];
  // R18 holds for defaults too: a default assignee outside the default list is not assigned.
  if (visibleToIds) assigneeIds = assigneeIds.filter((id) => visibleToIds.includes(id));
  const conv = tx.create(Conversation, {
    account: input.account,
    group: input.group,
    number,
    contact,
    status: 'open',
    assigneeIds,
    visibleToIds,
    aiState: input.group.aiAgent?.enabled ? 'active' : 'off',
    channel: input.channel,
    endpoint: input.endpoint,
    lastMessageAt: input.now,
    createdAt: input.now,
  });
  return conv;
}

/** Atomically takes the next human number of the account (#1042). */
async function takeConversationNumber(tx: EntityManager, accountId: string): Promise<number> {
  const rows = await tx
    .getConnection()
    .execute<{ n: number }[]>(
      'update account set next_conversation_number = next_conversation_number + 1 where id = ? returning next_conversation_number - 1 as n',
      [accountId],
      'all',
      tx.getTransactionContext(),
    );
  const n = rows[0]?.n;
  if (n === undefined) throw new Error(`account ${accountId} not found`);
  return Number(n);
}

export interface AppendInput {
  kind: MessageKind;
  text?: string | null;
  attachments?: Attachment[];
  template?: TemplateRef | null;
  author?: User | null;
  channel?: string | null;
  endpoint?: ChannelEndpoint | null;
  provider?: string | null;
  providerMessageId?: string | null;
  /** Outbound messages to a customer start queued for the deliver worker. */
  deliver?: boolean;
  aiHandoff?: boolean;
  /** An inbound message that asks nothing of the team (a reaction) does not wait for a reply (R11). */
  awaitsReply?: boolean;
  meta?: Record<string, unknown>;
  /** Where a user wrote it on a chat surface; the key is unique, so a replayed platform event is refused. */
  source?: MessageSource | null;
  now: Date;
}

export interface MessageSource {
  key: string;
  origin: { surface: string; ref: Record<string, unknown> };
}

/**
 * Appends a message, numbering it and keeping the conversation's counters (R11) current. When the
 * message answers the customer, the earlier inbound messages stop awaiting a reply.
 */
export async function appendMessage(
  tx: EntityManager,
  conv: Conversation,
  input: AppendInput,
): Promise<Message> {
  const awaitsReply = input.kind === 'inbound' && input.awaitsReply !== false;
  const current = { count: conv.unrepliedCount, oldestAt: conv.oldestUnrepliedAt ?? null };
  const next =
    input.kind === 'inbound' && !awaitsReply
      ? current
      : nextUnreplied(current, {
          kind: input.kind,
          at: input.now,
          aiHandoff: input.aiHandoff,
          aiHandedOff: conv.aiState === 'handed_off',
        });
  if (conv.unrepliedCount > 0 && next.count === 0) {
    await tx.flush();
    await tx
      .getConnection()
      .execute(
        'update message set awaiting_reply = false where conversation_id = ? and awaiting_reply',
        [conv.id],
        'run',
        tx.getTransactionContext(),
      );
  }
  // R39: the SLA clock waits for a person; an AI answer or an automatic one leaves it running.
  if (awaitsReply) conv.humanWaitingSince ??= input.now;
  else if (input.kind === 'reply' && conv.humanWaitingSince) await endSlaWait(tx, conv, input.now, 'reply');
  conv.lastSeq += 1;
  conv.unrepliedCount = next.count;
  conv.oldestUnrepliedAt = next.oldestAt;
  if (input.kind !== 'note' && input.kind !== 'system') conv.lastMessageAt = input.now;
  if (input.kind === 'inbound') conv.lastInboundAt = input.now;
  return tx.create(Message, {
    account: conv.account,
    conversation: conv,
    seq: conv.lastSeq,
    kind: input.kind,
    text: input.text ?? null,
    attachments: input.attachments ?? [],
    template: input.template ?? null,
    author: input.author ?? null,
    channel: input.channel ?? null,
    endpoint: input.endpoint ?? null,
    provider: input.provider ?? null,
    providerMessageId: input.providerMessageId ?? null,
    deliveryState: input.deliver ? 'queued' : null,
    deliveryDueAt: input.deliver ? input.now : null,
    deliveryUpdatedAt: input.deliver ? input.now : null,
    awaitingReply: awaitsReply,
    sourceRef: input.source?.key ?? null,
    meta: {
      ...(input.meta ?? {}),
      ...(input.aiHandoff ? { aiHandoff: true } : {}),
      ...(input.source ? { origin: input.source.origin } : {}),
    },
    createdAt: input.now,
  });
}

/** Appends a system line (assigned, restricted, closed...) and records who did it. */
export function appendSystemLine(
  tx: EntityManager,
  conv: Conversation,
  actor: Actor,
  action: string,
  text: string,
  now: Date,
  data: Record<string, unknown> = {},
): Promise<Message> {
  audit(tx, conv.account, actor, action, conv.id, data, now);
  return appendMessage(tx, conv, { kind: 'system', text, meta: { action, ...data }, now });
}

export function audit(
  tx: EntityManager,
  account: Account,
  actor: Actor,
  action: string,
  conversationId: string | null,
  data: Record<string, unknown>,
  now: Date,
): void {
  tx.create(AuditEvent, {
    account,
    actorType: actor.kind,
    actorUserId: actor.kind === 'user' ? actor.userId : null,
    action,
    conversationId,
    data,
    createdAt: now,
  });
}

export const messageCreated = (
  conv: { id: string; group: { id: string } },
  msg: Pick<Message, 'id' | 'kind' | 'attachments'>,
): DomainEvent => ({
  type: 'message.created',
  conversationId: conv.id,
  groupId: conv.group.id,
  messageId: msg.id,
  kind: msg.kind,
  ...(msg.attachments.some((a) => a.status === 'pending') ? { pendingMedia: true } : {}),
});
