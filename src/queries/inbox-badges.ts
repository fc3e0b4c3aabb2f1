import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { one, sql } from './sql.ts';
import { tileCondition } from './tile-conditions.ts';
import { scopeGroups, unreadFor, visibleConversations } from './viewer-scope.ts';

/** R13: the counts next to an inbox, unreplied first; unread never outranks it. */
export interface InboxBadge {
  /** Unreplied customer messages (the prominent figure). */
  unreplied: number;
  /** Open conversations with messages the viewer has not read (R12). */
  unread: number;
}

export interface InboxBadges {
  teamInbox: InboxBadge;
  myInbox: InboxBadge;
}

export function inboxBadgesSql(viewer: Viewer, opts: { groupId?: string } = {}) {
  const visible = visibleConversations(viewer, scopeGroups(viewer, opts.groupId));
  const mine = sql`c.assignee_ids @> array[${viewer.id}]::text[]`;
  return sql`select
    (select coalesce(sum(c.unreplied_count), 0)::int from conversation c
      where ${visible} and ${tileCondition(viewer, 'unreplied')}) as "teamUnreplied",
    (select count(*)::int from conversation c
      where ${visible} and c.status = 'open' and ${unreadFor(viewer)}) as "teamUnread",
    (select coalesce(sum(c.unreplied_count), 0)::int from conversation c
      where ${visible} and ${tileCondition(viewer, 'myUnreplied')}) as "myUnreplied",
    (select count(*)::int from conversation c
      where ${visible} and c.status = 'open' and ${mine} and ${unreadFor(viewer)}) as "myUnread"`;
}

/** R9/R12/R13: the figures shown next to the Team inbox and My inbox. */
export async function inboxBadges(
  em: EntityManager,
  viewer: Viewer,
  opts: { groupId?: string } = {},
): Promise<InboxBadges> {
  const r = await one<Record<'teamUnreplied' | 'teamUnread' | 'myUnreplied' | 'myUnread', number>>(
    em,
    inboxBadgesSql(viewer, opts),
  );
  return {
    teamInbox: { unreplied: r?.teamUnreplied ?? 0, unread: r?.teamUnread ?? 0 },
    myInbox: { unreplied: r?.myUnreplied ?? 0, unread: r?.myUnread ?? 0 },
  };
}
