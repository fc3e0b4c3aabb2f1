import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { postInternalMessage } from '../src/use-cases/post-internal-message.ts';

/**
 * internalPost (R25): an internal message goes to its recipient's direct messages with the app.
 * A surface that must wait gets its post later; posts already made are not made again.
 */
export function internalPostProcessor(deps: {
  surfaces: SurfaceRegistry;
  queues: Queues;
}): Processor<'internalPost'> {
  return async ({ messageId }, { em }) => {
    const result = await postInternalMessage({ em, surfaces: deps.surfaces }, messageId);
    if (result.outcome === 'later') {
      const { retryAfterMs: delayMs } = result;
      await enqueue(deps.queues, 'internalPost', { messageId, wake: Date.now() + delayMs }, { delayMs });
    }
    return result.outcome;
  };
}
