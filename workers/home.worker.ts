import { Group, User } from '../src/db/entities/index.ts';
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
    const group = await em.findOne(Group, groupId);
    if (!group) return 'gone';
    const users = await em.find(
      User,
      {
        account: group.account,
        active: true,
        $or: [{ role: 'admin' }, { groupIds: { $contains: [groupId] } }],
      },
      { fields: ['id'] },
    );
    await onEverySurface(deps.surfaces, async (surface) => {
      for (const u of users) await surface.publishHome(u.id);
    });
    return users.length;
  };
}
