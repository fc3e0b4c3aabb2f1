import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { type ConversationListItem, type ListQuery, listConversations } from './conversation-list.ts';
import type { Page } from './page.ts';

/**
 * R9: every conversation of the viewer's groups (or `groupId`) the viewer may see, open by
 * default; assigned ones stay here. R25: the viewer's own internal chats appear as `internal`
 * (only the viewer's: internal chats are private between their two users). Filters of R10 apply.
 */
export function teamInbox(
  em: EntityManager,
  viewer: Viewer,
  query: ListQuery = {},
): Promise<Page<ConversationListItem>> {
  return listConversations(em, viewer, query, { internalChats: true });
}
