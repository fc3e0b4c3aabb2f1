import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { phoneChannels } from '../domain/channels.ts';
import {
  type AppendedRow,
  appended,
  type FastAppend,
  type InboundFacts,
  type InboundShortcut,
} from './append-inbound.ts';

/**
 * A customer nobody knows writes for the first time (R2): their contact, their identity, a new
 * conversation in the group owning the number and the message, in one statement. A surge of new
 * customers (a campaign, an outage) is where the web's CPU and memory go (bench/README.md,
 * "Memory"), and the ORM's transaction for it is a dozen round trips. Nothing about a brand-new
 * contact can restrict or assign the conversation (R19's defaults and earlier lists are the
 * contact's), so it is visible to the group, unassigned, its AI agent on when the group's is
 * (openConversation's rules). Anyone already known by this address — on this channel, or on
 * another phone channel (R3: the same person) — a retry of a stored message, an unknown number,
 * or a race with another first message from them returns null: the full use-case decides.
 */
export const openForNewSender: InboundShortcut = async (
  em: EntityManager,
  m: InboundFacts,
  now: Date,
): Promise<FastAppend | null> => {
  const ids = {
    contact: randomUUID(),
    identity: randomUUID(),
    conversation: randomUUID(),
    message: randomUUID(),
  };
  const sameAs = phoneChannels.includes(m.channel as (typeof phoneChannels)[number])
    ? phoneChannels
    : [m.channel];
  const name = m.from.name ?? (m.from.portalProfile as { name?: string } | undefined)?.name ?? null;
  let rows: Omit<AppendedRow, 'message_id'>[];
  try {
    rows = await em.getConnection().execute(
      `with ep as (
         select e.id, e.account_id, e.group_id, g.ai_agent, g.auto_responder
         from channel_endpoint e join groups g on g.id = e.group_id where e.channel = ? and e.address = ?
       ), fresh as (
         select ep.* from ep
         where not exists (select 1 from contact_identity i where i.account_id = ep.account_id
                             and i.address = ? and i.channel in (?))
           and not exists (select 1 from message d where d.provider = ? and d.provider_message_id = ?)
       ), num as (
         update account a set next_conversation_number = a.next_conversation_number + 1
         from fresh where a.id = fresh.account_id
         returning a.next_conversation_number - 1 as n
       ), ct as (
         insert into contact (id, account_id, name, portal_profile, created_at, updated_at)
         select ?, fresh.account_id, ?, ?::jsonb, ?, ? from fresh, num
         returning id
       ), ident as (
         insert into contact_identity (id, account_id, contact_id, channel, address, identified, created_at)
         select ?, fresh.account_id, ct.id, ?, ?, ?, ? from fresh, ct
       ), conv as (
         insert into conversation (id, account_id, group_id, number, contact_id, status, ai_state, channel,
           endpoint_id, last_inbound_at, last_message_at, last_seq, unreplied_count, oldest_unreplied_at,
           human_waiting_since, created_at, updated_at)
         select ?, fresh.account_id, fresh.group_id, num.n, ct.id, 'open',
           case when coalesce((fresh.ai_agent->>'enabled')::boolean, false) then 'active' else 'off' end,
           ?, fresh.id, ?, ?, 1, case when ? then 1 else 0 end, case when ? then ?::timestamptz end,
           case when ? then ?::timestamptz end, ?, ?
         from fresh, num, ct
         returning id, account_id, group_id, status, ai_state
       ), ins as (
         insert into message (id, account_id, conversation_id, seq, kind, text, attachments, channel,
           endpoint_id, provider, provider_message_id, awaiting_reply, meta, created_at)
         select ?, conv.account_id, conv.id, 1, 'inbound', ?, ?::jsonb, ?, (select id from fresh), ?, ?, ?,
           ?::jsonb, ? from conv
         returning conversation_id
       )
       select conv.id as conversation_id, conv.group_id, conv.status, conv.ai_state,
         coalesce((fresh.auto_responder->>'enabled')::boolean, false) as auto_on
       from ins join conv on conv.id = ins.conversation_id cross join fresh`,
      [
        ...[m.channel, m.endpointAddress, m.from.address, sameAs, m.provider, m.providerMessageId],
        ...[ids.contact, name, m.from.portalProfile ? JSON.stringify(m.from.portalProfile) : null, now, now],
        ...[ids.identity, m.channel, m.from.address, m.from.identified, now],
        ...[ids.conversation, m.channel, m.at, m.at, m.awaitsReply, m.awaitsReply, m.at],
        ...[m.awaitsReply, m.at, now, now],
        ...[ids.message, m.text ?? null, JSON.stringify(m.attachments ?? []), m.channel, m.provider],
        ...[m.providerMessageId, m.awaitsReply, JSON.stringify(m.meta ?? {}), m.at],
      ],
    );
  } catch (e) {
    // Another first message from the same address, or the same message, committed meanwhile:
    // the full use-case finds what it stored.
    if (e instanceof UniqueConstraintViolationException || (e as { code?: string }).code === '23505')
      return null;
    throw e;
  }
  const row = rows[0];
  if (!row) return null;
  const fast = appended(m, { ...row, message_id: ids.message });
  return {
    ...fast,
    openedConversation: true,
    events: [
      { type: 'conversation.opened', conversationId: row.conversation_id, groupId: row.group_id },
      ...fast.events,
    ],
  };
};
