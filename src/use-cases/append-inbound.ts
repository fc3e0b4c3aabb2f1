import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Attachment } from '../db/entities/index.ts';
import { shouldAiAnswer } from '../domain/ai.ts';
import type { DomainEvent } from '../domain/events.ts';

export interface InboundFacts {
  channel: string;
  endpointAddress: string;
  from: { address: string; identified: boolean; name?: string; portalProfile?: unknown };
  provider: string;
  providerMessageId: string;
  text?: string;
  attachments?: Attachment[];
  meta?: Record<string, unknown>;
  /** When the customer wrote (never in the future). */
  at: Date;
  awaitsReply: boolean;
}

/** A message the one-statement path (or its group commit) stored, or found stored by an earlier request. */
export interface FastAppend {
  conversationId: string;
  messageId: string;
  aiAnswers: boolean;
  events: DomainEvent[];
  /** A retry of a message stored by another request of the same batch: nothing new was written. */
  duplicate?: boolean;
  /** The message opened a new conversation (a first message from someone nobody knew). */
  openedConversation?: boolean;
}

/** The path receiveInbound tries first; null means "take the full use-case". */
export type InboundShortcut = (em: EntityManager, m: InboundFacts, now: Date) => Promise<FastAppend | null>;

/**
 * The usual customer message as one statement: a known sender (nothing about them to update)
 * writing into their open conversation, under the conversation's row lock, numbered and counted
 * as appendMessage does (R11). Webhooks are on the path to every figure a team sees, and this
 * is one round trip instead of eight. Anything else — a new sender, no open conversation, a
 * retry of a message already stored, a race — returns null and takes the full use-case.
 */
export async function appendToOpenConversation(
  em: EntityManager,
  m: InboundFacts,
  now: Date,
): Promise<FastAppend | null> {
  const messageId = randomUUID();
  let rows: {
    conversation_id: string;
    group_id: string;
    status: 'open';
    ai_state: 'off' | 'active' | 'handed_off';
    auto_on: boolean;
  }[];
  try {
    rows = await em.getConnection().execute(
      `with ep as (
         select id, account_id, group_id from channel_endpoint where channel = ? and address = ?
       ), sender as (
         select i.contact_id from contact_identity i join ep on i.account_id = ep.account_id
           join contact ct on ct.id = i.contact_id
         where i.channel = ? and i.address = ? and (i.identified or not ?)
           and (ct.name is not null or ?::text is null) and (ct.portal_profile is not null or not ?)
       ), conv as (
         select c.id from conversation c join ep on c.group_id = ep.group_id
           join sender on c.contact_id = sender.contact_id
         where c.status = 'open'
           and not exists (select 1 from message d where d.provider = ? and d.provider_message_id = ?)
         for update of c
       ), upd as (
         update conversation c set last_seq = c.last_seq + 1,
           unreplied_count = c.unreplied_count + case when ? then 1 else 0 end,
           oldest_unreplied_at = case when ? then coalesce(c.oldest_unreplied_at, ?) else c.oldest_unreplied_at end,
           human_waiting_since = case when ? then coalesce(c.human_waiting_since, ?) else c.human_waiting_since end,
           last_message_at = greatest(c.last_message_at, ?), last_inbound_at = ?,
           channel = ?, endpoint_id = (select id from ep), updated_at = ?
         from conv where c.id = conv.id
         returning c.id, c.account_id, c.group_id, c.last_seq, c.status, c.ai_state
       ), ins as (
         insert into message (id, account_id, conversation_id, seq, kind, text, attachments, channel,
           endpoint_id, provider, provider_message_id, awaiting_reply, meta, created_at)
         select ?, upd.account_id, upd.id, upd.last_seq, 'inbound', ?, ?::jsonb, ?, (select id from ep), ?, ?,
           ?, ?::jsonb, ? from upd
         returning conversation_id
       )
       select ins.conversation_id, upd.group_id, upd.status, upd.ai_state,
         coalesce((select (g.auto_responder->>'enabled')::boolean from groups g where g.id = upd.group_id), false) as auto_on
       from ins join upd on upd.id = ins.conversation_id`,
      [
        m.channel,
        m.endpointAddress,
        m.channel,
        m.from.address,
        m.from.identified,
        m.from.name ?? null,
        !!m.from.portalProfile,
        m.provider,
        m.providerMessageId,
        m.awaitsReply,
        m.awaitsReply,
        m.at,
        m.awaitsReply,
        m.at,
        m.at,
        m.at,
        m.channel,
        now,
        messageId,
        m.text ?? null,
        JSON.stringify(m.attachments ?? []),
        m.channel,
        m.provider,
        m.providerMessageId,
        m.awaitsReply,
        JSON.stringify(m.meta ?? {}),
        m.at,
      ],
    );
  } catch (e) {
    // The same message stored by a concurrent retry: the full use-case finds it. (A raw
    // statement's error comes straight from the driver, with PostgreSQL's code.)
    if (e instanceof UniqueConstraintViolationException || (e as { code?: string }).code === '23505')
      return null;
    throw e;
  }
  const row = rows[0];
  return row ? appended(m, { ...row, message_id: messageId }) : null;
}

/** What the one-statement paths (alone or batched) read back for a stored message. */
export interface AppendedRow {
  conversation_id: string;
  group_id: string;
  message_id: string;
  status: 'open';
  ai_state: 'off' | 'active' | 'handed_off';
  auto_on: boolean;
}

/** The stored message's answer and its event, as appendMessage would record it (R14, R37). */
export function appended(m: InboundFacts, row: AppendedRow): FastAppend {
  const pendingMedia = (m.attachments ?? []).some((a) => a.status === 'pending');
  const aiAnswers = m.awaitsReply && shouldAiAnswer({ status: row.status, aiState: row.ai_state });
  const events: DomainEvent[] = [
    {
      type: 'message.created',
      conversationId: row.conversation_id,
      groupId: row.group_id,
      messageId: row.message_id,
      kind: 'inbound',
      ...(pendingMedia ? { pendingMedia: true } : {}),
      ...(aiAnswers ? { aiAnswers: true } : {}),
      ...(m.awaitsReply && row.auto_on ? { autoResponder: true } : {}),
    },
  ];
  return { conversationId: row.conversation_id, messageId: row.message_id, aiAnswers, events };
}
