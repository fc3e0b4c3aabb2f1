import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';

/**
 * The bot's personal chat with one Teams user (adapters/surfaces/teams/personal-chats.ts): its
 * conversation id, so notices and restricted threads (R31) go there without asking Teams again,
 * and the activity of the user's dashboard card there (R26, R32), posted once and then updated in
 * place. Keyed by the user's Entra object id (User.teamsUserId), which outlives a relink (R35).
 */
const TeamsPersonalChatSchema = defineEntity({
  name: 'TeamsPersonalChat',
  properties: {
    id: id(),
    teamsUserId: p.text(),
    conversationId: p.text(),
    /** The dashboard card's activity in the chat; null until it is first posted (or after it was lost). */
    dashboardActivityId: p.text().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [{ name: 'teams_personal_chat_user_key', properties: ['teamsUserId'] }],
});
export class TeamsPersonalChat extends TeamsPersonalChatSchema.class {}
TeamsPersonalChatSchema.setClass(TeamsPersonalChat);
