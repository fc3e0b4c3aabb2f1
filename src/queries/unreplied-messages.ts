import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { decodeCursor, keysetAfter, type Page, type PageRequest, pageSize, toPage } from './page.ts';
import { rows, type Sql, sql } from './sql.ts';
import { tileCondition } from './tile-conditions.ts';
import { scopeGroups, visibleConversations } from './viewer-scope.ts';

/** One customer message still waiting for a reply (R11), as the unreplied tiles list them. */
export interface UnrepliedMessageItem {
  messageId: string;
  conversationId: string;
  conversationNumber: number;
  contactName: string | null;
  channel: string | null;
  text: string | null;
  attachmentCount: number;
  waitingSince: Date;
}

export interface UnrepliedQuery extends PageRequest {
  groupId?: string;
  /** "My unreplied messages": only conversations assigned to the viewer. */
  assignedToViewer?: boolean;
}

interface Row extends Omit<UnrepliedMessageItem, 'waitingSince'> {
  id: string;
  waitingSince: Date;
  cursorAt: string;
}

/**
 * R26: the unreplied messages behind the tiles, longest waiting first. Driven by the open
 * conversations with unreplied messages (partial index conversation_unreplied_idx), then their
 * waiting messages (partial index message_awaiting_reply_idx): never a scan of all messages.
 */
export function unrepliedMessagesSql(viewer: Viewer, query: UnrepliedQuery): { sql: Sql; limit: number } {
  const limit = pageSize(query.limit);
  const groups = scopeGroups(viewer, query.groupId);
  const after = decodeCursor(query.cursor);
  const tile = tileCondition(viewer, query.assignedToViewer ? 'myUnreplied' : 'unreplied');
  return {
    limit,
    sql: sql`select m.id, m.id as "messageId", c.id as "conversationId", c.number as "conversationNumber",
        ct.name as "contactName", m.channel, m.text, jsonb_array_length(m.attachments) as "attachmentCount",
        m.created_at as "waitingSince",
        to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"
      from conversation c
      join message m on m.conversation_id = c.id and m.awaiting_reply
      join contact ct on ct.id = c.contact_id
      where ${visibleConversations(viewer, groups)} and ${tile}
        and ${keysetAfter(after, sql`m.created_at`, sql`m.id`)}
      order by m.created_at asc, m.id asc
      limit ${limit + 1}`,
  };
}

export async function unrepliedMessages(
  em: EntityManager,
  viewer: Viewer,
  query: UnrepliedQuery = {},
): Promise<Page<UnrepliedMessageItem>> {
  const { sql: q, limit } = unrepliedMessagesSql(viewer, query);
  return toPage(await rows<Row>(em, q), limit, ({ id: _id, cursorAt: _c, ...row }) => ({
    ...row,
    waitingSince: new Date(row.waitingSince),
  }));
}
