import type { Viewer } from '../domain/actor.ts';
import { keysetBefore, type Position } from './page.ts';
import { type Sql, sql } from './sql.ts';

/**
 * R25: the viewer's internal chats as list rows, in the same columns as conversations so one
 * union orders both. Internal chats are private between their two users, so only chats the viewer
 * takes part in are ever listed (in the Team inbox too). Unread (R12) compares the chat's last
 * message with the viewer's own read mark.
 */
export function internalChatBranch(viewer: Viewer, after: Position | null, limit: number): Sql {
  const keyset = keysetBefore(after, sql`ic.last_message_at`, sql`ic.id`);
  return sql`select p.*, lm.text as "preview", lm.kind as "previewKind" from (
      select ic.id, null::int as "number", 'internal' as "kind", 'open' as "status", 'internal' as "channel",
        null::uuid as "groupId", other.name as "contactName", '{}'::text[] as "assigneeIds", false as "restricted",
        0 as "unrepliedCount",
        (case when ic.user_a_id = ${viewer.id} then ic.last_seq > ic.read_seq_a
              else ic.last_seq > ic.read_seq_b end) as "unread", ic.last_message_at as "lastMessageAt",
        to_char(ic.last_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"
      from internal_chat ic
      join users other on other.id = (case when ic.user_a_id = ${viewer.id} then ic.user_b_id else ic.user_a_id end)
      where ic.account_id = ${viewer.accountId}
        and (ic.user_a_id = ${viewer.id} or ic.user_b_id = ${viewer.id})
        and ${keyset}
      order by ic.last_message_at desc, ic.id desc
      limit ${limit + 1}
    ) p
    left join lateral (
      select im.text, im.kind from internal_message im where im.chat_id = p.id order by im.seq desc limit 1
    ) lm on true`;
}
