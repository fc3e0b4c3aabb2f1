import type { Viewer } from '../domain/actor.ts';
import { type Sql, sql } from './sql.ts';

/** R26: the four dashboard tiles, and R39's conversations past their SLA target. */
export type TileKey = 'assignedToMe' | 'myUnreplied' | 'unassigned' | 'unreplied' | 'breaching';

/**
 * What each tile counts, as conditions on conversation `c` (on top of visibleConversations).
 * Written as literals that match the partial indexes' predicates (`status = 'open' and
 * unreplied_count > 0`, `assignee_ids = '{}'`), so the planner can use those indexes.
 */
export function tileCondition(viewer: Viewer, tile: TileKey): Sql {
  const mine = assignedTo(viewer);
  switch (tile) {
    case 'assignedToMe':
      return sql`c.status = 'open' and ${mine}`;
    case 'myUnreplied':
      return sql`c.status = 'open' and c.unreplied_count > 0 and ${mine}`;
    case 'unassigned':
      return sql`c.status = 'open' and c.assignee_ids = '{}'`;
    case 'unreplied':
      return sql`c.status = 'open' and c.unreplied_count > 0`;
    case 'breaching':
      // The conversation_sla_breached_idx predicate.
      return sql`c.status = 'open' and c.sla_breached_at is not null`;
  }
}

/** Conversation `c` is assigned to the viewer: what sets the "my" tiles apart from the group's. */
export const assignedTo = (viewer: Viewer): Sql => sql`c.assignee_ids @> array[${viewer.id}]::text[]`;
