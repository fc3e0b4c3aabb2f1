import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { User } from './user.entity.ts';

/**
 * R25: a private chat between two users, or a user with themselves (userA = userB).
 * userA's id always sorts before or equal to userB's, so one pair has one chat.
 */
const InternalChatSchema = defineEntity({
  name: 'InternalChat',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    userA: () => p.manyToOne(User),
    userB: () => p.manyToOne(User),
    lastSeq: p.integer().default(0),
    /** R12 for internal chats: how far each of the two users has read. */
    readSeqA: p.integer().default(0),
    readSeqB: p.integer().default(0),
    lastMessageAt: p.datetime().onCreate(() => new Date()),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['userA', 'userB'] }],
  indexes: [{ properties: ['userB'] }],
});
export class InternalChat extends InternalChatSchema.class {}
InternalChatSchema.setClass(InternalChat);
