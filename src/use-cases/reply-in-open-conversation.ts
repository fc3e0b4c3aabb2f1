import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PoolClient } from 'pg';
import type { Viewer } from '../domain/actor.ts';
import { sendRefusal } from '../domain/channel-rules.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import type { DomainEvent } from '../domain/events.ts';
import { nextUnreplied } from '../domain/unreplied.ts';
import { canSee } from '../domain/visibility.ts';
import { channelFactsSql } from './send-to-contact.ts';
import { endSlaWaitSql } from './sla-waits.ts';
import { type MessageSource, messageCreated } from './timeline.ts';

/** A plain reply: text only, on the conversation's own channel and endpoint. */
export interface PlainReply {
  userId: string;
  conversationId: string;
  text: string;
  source: MessageSource | null;
}

export interface FastReply {
  conversationNumber: number;
  messageId: string;
  channel: string;
  events: DomainEvent[];
}

interface Facts {
  account_id: string;
  group_id: string;
  number: number;
  visible_to_ids: string[] | null;
  channel: string;
  endpoint_id: string;
  last_seq: number;
  unreplied_count: number;
  oldest_unreplied_at: Date | string | null;
  human_waiting_since: Date | string | null;
  last_inbound_at: Date | string | null;
  ai_state: string;
  contact_name: string | null;
  has_portal: boolean;
  opted_out: boolean;
  has_identity: boolean;
  window_at: Date | string | null;
  user: { id: string; account_id: string; role: Viewer['role']; group_ids: string[]; active: boolean } | null;
}

/**
 * The usual reply as two statements in one transaction: a user writing text in an open
 * conversation on its own channel and endpoint, with no AI draft waiting. The first statement
 * locks the conversation and reads every fact the rules look at; the same rules as sendReply's
 * decide (R17 canSee, R7 sendRefusal, R11 nextUnreplied); the second stores the reply, the
 * conversation's counters and the author's read marker (R12). A chat surface's reply is on the
 * path agents feel, and this is four round trips instead of ten through the ORM. Anything else —
 * a closed or unknown conversation, a refusal, a draft to drop — returns null, and sendReply's
 * full path then decides and says why.
 */
export async function replyInOpenConversation(
  em: EntityManager,
  input: PlainReply,
  now: Date,
): Promise<FastReply | null> {
  // Inside a caller's transaction the reply must be part of it: the full path.
  if (em.isInTransaction()) return null;
  // The driver's pool, not the ORM: four round trips with nothing to map, and named statements
  // PostgreSQL plans once per connection.
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await decideAndWrite(client, input, now);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    // Converted, a replayed event (its source key is unique) is the UniqueConstraintViolationException
    // the surfaces expect.
    throw (e as { code?: unknown }).code ? em.getDriver().convertException(e as Error) : e;
  } finally {
    client.release();
  }
}

async function decideAndWrite(client: PoolClient, input: PlainReply, now: Date): Promise<FastReply | null> {
  const {
    rows: [f],
  } = await client.query<Facts>({
    name: 'parley_reply_facts',
    text: FACTS_SQL,
    values: [input.userId, input.conversationId],
  });
  if (!f?.user?.active || f.user.account_id !== f.account_id) return null;
  const viewer: Viewer = {
    id: f.user.id,
    accountId: f.user.account_id,
    role: f.user.role,
    groupIds: f.user.group_ids,
  };
  if (!canSee(viewer, { groupId: f.group_id, visibleToIds: f.visible_to_ids })) return null;
  const capabilities = capabilitiesOf(f.channel);
  if (!capabilities) return null;
  const refusal = sendRefusal({
    capabilities,
    contactName: f.contact_name ?? 'This contact',
    hasIdentity: f.has_identity,
    hasPortalProfile: f.has_portal,
    inLiveConversation: f.last_inbound_at != null,
    optedOut: f.opted_out,
    isTemplate: false,
    hasAttachments: false,
    textLength: [...input.text].length,
    lastInboundAt: toDate(f.window_at),
    now,
  });
  if (refusal) return null;
  const current = { count: f.unreplied_count, oldestAt: toDate(f.oldest_unreplied_at) };
  const next = nextUnreplied(current, { kind: 'reply', at: now, aiHandedOff: f.ai_state === 'handed_off' });
  const messageId = randomUUID();
  const seq = f.last_seq + 1;
  const meta = input.source ? { origin: input.source.origin } : {};
  await client.query({
    name: 'parley_reply_write',
    text: WRITE_SQL,
    values: [
      ...[messageId, f.account_id, input.conversationId, seq, input.text, f.user.id, f.channel],
      ...[f.endpoint_id, input.source?.key ?? null, now, JSON.stringify(meta)],
      ...[next.count, next.oldestAt, f.unreplied_count > 0 && next.count === 0],
      toDate(f.human_waiting_since),
    ],
  });
  const conversationId = input.conversationId;
  const groupId = f.group_id;
  return {
    conversationNumber: f.number,
    messageId,
    channel: f.channel,
    events: [
      messageCreated(
        { id: conversationId, group: { id: groupId } },
        { id: messageId, kind: 'reply', attachments: [] },
      ),
      { type: 'conversation.read', conversationId, userId: f.user.id },
    ],
  };
}

