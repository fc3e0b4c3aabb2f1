import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { type ConversationListItem, type ListQuery, listConversations } from './conversation-list.ts';
import type { Page } from './page.ts';

/**
 * R10: search and filter over the customer conversations the viewer may see (R17): status (open
 * by default, `closed`, `all`), assignee, unassigned, channel, contact (id or name), text (any
 * message or note), unread (for the viewer), unreplied. Filters combine.
 */
export function searchConversations(
  em: EntityManager,
  viewer: Viewer,
  query: ListQuery = {},
): Promise<Page<ConversationListItem>> {
  return listConversations(em, viewer, query, { internalChats: false });
}
