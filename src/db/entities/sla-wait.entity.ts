import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import { Group } from './group.entity.ts';

/**
 * R39: one stretch of a customer waiting for a person, in a group with SLA targets: from the
 * first message no person answered until a person's reply (or the close). Its due and warning
 * times are computed in the group's business hours when it starts (and again when the targets
 * change); the figures (first-response time, breach rate) are read from these rows.
 */
const SlaWaitSchema = defineEntity({
  name: 'SlaWait',
  tableName: 'sla_wait',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    group: () => p.manyToOne(Group),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    /** `first`: nobody had replied in the conversation yet; `next`: a person had. */
    kind: p.enum(['first', 'next'] as const),
    startedAt: p.datetime(),
    /** null when the group has no target for this kind of wait (it is still timed for the figures). */
    dueAt: p.datetime().nullable(),
    warnAt: p.datetime().nullable(),
    warnedAt: p.datetime().nullable(),
    breachedAt: p.datetime().nullable(),
    endedAt: p.datetime().nullable(),
    endedBy: p.enum(['reply', 'close'] as const).nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['conversation', 'startedAt'] }],
  indexes: [
    // The sweep: waits still running whose warning or due time has come.
    {
      name: 'sla_wait_running_idx',
      expression: 'create index "sla_wait_running_idx" on "sla_wait" ("due_at") where "ended_at" is null',
    },
    // The figures: a group's waits by start.
    { properties: ['group', 'startedAt'] },
  ],
});
export class SlaWait extends SlaWaitSchema.class {}
SlaWaitSchema.setClass(SlaWait);
