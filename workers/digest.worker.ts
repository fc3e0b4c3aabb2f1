import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { Logger } from '../src/logger.ts';
import { type SurfaceRegistry, SurfaceRetryLater } from '../src/ports/agent-surface.ts';

/** How long a digest that failed on one surface waits before that surface tries once more. */
const FAILED_SURFACE_RETRY_MS = 30_000;

/**
 * digest: post a group's figures and oldest unreplied conversations to its linked channels (R27),
 * one per surface. A surface that must wait (paced) or failed does not hold up or repeat the
 * others: it gets a digest job of its own, later; a job for one surface retries as jobs do.
 */
export function digestProcessor(deps: {
  surfaces: SurfaceRegistry;
  queues: Queues;
  logger: Logger;
}): Processor<'digest'> {
  return async ({ groupId, surface: only }) => {
    if (only) {
      const surface = deps.surfaces.get(only);
      if (!surface) return 'no such surface';
      try {
        await surface.postDigest(groupId);
      } catch (err) {
        if (!(err instanceof SurfaceRetryLater)) throw err;
        await enqueue(deps.queues, 'digest', { groupId, surface: only }, { delayMs: err.retryAfterMs });
        return 'later';
      }
      return 'posted';
    }
    for (const [name, surface] of deps.surfaces) {
      try {
        await surface.postDigest(groupId);
      } catch (err) {
        const delayMs = err instanceof SurfaceRetryLater ? err.retryAfterMs : FAILED_SURFACE_RETRY_MS;
        if (!(err instanceof SurfaceRetryLater))
          deps.logger.warn({ err, groupId, surface: name }, 'digest: failed on one surface; trying it again');
        await enqueue(deps.queues, 'digest', { groupId, surface: name }, { delayMs });
      }
    }
    return 'posted';
  };
}
