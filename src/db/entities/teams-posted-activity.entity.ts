import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';

/**
 * An activity Parley's Teams app posted for a conversation (adapters/surfaces/teams/): an item's
 * post, or the small delivery-state card under a person's own message. The Bot Connector cannot
 * list a thread's messages, so removing a thread (R31 stub, R24 deletion) deletes what is listed
 * here; a row goes once its activity is deleted. It outlives the conversation's messages (R24
 * deletes them before the mirror removes the thread), hence plain ids and no foreign keys.
 */
const TeamsPostedActivitySchema = defineEntity({
  name: 'TeamsPostedActivity',
  properties: {
    id: id(),
    /** The Teams conversation it is in: a channel post's thread (`…;messageid=<root>`) or a personal chat. */
    teamsConversation: p.text(),
    /** The Parley conversation it shows. */
    conversationId: p.uuid(),
    activityId: p.text(),
    kind: p.enum(['item', 'state'] as const),
    /** For a state card: the Parley message whose state it shows. */
    messageId: p.uuid().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'teams_posted_activity_key', properties: ['teamsConversation', 'activityId'] }],
  indexes: [
    { name: 'teams_posted_activity_thread_idx', properties: ['conversationId', 'teamsConversation'] },
  ],
});
export class TeamsPostedActivity extends TeamsPostedActivitySchema.class {}
TeamsPostedActivitySchema.setClass(TeamsPostedActivity);
