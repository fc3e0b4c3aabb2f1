import type { EntityManager } from '@mikro-orm/postgresql';
import type { Attachment, TemplateRef } from '../db/entities/index.ts';

/** What a deliver run needs, read in the same statement that claims the message. */
export interface ClaimedDelivery {
  attempt: number;
  conversationId: string;
  groupId: string;
  contactId: string;
  channel: string;
  text: string | null;
  template: TemplateRef | null;
  attachments: Attachment[];
  /** R42: the rating request this message is (its survey id), sent with the channel's answer buttons. */
  surveyId: string | null;
  endpoint: { id: string; address: string; settings: Record<string, unknown> } | null;
  /** The contact's address on the channel (the first one, as the customer wrote from it). */
  toAddress: string | null;
  contactName: string | null;
  hasPortalProfile: boolean;
  optedOutChannels: string[];
  /** The customer's latest inbound message on this channel and number (R7's service window). */
  lastInboundAt: Date | null;
}

/**
 * Claims a queued message (queued → sending, with a lease until `leaseUntil`) and reads every fact
 * the send and R7's last check need, in one statement: the deliver worker is on the path from an
 * agent's reply to the customer, and each round trip there is latency. No row: not due, or
 * already claimed by another run.
 */
export async function claimDelivery(
  em: EntityManager,
  messageId: string,
  now: Date,
  leaseUntil: Date,
): Promise<ClaimedDelivery | null> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `with claimed as (
       update message set delivery_state = 'sending', delivery_attempts = delivery_attempts + 1,
         delivery_due_at = ?, delivery_updated_at = ?
       where id = ? and delivery_state = 'queued' and coalesce(delivery_due_at, '-infinity') <= ?
       returning delivery_attempts, conversation_id, channel, endpoint_id, text, template, attachments,
         meta->>'csat' as survey_id
     ), facts as (
       select cl.*, c.group_id, c.contact_id, coalesce(cl.channel, c.channel) as via,
         coalesce(cl.endpoint_id, c.endpoint_id) as via_endpoint_id
       from claimed cl join conversation c on c.id = cl.conversation_id
     )
     select f.*, e.address as endpoint_address, e.settings as endpoint_settings,
       ct.name as contact_name, ct.portal_profile is not null as has_portal_profile,
       ct.opted_out_channels,
       (select i.address from contact_identity i where i.contact_id = f.contact_id and i.channel = f.via
          order by i.created_at limit 1) as to_address,
       (select max(m.created_at) from message m join conversation c2 on c2.id = m.conversation_id
          where c2.contact_id = f.contact_id and m.kind = 'inbound' and m.channel = f.via
            and (f.via_endpoint_id is null or m.endpoint_id = f.via_endpoint_id)) as last_inbound_at
     from facts f join contact ct on ct.id = f.contact_id
     left join channel_endpoint e on e.id = f.via_endpoint_id`,
    [leaseUntil, now, messageId, now],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    attempt: Number(r.delivery_attempts),
    conversationId: String(r.conversation_id),
    groupId: String(r.group_id),
    contactId: String(r.contact_id),
    channel: String(r.via),
    text: (r.text as string | null) ?? null,
    template: (r.template as TemplateRef | null) ?? null,
    attachments: (r.attachments as Attachment[] | null) ?? [],
    surveyId: (r.survey_id as string | null) ?? null,
    endpoint: r.via_endpoint_id
      ? {
          id: String(r.via_endpoint_id),
          address: String(r.endpoint_address),
          settings: (r.endpoint_settings as Record<string, unknown> | null) ?? {},
        }
      : null,
    toAddress: (r.to_address as string | null) ?? null,
    contactName: (r.contact_name as string | null) ?? null,
    hasPortalProfile: Boolean(r.has_portal_profile),
    optedOutChannels: (r.opted_out_channels as string[] | null) ?? [],
    lastInboundAt: r.last_inbound_at ? new Date(r.last_inbound_at as string) : null,
  };
}
