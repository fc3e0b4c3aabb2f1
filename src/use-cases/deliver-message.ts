import type { EntityManager } from '@mikro-orm/postgresql';
import { sendRefusal } from '../domain/channel-rules.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { SendRateLimiter } from '../jobs/send-rate.ts';
import { addToLogContext } from '../log-context.ts';
import type { ChannelRegistry, OutboundMessage, SendFailure } from '../ports/customer-channel.ts';
import { claimDelivery } from './claim-delivery.ts';
import { recordOptChange } from './record-opt-change.ts';

/**
 * Sends one queued outbound message through its channel adapter. The claim (queued → sending) is
 * one conditional UPDATE, so two workers woken for the same message never both send it; the claim
 * carries a lease (delivery_due_at) after which the reconciler resolves an interrupted send.
 */
export const DELIVERY_LEASE_MS = 60_000;
export const MAX_DELIVERY_ATTEMPTS = 8;

export type DeliverOutcome =
  | { outcome: 'skipped' }
  /** The endpoint's send rate is used up: try again after `delayMs` (not counted as an attempt). */
  | { outcome: 'throttled'; delayMs: number }
  /** The provider may have taken it (timeout after sending): left `sending` for a status or the reconciler. */
  | { outcome: 'unknown'; reason: string; channel: string }
  | { outcome: 'sent'; providerMessageId: string; channel: string }
  | { outcome: 'retry'; attempt: number; delayMs: number; reason: string }
  | { outcome: 'failed'; reason: string; channel: string };

export interface DeliverDeps {
  em: EntityManager;
  channels: ChannelRegistry;
  /** Per-endpoint send rate; omitted means unlimited. */
  sendRate?: SendRateLimiter;
  now?: () => Date;
}

const backoffMs = (attempt: number) => Math.min(2_000 * 2 ** (attempt - 1), 10 * 60_000);

