import type { EntityManager } from '@mikro-orm/postgresql';
import { ContactIdentity, Message } from '../db/entities/index.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { ChannelRegistry } from '../ports/customer-channel.ts';

/**
 * A send whose lease ran out while `sending`: the worker stopped somewhere between claiming the
 * message and recording the provider's answer, so the provider may or may not have it. Never
 * guess in the direction of a second copy: ask the channel when it can tell; otherwise fail the
 * message with a reason the agent sees, so a human decides whether to send it again.
 */
export const UNKNOWN_OUTCOME_REASON =
  'Sending was interrupted and the provider cannot tell whether the customer got this message; ' +
  'it was not sent again so they never get it twice. Send it again if needed.';

export async function resolveInterruptedSend(
  deps: { em: EntityManager; channels: ChannelRegistry; now: Date },
  messageId: string,
): Promise<{ requeued: boolean; attempt: number; events: DomainEvent[] }> {
  const { em, now } = deps;
  const msg = await em.findOne(
    Message,
    { id: messageId, deliveryState: 'sending', deliveryDueAt: { $lte: now } },
    {
      populate: ['conversation.endpoint', 'endpoint'],
    },
  );
  if (!msg) return { requeued: false, attempt: 0, events: [] };
  const conv = msg.conversation;
  const channelName = msg.channel ?? conv.channel;
  const channel = deps.channels.get(channelName);
  const identity = await em.findOne(ContactIdentity, { contact: conv.contact, channel: channelName });
  const endpoint = msg.endpoint ?? conv.endpoint;
  const conn = em.getConnection();
  const event = (state: string): DomainEvent[] => [
    { type: 'message.delivery_changed', conversationId: conv.id, groupId: conv.group.id, messageId, state },
  ];

  if (channel?.lookupSent && identity && endpoint) {
    const found = await channel.lookupSent({
      messageId,
      endpoint: { address: endpoint.address, settings: endpoint.settings },
      to: { address: identity.address },
      text: msg.text ?? undefined,
      attachments: msg.attachments.length > 0 ? msg.attachments : undefined,
      template: msg.template ?? undefined,
    });
    if (found) {
      await conn.execute(
        `update message set delivery_state = 'sent', provider = ?, provider_message_id = ?, delivery_due_at = null,
           delivery_updated_at = ? where id = ? and delivery_state = 'sending'`,
        [channel.name, found.providerMessageId, now, messageId],
      );
      return { requeued: false, attempt: msg.deliveryAttempts, events: event('sent') };
    }
    // The provider does not have it: sending again cannot make a second copy.
    await conn.execute(
      `update message set delivery_state = 'queued', delivery_due_at = ?, delivery_updated_at = ?
       where id = ? and delivery_state = 'sending'`,
      [now, now, messageId],
    );
    return { requeued: true, attempt: msg.deliveryAttempts, events: [] };
  }
  await conn.execute(
    `update message set delivery_state = 'failed', delivery_reason = ?, delivery_due_at = null, delivery_updated_at = ?
     where id = ? and delivery_state = 'sending'`,
    [UNKNOWN_OUTCOME_REASON, now, messageId],
  );
  return { requeued: false, attempt: msg.deliveryAttempts, events: event('failed') };
}
