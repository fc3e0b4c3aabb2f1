import { onEverySurface } from '../src/jobs/every-surface.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';

/**
 * home: redraw the dashboards of everybody who sees a group's figures (its members and the
 * account's admins) after a change in the group. Each surface decides whose dashboard is worth
 * redrawing (Slack: users who opened App Home lately) and paces its own calls.
 */
export function homeProcessor(deps: { surfaces: SurfaceRegistry }): Processor<'home'> {
  return async ({ groupId }, { em }) => {
    // The group and who sees its figures in one statement: this job follows every burst of changes.
    const rows = await em.getConnection().execute<{ user_id: string | null }[]>(
      `select u.id as user_id from groups g
       left join users u on u.account_id = g.account_id and u.active
         and (u.role = 'admin' or u.group_ids @> array[g.id::text])
       where g.id = ? order by u.id`,
      [groupId],
    );
    if (rows.length === 0) return 'gone';
    const userIds = rows.flatMap((r) => (r.user_id ? [r.user_id] : []));
    await onEverySurface(deps.surfaces, async (surface) => {
      for (const userId of userIds) await surface.publishHome(userId);
    });
    return userIds.length;
  };
}
