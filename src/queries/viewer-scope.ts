import type { Viewer } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { type Sql, sql } from './sql.ts';

/**
 * R17/R33 in SQL: the conversations (alias `c`) a viewer may see — in the viewer's account, in one
 * of the viewer's groups, not deleted, and either open to the whole group or listing the viewer;
 * an admin also sees those whose list emptied (R34). The same rule as `canSee` in the domain.
 * Every list, count and search in src/queries starts from this condition.
 */
export function visibleConversations(viewer: Viewer, groupIds: readonly string[]): Sql {
  if (groupIds.length === 0) return sql`false`;
  const emptyListForAdmins = viewer.role === 'admin' ? sql` or c.visible_to_ids = '{}'::text[]` : sql``;
  return sql`c.account_id = ${viewer.accountId}
    and c.group_id in (${groupIds})
    and c.status <> 'deleted'
    and (c.visible_to_ids is null or c.visible_to_ids @> array[${viewer.id}]::text[]${emptyListForAdmins})`;
}

/**
 * The groups a query covers: the one asked for (the viewer must be in it), or all the viewer's.
 * An empty result means the viewer is in no group and sees no conversation.
 */
export function scopeGroups(viewer: Viewer, groupId?: string): string[] {
  if (groupId === undefined) return [...viewer.groupIds];
  if (!viewer.groupIds.includes(groupId)) {
    throw new AppError('forbidden', 'You are not a member of that group. Ask an admin to add you to it.', {
      rule: 'R33',
      groupId,
    });
  }
  return [groupId];
}

/** R12: the conversation has messages numbered after the viewer's read mark. */
export const unreadFor = (viewer: Viewer): Sql =>
  sql`c.last_seq > coalesce((select rs.last_read_seq from read_state rs
    where rs.user_id = ${viewer.id} and rs.conversation_id = c.id), 0)`;
