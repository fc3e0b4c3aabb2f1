import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Conversation } from './conversation.entity.ts';
import { Group } from './group.entity.ts';

/**
 * R42: the one rating request of a conversation. Created when a conversation of a group with
 * `csat: on` is first closed (so a reopen and a second close never ask again), then asked or
 * skipped by the csat job, then answered by the customer.
 */
const CsatSurveySchema = defineEntity({
  name: 'CsatSurvey',
  tableName: 'csat_survey',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade').unique(),
    /** The group at close: the summaries count it there even if the conversation moves later. */
    group: () => p.manyToOne(Group).deleteRule('cascade'),
    /** Who was assigned at close (R42's "agent"); each of them is credited with the rating. */
    agentIds: p.array().default([]),
    /** due: the csat job has not run yet; asked: sent; skipped: not sent (reason); answered: rated. */
    state: p.enum(['due', 'asked', 'skipped', 'answered'] as const).default('due'),
    /** Why it was skipped (opted out, WhatsApp window closed...). */
    reason: p.text().nullable(),
    channel: p.string(),
    /** The survey message sent to the customer (an automatic reply in the conversation). */
    messageId: p.uuid().nullable(),
    rating: p.smallint().nullable(),
    comment: p.text().nullable(),
    closedAt: p.datetime(),
    askedAt: p.datetime().nullable(),
    answeredAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  indexes: [
    // The reconciler's view of surveys whose job was lost.
    {
      name: 'csat_survey_due_idx',
      expression: 'create index "csat_survey_due_idx" on "csat_survey" ("closed_at") where "state" = \'due\'',
    },
    // Summaries over a period (dashboards, digests, the admin API): conversations closed since.
    { properties: ['closedAt'] },
  ],
});
export class CsatSurvey extends CsatSurveySchema.class {}
CsatSurveySchema.setClass(CsatSurvey);
