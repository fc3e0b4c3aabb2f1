import type { EntityManager } from '@mikro-orm/postgresql';
import { type Attachment, Message } from '../db/entities/index.ts';
import { isAppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { addToLogContext } from '../log-context.ts';
import type { ChannelRegistry } from '../ports/customer-channel.ts';
import { assertSize, newStorageKey, type Storage } from '../ports/storage.ts';

/**
 * Downloads the attachments of an inbound message that the provider still holds (WhatsApp media
 * ids, Twilio media URLs) into Parley's storage. A refusal (too large, gone at the provider) marks
 * the attachment failed with a reason agents see; other errors are thrown so the job retries.
 */
export async function storeInboundMedia(
  deps: { em: EntityManager; channels: ChannelRegistry; storage: Storage; now?: () => Date },
  messageId: string,
): Promise<{ stored: number; failed: number; events: DomainEvent[] }> {
  const { em, storage } = deps;
  const msg = await em.findOne(Message, messageId, { populate: ['conversation', 'endpoint'] });
  // The job carries the message id only: its log lines carry the conversation's too (log-context.ts).
  if (msg) addToLogContext({ conversationId: msg.conversation.id });
  const pending = msg?.attachments.filter((a) => a.status === 'pending' && a.providerRef) ?? [];
  if (!msg || pending.length === 0) return { stored: 0, failed: 0, events: [] };
  const channel = msg.channel ? deps.channels.get(msg.channel) : undefined;
  const endpoint = msg.endpoint;
  let stored = 0;
  let failed = 0;
  const next: Attachment[] = [];
  for (const a of msg.attachments) {
    if (!pending.includes(a)) {
      next.push(a);
      continue;
    }
    if (!channel?.fetchMedia || !endpoint) {
      next.push({
        ...a,
        status: 'failed',
        failureReason: `The ${msg.channel} channel cannot fetch media here.`,
      });
      failed += 1;
      continue;
    }
    try {
      const media = await channel.fetchMedia(a, { address: endpoint.address, settings: endpoint.settings });
      assertSize(storage, media.data.byteLength, a.name ? `"${a.name}"` : 'The attachment');
      const storageKey = newStorageKey(deps.now ? deps.now() : new Date());
      const mimeType = media.mimeType ?? a.mimeType ?? 'application/octet-stream';
      await storage.put(storageKey, media.data, mimeType);
      next.push({
        ...a,
        status: 'stored',
        storageKey,
        mimeType,
        size: media.data.byteLength,
        name: a.name ?? media.name,
      });
      stored += 1;
    } catch (err) {
      if (!isAppError(err)) throw err;
      next.push({ ...a, status: 'failed', failureReason: err.message });
      failed += 1;
    }
  }
  msg.attachments = next;
  await em.flush();
  const conv = msg.conversation;
  return {
    stored,
    failed,
    events: [{ type: 'message.media_stored', conversationId: conv.id, groupId: conv.group.id, messageId }],
  };
}
