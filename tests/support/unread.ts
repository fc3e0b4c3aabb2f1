import type { EntityManager } from '@mikro-orm/postgresql';
import { type Conversation, ReadState } from '../../src/db/entities/index.ts';
import { isUnread } from '../../src/domain/unread.ts';

/**
 * R12, as a test asks it of one conversation: whether the user has messages there they have not
 * read. (The surfaces and the admin API answer it in their own list queries.)
 */
export async function isConversationUnreadFor(
  em: EntityManager,
  userId: string,
  conv: Conversation,
): Promise<boolean> {
  const state = await em.findOne(ReadState, { user: userId, conversation: conv.id });
  return isUnread(conv.lastSeq, state?.lastReadSeq);
}
