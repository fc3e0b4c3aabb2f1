import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { notifyAiHandoff } from '../src/use-cases/notify-ai-handoff.ts';

/**
 * aiHandoffNotice (R36): the assignees, or the group, hear that the AI agent handed a conversation
 * over. A paced surface gets its notice later; the surfaces already told are not told again.
 */
export function aiHandoffNoticeProcessor(deps: {
  surfaces: SurfaceRegistry;
  queues: Queues;
}): Processor<'aiHandoffNotice'> {
  return async ({ turnId, done }, { em }) => {
    const result = await notifyAiHandoff({ em, surfaces: deps.surfaces }, turnId, done);
    if (result.outcome === 'later') {
      const { retryAfterMs: delayMs } = result;
      const wake = Date.now() + delayMs;
      await enqueue(deps.queues, 'aiHandoffNotice', { turnId, done: result.done, wake }, { delayMs });
    }
    return result.outcome;
  };
}
