import { z } from '@hono/zod-openapi';
import type { ConversationListItem } from '../../queries/conversation-list.ts';
import { strictObject } from '../../setup/strict-object.ts';

/** What the conversation routes of the admin API take and return (and their OpenAPI document). */

const timestamp = z.iso.datetime();
const userRef = z.object({ id: z.uuid(), name: z.string() });

/** R33: the Parley user the call acts as; every read is what that user may see. */
export const actingUserHeaders = z.object({
  'x-parley-user': z
    .string()
    .min(1)
    .openapi({
      param: { name: 'x-parley-user', in: 'header' },
      description:
        'The Parley user this call acts as, by id or email. Their role, groups and visibility decide ' +
        'what the call may read and do, exactly as for their Slack or Teams commands (R33).',
      example: 'ana@example.com',
    }),
});

/** A conversation by its id or its number (`1042`). */
export const conversationParams = z.object({
  id: z
    .string()
    .regex(
      /^(\d{1,9}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
      'use the conversation id or its number',
    )
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'The conversation id, or its number (1042).',
    }),
});

const flag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

export const conversationListQuery = strictObject({
  status: z.enum(['open', 'closed', 'all']).optional().openapi({ description: 'Open by default (R10).' }),
  groupId: z.uuid().optional().openapi({ description: "One of the acting user's groups; all by default." }),
  assignee: z
    .string()
    .regex(
      /^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i,
      'use a user id, me or none',
    )
    .optional()
    .openapi({ description: 'A user id, `me` (the acting user) or `none` (unassigned).' }),
  unreplied: flag.openapi({
    description: 'Only conversations with (true) or without (false) unreplied messages.',
  }),
  unread: flag.openapi({ description: 'Unread for the acting user (R12).' }),
  channel: z.string().min(1).max(32).optional().openapi({ description: 'webchat, whatsapp, sms…' }),
  contactId: z.uuid().optional(),
  words: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .openapi({ description: 'Words in any message or note, each matched as a prefix.' }),
  cursor: z.string().optional().openapi({ description: 'The previous page’s nextCursor.' }),
  limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: '25 by default.' }),
});

export const conversationListItem = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    status: z.enum(['open', 'closed']),
    channel: z.string(),
    groupId: z.uuid(),
    contactName: z.string().nullable(),
    assigneeIds: z.array(z.uuid()),
    restricted: z.boolean(),
    unrepliedCount: z.number().int(),
    unread: z.boolean(),
    lastMessageAt: timestamp,
    preview: z.string().nullable(),
    previewKind: z.string().nullable(),
  })
  .openapi('ConversationListItem');

export const toListItem = (i: ConversationListItem) => ({
  id: i.id,
  number: i.number ?? 0,
  status: i.status,
  channel: i.channel,
  groupId: i.groupId ?? '',
  contactName: i.contactName,
  assigneeIds: i.assigneeIds,
  restricted: i.restricted,
  unrepliedCount: i.unrepliedCount,
  unread: i.unread,
  lastMessageAt: i.lastMessageAt.toISOString(),
  preview: i.preview,
  previewKind: i.previewKind,
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as cursor for the next page; null on the last.' }),
  });

const attachmentView = z
  .object({
    id: z.string(),
    kind: z.string(),
    name: z.string().nullable(),
    mimeType: z.string().nullable(),
    size: z.number().int().nullable(),
    status: z.enum(['pending', 'stored', 'failed']).nullable(),
    failureReason: z.string().nullable(),
    url: z.string().nullable().openapi({
      description: 'A signed link to the file, valid for an hour; null until the file is stored.',
    }),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    caption: z.string().nullable(),
  })
  .openapi('Attachment');

const messageView = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    kind: z.string().openapi({ description: 'inbound, reply, ai, auto_response, note, system…' }),
    note: z.boolean().openapi({ description: 'A private note (R5): never reaches the contact.' }),
    system: z.boolean().openapi({ description: 'A line Parley wrote (assigned, closed, restricted…).' }),
    author: userRef.nullable(),
    text: z.string().nullable(),
    attachments: z.array(attachmentView),
    templateName: z.string().nullable(),
    channel: z.string().nullable(),
    deliveryState: z.string().nullable(),
    deliveryReason: z.string().nullable(),
    awaitingReply: z.boolean(),
    aiHandoff: z.boolean(),
    createdAt: timestamp,
  })
  .openapi('Message');

const lineItem = z.object({ description: z.string(), quantity: z.number(), unitAmountMinor: z.number() });

const invoiceView = z
  .object({
    id: z.uuid(),
    reference: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    items: z.array(lineItem),
    status: z.enum(['unpaid', 'paid', 'void']),
    payLink: z.string().nullable(),
    dueDate: z.string().nullable(),
    paidAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .openapi('ConversationInvoice');

const checkoutView = z
  .object({
    id: z.uuid(),
    amountMinor: z.number().int(),
    currency: z.string(),
    items: z.array(lineItem),
    status: z.enum(['pending', 'paid', 'expired', 'cancelled']),
    payLink: z.string().nullable(),
    paidAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .openapi('ConversationCheckout');

export const conversationDetailView = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    status: z.enum(['open', 'closed']),
    groupId: z.uuid(),
    channel: z.string(),
    contact: z.object({
      id: z.uuid(),
      name: z.string().nullable(),
      identities: z.array(z.object({ channel: z.string(), address: z.string(), identified: z.boolean() })),
    }),
    assignees: z.array(userRef),
    visibleTo: z
      .array(userRef)
      .nullable()
      .openapi({ description: 'R17: null when the whole group sees it.' }),
    restricted: z.boolean(),
    aiState: z.enum(['off', 'active', 'handed_off']),
    unrepliedCount: z.number().int(),
    oldestUnrepliedAt: timestamp.nullable(),
    unread: z.boolean(),
    messages: z.array(messageView),
    hasEarlier: z.boolean().openapi({ description: 'Older messages exist: ask again with beforeSeq.' }),
    invoices: z.array(invoiceView),
    checkouts: z.array(checkoutView),
  })
  .openapi('ConversationDetail');

export const detailQuery = strictObject({
  beforeSeq: z.coerce.number().int().min(1).optional().openapi({ description: 'Messages before this seq.' }),
  limit: z.coerce.number().int().min(1).max(500).optional().openapi({ description: '100 by default.' }),
});
