import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id, updatedAt } from './common.ts';
import { User } from './user.entity.ts';

/**
 * R40: a saved reply: team-wide (no owner, admins manage it) or one user's own. Its text may hold
 * placeholders (`{contact.firstName}`, `{agent.name}`…) filled in when it is sent as a reply.
 */
const SavedReplySchema = defineEntity({
  name: 'SavedReply',
  tableName: 'saved_reply',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    /** null: the whole team's; otherwise only this user sees and sends it. */
    owner: () => p.manyToOne(User).nullable().deleteRule('cascade'),
    name: p.string(),
    text: p.text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // One name per owner (the team counts as one), whatever its case. An expression index, as for
  // groups' names: MikroORM would otherwise take it for a constraint.
  indexes: [
    {
      name: 'saved_reply_owner_lower_name_unique',
      expression:
        'create unique index "saved_reply_owner_lower_name_unique" on "saved_reply" ("account_id", coalesce("owner_id"::text, \'\'), lower("name"))',
    },
  ],
});
export class SavedReply extends SavedReplySchema.class {}
SavedReplySchema.setClass(SavedReply);