export async function deliverMessage(
  deps: DeliverDeps,
  messageId: string,
): Promise<DeliverOutcome & { events: DomainEvent[] }> {
  const { em } = deps;
  const now = deps.now ? deps.now() : new Date();
  const conn = em.getConnection();
  const d = await claimDelivery(em, messageId, now, new Date(now.getTime() + DELIVERY_LEASE_MS));
  if (!d) return { outcome: 'skipped', events: [] };
  // The job carries the message id only: its log lines carry the conversation's too (log-context.ts).
  addToLogContext({ conversationId: d.conversationId });
  const attempt = d.attempt;
  const changed = (state: string): DomainEvent[] => [
    {
      type: 'message.delivery_changed',
      conversationId: d.conversationId,
      groupId: d.groupId,
      messageId,
      state,
    },
  ];
  const fail = async (reason: string) => {
    await conn.execute(
      `update message set delivery_state = 'failed', delivery_reason = ?, delivery_due_at = null, delivery_updated_at = ?
       where id = ? and delivery_state = 'sending'`,
      [reason, now, messageId],
    );
    return { outcome: 'failed' as const, reason, channel: d.channel, events: changed('failed') };
  };

  const channelName = d.channel;
  const channel = deps.channels.get(channelName);
  if (!channel) return fail(`The ${channelName} channel is not configured on this Parley server.`);
  if (!d.toAddress) return fail(`The contact has no ${channelName} address.`);
  const endpoint = d.endpoint;
  if (!endpoint) return fail(`No ${channelName} number or widget is set up for this conversation's group.`);

  // R7 again at the last moment: the WhatsApp window may have closed, or the customer opted out,
  // while the message waited. A reply in the customer's own live webchat stays allowed; the
  // webchat adapter itself refuses an absent anonymous visitor.
  const capabilities = capabilitiesOf(channelName);
  if (!capabilities) return fail(`Parley has no channel called "${channelName}".`);
  const isTemplate = !!d.template;
  const refusal = sendRefusal({
    capabilities,
    contactName: d.contactName ?? 'This contact',
    hasIdentity: true,
    hasPortalProfile: d.hasPortalProfile,
    inLiveConversation: true,
    optedOut: d.optedOutChannels.includes(channelName),
    isTemplate,
    hasAttachments: d.attachments.length > 0,
    textLength: d.text ? [...d.text].length : 0,
    lastInboundAt: capabilities.serviceWindowHours !== null && !isTemplate ? d.lastInboundAt : null,
    now,
  });
  if (refusal) return fail(refusal.message);

  if (deps.sendRate) {
    const rate = Number(endpoint.settings.sendRatePerSecond) || capabilities.sendRatePerSecond || 1;
    const delayMs = await deps.sendRate(endpoint.id, rate);
    if (delayMs > 0) {
      await conn.execute(
        `update message set delivery_state = 'queued', delivery_attempts = delivery_attempts - 1, delivery_due_at = ?
         where id = ? and delivery_state = 'sending'`,
        [new Date(now.getTime() + delayMs), messageId],
      );
      return { outcome: 'throttled', delayMs, events: [] };
    }
  }

  const out: OutboundMessage = {
    messageId,
    endpoint: { address: endpoint.address, settings: endpoint.settings },
    to: { address: d.toAddress },
    text: d.text ?? undefined,
    attachments: d.attachments.length > 0 ? d.attachments : undefined,
    template: d.template ?? undefined,
    survey: d.surveyId ? { id: d.surveyId } : undefined,
  };
  let failure: SendFailure;
  try {
    const sent = await channel.send(out);
    // One statement: the provider's facts (SMS segments...) are kept even when a status callback
    // got here first and moved the state on; the state becomes sent only from sending.
    await conn.execute(
      `update message set meta = meta || ?::jsonb,
         delivery_state = case when delivery_state = 'sending' then 'sent' else delivery_state end,
         provider = case when delivery_state = 'sending' then ? else provider end,
         provider_message_id = case when delivery_state = 'sending' then ? else provider_message_id end,
         delivery_due_at = case when delivery_state = 'sending' then null else delivery_due_at end,
         delivery_reason = case when delivery_state = 'sending' then null else delivery_reason end,
         delivery_updated_at = case when delivery_state = 'sending' then ? else delivery_updated_at end
       where id = ?`,
      [JSON.stringify(sent.meta ?? {}), channel.name, sent.providerMessageId, now, messageId],
    );
    return {
      outcome: 'sent',
      providerMessageId: sent.providerMessageId,
      channel: channel.name,
      events: changed('sent'),
    };
  } catch (err) {
    failure = channel.classify(err);
  }
  if (failure.kind === 'permanent') {
    if (failure.optedOut) {
      await recordOptChange(
        { em: em.fork() as EntityManager },
        { kind: 'provider', channel: channel.name },
        {
          channel: channel.name,
          endpointAddress: endpoint.address,
          address: d.toAddress,
          optedOut: true,
          keyword: 'provider',
          at: now,
        },
      );
    }
    return fail(failure.reason);
  }
  if (failure.kind === 'unknown') {
    // Not re-sent: the lease runs out and the reconciler settles it (lookupSent, a status, or a visible failure).
    await conn.execute(`update message set delivery_reason = ? where id = ? and delivery_state = 'sending'`, [
      failure.reason,
      messageId,
    ]);
    return { outcome: 'unknown', reason: failure.reason, channel: channel.name, events: [] };
  }
  if (attempt >= MAX_DELIVERY_ATTEMPTS) {
    return fail(`Gave up after ${attempt} attempts: ${failure.reason}`);
  }
  const delayMs = failure.retryAfterMs ?? backoffMs(attempt);
  await conn.execute(
    `update message set delivery_state = 'queued', delivery_reason = ?, delivery_due_at = ?, delivery_updated_at = ?
     where id = ? and delivery_state = 'sending'`,
    [failure.reason, new Date(now.getTime() + delayMs), now, messageId],
  );
  return { outcome: 'retry', attempt, delayMs, reason: failure.reason, events: [] };
}
