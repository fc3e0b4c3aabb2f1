import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';

/** A human team member. `groupIds` are the groups the user belongs to. */
const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    name: p.string(),
    email: p.string(),
    role: p.enum(['admin', 'agent'] as const),
    groupIds: p.array().default([]),
    slackUserId: p.string().nullable(),
    teamsUserId: p.string().nullable(),
    active: p.boolean().default(true),
    /**
     * Set when the user's access changed (left a group, deactivated, role or chat identity changed,
     * R34/R35): their dashboards must be redrawn even if they have not looked lately. The home job
     * clears it; the reconciler wakes one for any left set.
     */
    accessChangedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  uniques: [
    { properties: ['account', 'email'] },
    { properties: ['slackUserId'], where: 'slack_user_id is not null' },
    { properties: ['teamsUserId'], where: 'teams_user_id is not null' },
  ],
  indexes: [
    {
      name: 'users_group_ids_gin',
      expression: 'create index "users_group_ids_gin" on "users" using gin ("group_ids")',
    },
  ],
});
export class User extends UserSchema.class {}
UserSchema.setClass(User);
