import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';

/** digest: post a group's figures and oldest unreplied conversations to its linked channel (R27). */
export function digestProcessor(deps: { surfaces: SurfaceRegistry }): Processor<'digest'> {
  return async ({ groupId }) => {
    for (const surface of deps.surfaces.values()) await surface.postDigest(groupId);
    return 'posted';
  };
}