/** The pool's timestamps come as strings (the ORM's type parsers). */
const toDate = (v: Date | string | null) => (v === null ? null : new Date(v));

const facts = channelFactsSql('c.contact_id', 'c.channel', 'c.endpoint_id');
// Parameters: 1 the user, 2 the conversation. No row: not open, or no endpoint to send from.
const FACTS_SQL = `
select c.account_id, c.group_id, c.number, c.visible_to_ids, c.channel, c.endpoint_id, c.last_seq,
  c.unreplied_count, c.oldest_unreplied_at, c.human_waiting_since, c.last_inbound_at, c.ai_state,
  ct.name as contact_name, ct.portal_profile is not null as has_portal,
  coalesce(c.channel = any(ct.opted_out_channels), false) as opted_out,
  ${facts.hasIdentity} as has_identity, ${facts.lastInboundAt} as window_at,
  (select json_build_object('id', u.id, 'account_id', u.account_id, 'role', u.role,
     'group_ids', u.group_ids, 'active', u.active) from users u where u.id = $1) as "user"
from conversation c
  join contact ct on ct.id = c.contact_id
  join channel_endpoint e on e.id = c.endpoint_id and e.group_id = c.group_id and e.channel = c.channel
where c.id = $2 and c.status = 'open'
  and not exists (select 1 from message d where d.conversation_id = c.id and d.kind = 'ai_draft'
    and d.draft_state = 'pending')
for update of c`;

// The reply as appendMessage stores it, the counters as sendReply leaves them, and R12's marker.
// Parameters: 1 message id, 2 account, 3 conversation, 4 seq, 5 text, 6 author, 7 channel,
// 8 endpoint, 9 source key, 10 now, 11 meta, 12 unreplied count, 13 oldest unreplied, 14 whether
// the earlier messages stop awaiting a reply (R11), 15 since when the customer waits for a person
// (R39: the reply ends that SLA wait).
const WRITE_SQL = `
with ins as (
  insert into message (id, account_id, conversation_id, seq, kind, text, attachments, template,
    author_id, channel, endpoint_id, source_ref, delivery_state, delivery_attempts, delivery_due_at,
    delivery_updated_at, awaiting_reply, meta, created_at)
  values ($1, $2, $3, $4, 'reply', $5, '[]', null, $6, $7, $8, $9, 'queued', 0, $10, $10, false, $11::jsonb, $10)
), upd as (
  update conversation set last_seq = $4, unreplied_count = $12, oldest_unreplied_at = $13,
    last_message_at = $10, updated_at = $10, human_waiting_since = null, sla_breached_at = null
  where id = $3
), sla as (${endSlaWaitSql('$3::uuid', '$15', '$10', "'reply'")}
), answered as (
  update message set awaiting_reply = false where $14::boolean and conversation_id = $3 and awaiting_reply
)
insert into read_state (user_id, conversation_id, last_read_seq, updated_at) values ($6, $3, $4, $10)
on conflict (user_id, conversation_id) do update
  set last_read_seq = excluded.last_read_seq, updated_at = excluded.updated_at`;
