import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { type ConversationListItem, type ListQuery, listConversations } from './conversation-list.ts';
import type { Page } from './page.ts';

export type MyInboxQuery = Omit<ListQuery, 'assigneeId' | 'unassigned'>;

/**
 * R9: the viewer's to-do list — conversations assigned to the viewer (open by default), plus
 * the viewer's internal chats (R25). Other R10 filters narrow it further.
 */
export function myInbox(
  em: EntityManager,
  viewer: Viewer,
  query: MyInboxQuery = {},
): Promise<Page<ConversationListItem>> {
  return listConversations(em, viewer, query, { internalChats: true, assignedToViewer: true });
}
