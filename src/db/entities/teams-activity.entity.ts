import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';

/**
 * A Teams activity Parley has taken (adapters/surfaces/teams/activity-claims.ts). Teams sends an
 * activity again when the answer took longer than about 15 s, and sometimes twice anyway: the
 * unique key lets exactly one delivery run the handlers. Teams numbers activities per
 * conversation (a channel message's id is a timestamp), so the key is the pair. Rows older than a
 * day are pruned: Teams retries within minutes.
 */
const TeamsActivitySchema = defineEntity({
  name: 'TeamsActivity',
  properties: {
    id: id(),
    activityId: p.text(),
    conversationId: p.text(),
    /** The activity's type (`message`, `invoke`...), for reading the table. */
    type: p.string(),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'teams_activity_key', properties: ['activityId', 'conversationId'] }],
  indexes: [{ name: 'teams_activity_created_at_idx', properties: ['createdAt'] }],
});
export class TeamsActivity extends TeamsActivitySchema.class {}
TeamsActivitySchema.setClass(TeamsActivity);
