import { User } from '../src/db/entities/index.ts';
import { onEverySurface } from '../src/jobs/every-surface.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';

/**
 * userHome: after a user's access changed (R34/R35), redraw their dashboards on every surface even
 * if they have not looked lately — what they may no longer see must leave the screen — then clear
 * the mark, unless it was set again meanwhile (that change gets its own redraw).
 */
export function userHomeProcessor(deps: { surfaces: SurfaceRegistry }): Processor<'userHome'> {
  return async ({ userId }, { em }) => {
    const user = await em.findOne(User, userId, { fields: ['id', 'accessChangedAt'] });
    if (!user) return 'gone';
    const marked = user.accessChangedAt;
    await onEverySurface(deps.surfaces, (surface) => surface.publishHome(userId, { force: true }));
    if (marked)
      await em.nativeUpdate(User, { id: userId, accessChangedAt: marked }, { accessChangedAt: null });
    return 'redrawn';
  };
}
