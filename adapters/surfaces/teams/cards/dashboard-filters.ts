import type { Tile } from '../../../../src/queries/dashboard-tiles.ts';
import { type HomeFilters, parseHomeFilters } from '../../../../src/queries/home-data.ts';

/**
 * The dashboard's filters (dashboard-card.ts draws them): the ids of its filter inputs, the
 * filters a tile's "Show" button asks for, and reading a button's data back.
 */

export const DASHBOARD_INPUTS = {
  myStatus: 'myStatus',
  teamGroup: 'teamGroup',
  teamShow: 'teamShow',
} as const;
/** The group filter's value for "All my groups". */
export const ALL_GROUPS = 'all';

/** The filters that show a tile's list: the viewer's own tiles My inbox, group tiles Team inbox. */
export function tileFilters(tile: Tile, f: HomeFilters): HomeFilters {
  if (tile.key === 'unassigned' || tile.key === 'unreplied' || tile.key === 'breaching') {
    return { my: { ...f.my }, team: { groupId: null, show: tile.key } };
  }
  return { my: { status: 'open' }, team: { ...f.team } };
}

/**
 * The filters asked for by a dashboard button (the `adaptiveCard/action` value's `action.data`):
 * the button's `filters`, overridden by the filter inputs when they came with it. Bad or stale
 * values fall back field by field to the defaults, as on Slack; the query checks the group.
 */
export function parseDashboardAction(data: unknown): HomeFilters {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const base = parseHomeFilters(JSON.stringify(d.filters ?? null));
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const group = str(d[DASHBOARD_INPUTS.teamGroup]);
  return parseHomeFilters(
    JSON.stringify({
      my: { status: str(d[DASHBOARD_INPUTS.myStatus]) ?? base.my.status },
      team: {
        groupId: group === undefined ? base.team.groupId : group === ALL_GROUPS ? null : group,
        show: str(d[DASHBOARD_INPUTS.teamShow]) ?? base.team.show,
      },
    }),
  );
}
