import type { DomainEvent } from '../src/domain/events.ts';
import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { checkSlaWait } from '../src/use-cases/sla-notices.ts';

/**
 * slaCheck (R39): a wait reached its warning or due time. A paced surface is told later; the
 * surfaces already told are not told again.
 */
export function slaCheckProcessor(deps: {
  surfaces: SurfaceRegistry;
  queues: Queues;
  dispatch: (events: DomainEvent[]) => Promise<void>;
}): Processor<'slaCheck'> {
  return async ({ waitId, stage, dueAt, done }, { em }) => {
    const ctx = { em, surfaces: deps.surfaces, dispatch: deps.dispatch };
    const result = await checkSlaWait(ctx, { waitId, stage, dueAt }, done);
    if (result.outcome === 'later') {
      const { retryAfterMs: delayMs } = result;
      const wake = Date.now() + delayMs;
      await enqueue(deps.queues, 'slaCheck', { waitId, stage, dueAt, done: result.done, wake }, { delayMs });
    }
    return result.outcome;
  };
}
