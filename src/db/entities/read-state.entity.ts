import { defineEntity, p } from '@mikro-orm/core';
import { Conversation } from './conversation.entity.ts';
import { User } from './user.entity.ts';

/** R12: how far a user has read a conversation. Unread means conversation.lastSeq > lastReadSeq. */
const ReadStateSchema = defineEntity({
  name: 'ReadState',
  properties: {
    user: () => p.manyToOne(User).primary().deleteRule('cascade'),
    conversation: () => p.manyToOne(Conversation).primary().deleteRule('cascade'),
    lastReadSeq: p.integer().default(0),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  // The webchat widget's "read" mark: how far anyone of the team has read a conversation.
  indexes: [
    { name: 'read_state_conversation_id_last_read_seq_index', properties: ['conversation', 'lastReadSeq'] },
  ],
});
export class ReadState extends ReadStateSchema.class {}
ReadStateSchema.setClass(ReadState);
