import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';

export interface AiAgentSettings {
  enabled: boolean;
  name?: string;
  instructions?: string;
  model?: string;
}

/** A team inside an account: it owns channel endpoints and users and has one Team inbox. */
const GroupSchema = defineEntity({
  name: 'Group',
  tableName: 'groups',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    name: p.string(),
    slackChannelId: p.string().nullable(),
    teamsTeamId: p.string().nullable(),
    teamsChannelId: p.string().nullable(),
    aiAgent: p.json<AiAgentSettings>().nullable(),
    /** Cron expression (UTC) for the dashboard digest (R27); null means no digest. */
    digestCron: p.string().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['account', 'name'] }],
});
export class Group extends GroupSchema.class {}
GroupSchema.setClass(Group);
