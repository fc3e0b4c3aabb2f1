import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';

/** One organisation running Parley. Conversation numbers (#1042) are unique within it. */
const AccountSchema = defineEntity({
  name: 'Account',
  properties: {
    id: id(),
    name: p.string(),
    /** Next human conversation number; taken with an atomic UPDATE ... RETURNING. */
    nextConversationNumber: p.integer().default(1001),
    createdAt: createdAt(),
  },
});
export class Account extends AccountSchema.class {}
AccountSchema.setClass(Account);
