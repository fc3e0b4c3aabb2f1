import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { ChannelEndpoint } from './channel-endpoint.entity.ts';
import { createdAt, id, updatedAt } from './common.ts';
import { Contact } from './contact.entity.ts';
import { Group } from './group.entity.ts';

/**
 * One customer conversation. Counters (`lastSeq`, `unrepliedCount`) are maintained by the
 * use-cases in the same transaction as the messages, so inboxes and tiles never scan messages.
 */
const ConversationSchema = defineEntity({
  name: 'Conversation',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    group: () => p.manyToOne(Group),
    /** Human number (#1042), unique in the account. */
    number: p.integer(),
    contact: () => p.manyToOne(Contact),
    status: p.enum(['open', 'closed', 'deleted'] as const).default('open'),
    assigneeIds: p.array().default([]),
    /** R17: null means visible to the whole group; otherwise only these users see it. */
    visibleToIds: p.array().nullable(),
    aiState: p.enum(['off', 'active', 'handed_off'] as const).default('off'),
    aiHandoffAt: p.datetime().nullable(),
    /** R37: the auto responder has looked at the customer's messages up to this time. */
    autoCheckedAt: p.datetime().nullable(),
    /** Channel and endpoint replies go out on (R3: the customer's latest inbound message). */
    channel: p.string(),
    endpoint: () => p.manyToOne(ChannelEndpoint).nullable(),
    lastInboundAt: p.datetime().nullable(),
    lastMessageAt: p.datetime().onCreate(() => new Date()),
    /** Sequence number of the latest message; messages are numbered 1, 2, 3... per conversation. */
    lastSeq: p.integer().default(0),
    unrepliedCount: p.integer().default(0),
    oldestUnrepliedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
    /**
     * R39: the oldest customer message no person has answered yet. Unlike `oldestUnrepliedAt`, an
     * AI answer does not clear it: the SLA clock waits for a person.
     */
    humanWaitingSince: p.datetime().nullable(),
    /** R39: the running wait passed its target (flagged in the header and the "breaching" tile). */
    slaBreachedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [
    { properties: ['account', 'number'] },
    // R2/R22/R23: a contact has at most one open conversation per group, even under concurrent inbound.
    { name: 'conversation_one_open_per_contact', properties: ['contact', 'group'], where: "status = 'open'" },
  ],
  indexes: [
    // Lists (Team inbox, search): a group's conversations by status, newest activity first, in the
    // exact page order (id breaks ties), so one backward walk per group and status fills a page.
    { properties: ['group', 'status', 'lastMessageAt', 'id'] },
    // R2/R22: the contact's open conversation in a group.
    { properties: ['contact', 'group', 'status'] },
    // My inbox and the "assigned to me" tiles: GIN on the assignee lists of open conversations, so a
    // user's closed history never adds to the count's cost.
    {
      name: 'conversation_open_assignee_ids_gin',
      expression:
        'create index "conversation_open_assignee_ids_gin" on "conversation" using gin ("assignee_ids") where "status" = \'open\'',
    },
    {
      name: 'conversation_visible_to_ids_gin',
      expression:
        'create index "conversation_visible_to_ids_gin" on "conversation" using gin ("visible_to_ids")',
    },
    // Tiles: open conversations with unreplied messages, per group. It carries every column the
    // tiles read (R17 visibility, assignees, the count), so they count from the index alone.
    {
      name: 'conversation_unreplied_idx',
      expression:
        'create index "conversation_unreplied_idx" on "conversation" ("group_id", "oldest_unreplied_at") include ("account_id", "unreplied_count", "visible_to_ids", "assignee_ids") where "status" = \'open\' and "unreplied_count" > 0',
    },
    // Tiles: open conversations nobody is assigned to, per group; covering, like the one above.
    {
      name: 'conversation_unassigned_idx',
      expression:
        'create index "conversation_unassigned_idx" on "conversation" ("group_id", "last_message_at") include ("account_id", "visible_to_ids") where "status" = \'open\' and "assignee_ids" = \'{}\'',
    },
    // The "breaching" tile (R39): few rows, so a partial index keeps it off the table.
    {
      name: 'conversation_sla_breached_idx',
      expression:
        'create index "conversation_sla_breached_idx" on "conversation" ("group_id") include ("account_id", "visible_to_ids", "assignee_ids") where "status" = \'open\' and "sla_breached_at" is not null',
    },
  ],
});
export class Conversation extends ConversationSchema.class {}
ConversationSchema.setClass(Conversation);
