import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { pageCandidates } from './conversation-candidates.ts';
import {
  type ConversationFilters,
  narrowsToCustomerConversations,
  type ParsedFilters,
  parseFilters,
} from './conversation-filters.ts';
import { internalChatBranch } from './internal-chat-items.ts';
import { decodeCursor, type Page, type PageRequest, type Position, pageSize, toPage } from './page.ts';
import { rows, type Sql, sql } from './sql.ts';
import { scopeGroups, unreadFor } from './viewer-scope.ts';

/** One row of an inbox or search result (R9, R10), as every surface draws it. */
export interface ConversationListItem {
  id: string;
  /** The human number (#1042); null for internal chats. */
  number: number | null;
  /** R25: internal chats are listed beside customer conversations, marked as internal. */
  kind: 'conversation' | 'internal';
  status: 'open' | 'closed';
  /** The customer channel, or 'internal'. */
  channel: string;
  groupId: string | null;
  /** The contact, or for an internal chat the other participant (yourself for a self-chat). */
  contactName: string | null;
  assigneeIds: string[];
  /** R17: visible to a list of users rather than the whole group. */
  restricted: boolean;
  unrepliedCount: number;
  /** R12/R13: drawn in bold. */
  unread: boolean;
  lastMessageAt: Date;
  /** Latest customer message, reply, AI message or note; system lines are left out. */
  preview: string | null;
  previewKind: string | null;
}

/** A fetched row: the item plus the exact time text its cursor is made of. */
export type ListRow = ConversationListItem & { cursorAt: string };

export type ListQuery = ConversationFilters & PageRequest;

export interface ListScope {
  /** R25: list the viewer's internal chats too (unless a filter only customer conversations have is set). */
  internalChats: boolean;
  /** R9 My inbox: only conversations assigned to the viewer. */
  assignedToViewer?: boolean;
}

const toItem = ({ cursorAt: _c, ...row }: ListRow): ConversationListItem => ({
  ...row,
  lastMessageAt: new Date(row.lastMessageAt),
});

/**
 * The page of visible conversations matching the filters, newest activity first (the rows come
 * from pageCandidates). Only the page's rows get a contact name (primary key lookup), a preview (a
 * backwards index step on message (conversation_id, seq)) and a read mark (primary key lookup).
 */
export function conversationBranch(
  viewer: Viewer,
  filters: ParsedFilters,
  after: Position | null,
  limit: number,
): Sql {
  const candidates = pageCandidates(viewer, scopeGroups(viewer, filters.groupId), filters, after, limit);
  return sql`select p.*, lm.text as "preview", lm.kind as "previewKind" from (
      select c.id, c.number, 'conversation' as "kind", c.status, c.channel, c.group_id as "groupId",
        ct.name as "contactName", c.assignee_ids as "assigneeIds", (c.visible_to_ids is not null) as "restricted",
        c.unreplied_count as "unrepliedCount", (${unreadFor(viewer)}) as "unread",
        c.last_message_at as "lastMessageAt",
        to_char(c.last_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"
      from (${candidates}) c join contact ct on ct.id = c.contact_id
    ) p
    left join lateral (
      select m.text, m.kind from message m
      where m.conversation_id = p.id and m.kind <> 'system'
      order by m.seq desc limit 1
    ) lm on true`;
}

/** Builds the SQL of a list (exported so tests can EXPLAIN exactly what runs). */
export function listSql(viewer: Viewer, query: ListQuery, scope: ListScope): { sql: Sql; limit: number } {
  const limit = pageSize(query.limit);
  const asked = parseFilters(query);
  const filters = scope.assignedToViewer ? { ...asked, assigneeId: viewer.id, unassigned: undefined } : asked;
  const after = decodeCursor(query.cursor);
  const branches = [conversationBranch(viewer, filters, after, limit)];
  if (scope.internalChats && !narrowsToCustomerConversations(asked)) {
    branches.push(internalChatBranch(viewer, after, limit));
  }
  const union = branches.map((b) => sql`(${b})`).reduce((a, b) => sql`${a} union all ${b}`);
  return {
    limit,
    sql: sql`select * from (${union}) u order by u."lastMessageAt" desc, u.id desc limit ${limit + 1}`,
  };
}

export async function listConversations(
  em: EntityManager,
  viewer: Viewer,
  query: ListQuery,
  scope: ListScope,
): Promise<Page<ConversationListItem>> {
  const { sql: q, limit } = listSql(viewer, query, scope);
  return toPage(await rows<ListRow>(em, q), limit, toItem);
}
