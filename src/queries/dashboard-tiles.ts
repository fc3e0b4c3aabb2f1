import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { type ConversationListItem, listConversations } from './conversation-list.ts';
import type { Page, PageRequest } from './page.ts';
import { one, sql } from './sql.ts';
import { assignedTo, type TileKey, tileCondition } from './tile-conditions.ts';
import { type UnrepliedMessageItem, unrepliedMessages } from './unreplied-messages.ts';
import { scopeGroups, visibleConversations } from './viewer-scope.ts';

export type { TileKey } from './tile-conditions.ts';

export interface Tile {
  key: TileKey;
  label: string;
  count: number;
  /** R26: the viewer's own figures, or the group's (seen by all its admins and agents). */
  scope: 'me' | 'group';
  unit: 'conversations' | 'messages';
  /** R13: unreplied figures are drawn more prominently than the others. */
  prominence: 'primary' | 'secondary';
}

export interface DashboardTiles {
  assignedToMe: number;
  myUnreplied: number;
  unassigned: number;
  unreplied: number;
  /** R39: open conversations past their SLA target (0 in groups without targets). */
  breaching: number;
  /** The tiles in display order: each scope's unreplied figure first; "breaching" only where a group has SLA targets. */
  tiles: Tile[];
}

const TILE_DISPLAY: readonly Omit<Tile, 'count'>[] = [
  {
    key: 'myUnreplied',
    label: 'My unreplied messages',
    scope: 'me',
    unit: 'messages',
    prominence: 'primary',
  },
  {
    key: 'assignedToMe',
    label: 'Assigned to me',
    scope: 'me',
    unit: 'conversations',
    prominence: 'secondary',
  },
  { key: 'unreplied', label: 'Unreplied messages', scope: 'group', unit: 'messages', prominence: 'primary' },
  {
    key: 'unassigned',
    label: 'Unassigned conversations',
    scope: 'group',
    unit: 'conversations',
    prominence: 'secondary',
  },
  {
    key: 'breaching',
    label: 'Breaching SLA',
    scope: 'group',
    unit: 'conversations',
    prominence: 'primary',
  },
];

/**
 * R26: the four figures, from conversation counters only (`unreplied_count`, `assignee_ids`), in
 * three index scans, none reading a message row: the viewer's open conversations (assignee GIN),
 * the unassigned ones and the unreplied ones (covering partial indexes: no table row read either).
 * "My unreplied" is the unreplied scan's rows assigned to the viewer: tileCondition('myUnreplied')
 * is tileCondition('unreplied') and assignedTo. Leaves out conversations the viewer may not see (R17).
 */
export function dashboardTilesSql(viewer: Viewer, opts: { groupId?: string } = {}) {
  const visible = visibleConversations(viewer, scopeGroups(viewer, opts.groupId));
  const count = (tile: TileKey) =>
    sql`(select count(*)::int from conversation c where ${visible} and ${tileCondition(viewer, tile)})`;
  const groups = scopeGroups(viewer, opts.groupId);
  const slaOn = groups.length
    ? sql`exists (select 1 from groups g where g.id in (${groups}) and g.sla is not null)`
    : sql`false`;
  return sql`select ${count('assignedToMe')} as "assignedToMe", u."myUnreplied",
    ${count('unassigned')} as "unassigned", u."unreplied", ${count('breaching')} as "breaching", ${slaOn} as "slaOn"
    from (select
        coalesce(sum(c.unreplied_count) filter (where ${assignedTo(viewer)}), 0)::int as "myUnreplied",
        coalesce(sum(c.unreplied_count), 0)::int as "unreplied"
      from conversation c where ${visible} and ${tileCondition(viewer, 'unreplied')}) u`;
}

export async function dashboardTiles(
  em: EntityManager,
  viewer: Viewer,
  opts: { groupId?: string } = {},
): Promise<DashboardTiles> {
  const row = await one<Record<TileKey, number> & { slaOn: boolean }>(em, dashboardTilesSql(viewer, opts));
  const figures = {
    assignedToMe: row?.assignedToMe ?? 0,
    myUnreplied: row?.myUnreplied ?? 0,
    unassigned: row?.unassigned ?? 0,
    unreplied: row?.unreplied ?? 0,
    breaching: row?.breaching ?? 0,
  };
  const shown = TILE_DISPLAY.filter((t) => t.key !== 'breaching' || row?.slaOn);
  return { ...figures, tiles: shown.map((t) => ({ ...t, count: figures[t.key] })) };
}

export type TileList =
  | {
      tile: 'assignedToMe' | 'unassigned' | 'breaching';
      kind: 'conversations';
      page: Page<ConversationListItem>;
    }
  | { tile: 'myUnreplied' | 'unreplied'; kind: 'messages'; page: Page<UnrepliedMessageItem> };

/** R26: the list behind a tile, with the same visibility as its figure. */
export async function tileList(
  em: EntityManager,
  viewer: Viewer,
  tile: TileKey,
  page: PageRequest & { groupId?: string } = {},
): Promise<TileList> {
  switch (tile) {
    case 'assignedToMe':
      return {
        tile,
        kind: 'conversations',
        page: await listConversations(
          em,
          viewer,
          { ...page, status: 'open' },
          { internalChats: false, assignedToViewer: true },
        ),
      };
    case 'unassigned':
    case 'breaching':
      return {
        tile,
        kind: 'conversations',
        page: await listConversations(
          em,
          viewer,
          { ...page, status: 'open', [tile]: true },
          { internalChats: false },
        ),
      };
    case 'myUnreplied':
      return {
        tile,
        kind: 'messages',
        page: await unrepliedMessages(em, viewer, { ...page, assignedToViewer: true }),
      };
    case 'unreplied':
      return { tile, kind: 'messages', page: await unrepliedMessages(em, viewer, page) };
  }
}
