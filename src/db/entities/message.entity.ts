import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { ChannelEndpoint } from './channel-endpoint.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import { User } from './user.entity.ts';

export interface Attachment {
  id: string;
  kind: 'image' | 'document' | 'audio' | 'video' | 'sticker' | 'location' | 'contact' | 'file';
  name?: string;
  mimeType?: string;
  size?: number;
  /** Storage key of the stored bytes (storage port), when stored. */
  storageKey?: string;
  /** The provider's handle for media not fetched yet (WhatsApp media id, Twilio MediaUrl). */
  providerRef?: string;
  /** pending: the fetch-media worker has not stored it yet; failed: it could not (reason given). */
  status?: 'pending' | 'stored' | 'failed';
  failureReason?: string;
  /** Location attachments. */
  latitude?: number;
  longitude?: number;
  caption?: string;
}

export interface TemplateRef {
  name: string;
  language: string;
  parameters: string[];
}

/**
 * Anything in a conversation's timeline. Outbound kinds (reply, ai, auto_response) carry a
 * delivery state that only moves forward. Inbound ones carry the provider's id, unique per provider.
 */
const MessageSchema = defineEntity({
  name: 'Message',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    seq: p.integer(),
    kind: p.enum(['inbound', 'reply', 'note', 'ai', 'auto_response', 'system', 'ai_draft'] as const),
    /** An AI draft (R36): waiting for a person, sent by one (as their reply), discarded, or dropped. */
    draftState: p.enum(['pending', 'sent', 'discarded', 'dropped'] as const).nullable(),
    text: p.text().nullable(),
    attachments: p.json<Attachment[]>().default('[]'),
    template: p.json<TemplateRef>().nullable(),
    /** The user who wrote a reply or note; null for customer, AI, auto-response and system messages. */
    author: () => p.manyToOne(User).nullable(),
    channel: p.string().nullable(),
    endpoint: () => p.manyToOne(ChannelEndpoint).nullable().deleteRule('set null'),
    provider: p.string().nullable(),
    providerMessageId: p.string().nullable(),
    /** Where a user wrote it on a chat surface (`slack:<channel>:<ts>`): a replayed event finds it taken. */
    sourceRef: p.string().nullable(),
    deliveryState: p.enum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed'] as const).nullable(),
    deliveryReason: p.text().nullable(),
    deliveryAttempts: p.integer().default(0),
    /** When the next delivery attempt is due (reconciler) or until when the current one holds its claim. */
    deliveryDueAt: p.datetime().nullable(),
    deliveryUpdatedAt: p.datetime().nullable(),
    /** Inbound messages still waiting for a human (or AI) reply (R11). */
    awaitingReply: p.boolean().default(false),
    /** Channel-specific facts: SMS segments, opt-out keyword, AI handoff flag, system action... */
    meta: p.json<Record<string, unknown>>().default('{}'),
    createdAt: createdAt(),
  },
  uniques: [
    { properties: ['conversation', 'seq'] },
    { properties: ['provider', 'providerMessageId'], where: 'provider_message_id is not null' },
    { properties: ['sourceRef'], where: 'source_ref is not null' },
  ],
  indexes: [
    // The reconciler's and deliver worker's view of outbound work not done yet.
    {
      name: 'message_delivery_due_idx',
      expression:
        'create index "message_delivery_due_idx" on "message" ("delivery_due_at") where "delivery_state" in (\'queued\', \'sending\')',
    },
    // The reconciler's view of inbound attachments still at the provider.
    {
      name: 'message_pending_media_idx',
      expression:
        'create index "message_pending_media_idx" on "message" ("created_at") where "kind" = \'inbound\' and "attachments" @> \'[{"status": "pending"}]\'::jsonb',
    },
    // Lists behind the "unreplied" tiles.
    {
      name: 'message_awaiting_reply_idx',
      expression:
        'create index "message_awaiting_reply_idx" on "message" ("conversation_id", "created_at") where "awaiting_reply"',
    },
    // Text search (R10).
    {
      name: 'message_text_fts',
      expression:
        'create index "message_text_fts" on "message" using gin (to_tsvector(\'simple\', coalesce("text", \'\')))',
    },
  ],
});
export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
