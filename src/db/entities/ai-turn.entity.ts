import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id, updatedAt } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import { Group } from './group.entity.ts';
import { Message } from './message.entity.ts';

/**
 * One answer of the AI agent (R36), keyed by the customer message it answers: a unique row, so no
 * inbound message is ever answered twice, whatever Redis does. It carries the attempt count and
 * the claim of the worker thinking about it, the tokens the model spent (per message, for the
 * digest and the group's daily budget), and how it ended.
 * - thinking: a worker holds it until `claimedUntil` (a crashed worker's turn is taken over after)
 * - waiting: the model failed and the next attempt is due at `dueAt`
 * - answered / drafted / handed_off: the answer (or the handoff) is in the timeline
 * - dropped: a person replied, took over or closed meanwhile, or the customer wrote again
 */
const AiTurnSchema = defineEntity({
  name: 'AiTurn',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    group: () => p.manyToOne(Group).deleteRule('cascade'),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    /** The latest customer message of the burst this turn answers. */
    trigger: () => p.manyToOne(Message).deleteRule('cascade'),
    status: p.enum(['thinking', 'waiting', 'answered', 'drafted', 'handed_off', 'dropped'] as const),
    attempts: p.integer().default(0),
    claimedUntil: p.datetime().nullable(),
    dueAt: p.datetime().nullable(),
    model: p.string().nullable(),
    inputTokens: p.integer().default(0),
    outputTokens: p.integer().default(0),
    /** The AI message or draft it wrote. */
    answer: () => p.manyToOne(Message).nullable().deleteRule('set null'),
    /** Why it was dropped or handed off, or the last failure. */
    reason: p.text().nullable(),
    /** A handoff's notice to the assignees (or the group) has gone; null while it is due. */
    notifiedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [{ name: 'ai_turn_trigger_key', properties: ['trigger'] }],
  indexes: [
    // Turns and daily token budget: a group's turns by day; a conversation's turns.
    { properties: ['group', 'createdAt'] },
    { properties: ['conversation', 'createdAt'] },
    // The reconciler's view of turns a worker should pick up (crashed, or a retry Redis lost).
    {
      name: 'ai_turn_open_idx',
      expression:
        'create index "ai_turn_open_idx" on "ai_turn" ("updated_at") where "status" in (\'thinking\', \'waiting\') or ("status" = \'handed_off\' and "notified_at" is null)',
    },
  ],
});
export class AiTurn extends AiTurnSchema.class {}
AiTurnSchema.setClass(AiTurn);
