import { mirrorLater } from '../src/jobs/mirror-wake.ts';
import type { Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { mirrorConversation } from '../src/use-cases/mirror-conversation.ts';

/** Retry a busy conversation soon: the sync holding the lock may have started before the newest item. */
const BUSY_RETRY_MS = 250;

/** mirror: bring one conversation's Slack/Teams threads up to date. Waits by delaying, never by sleeping. */
export function mirrorProcessor(deps: {
  surfaces: SurfaceRegistry;
  queues: Queues;
  countRedrawMs?: number;
}): Processor<'mirror'> {
  return async ({ conversationId }, { em }) => {
    const result = await mirrorConversation(
      { em, surfaces: deps.surfaces, countRedrawMs: deps.countRedrawMs },
      conversationId,
    );
    if (result.outcome === 'busy' || result.outcome === 'retry') {
      // One later run per conversation and grid slot, however many runs ask for it.
      const wait = result.outcome === 'retry' ? result.retryAfterMs : BUSY_RETRY_MS;
      await mirrorLater(deps.queues, conversationId, wait);
    }
    return result.outcome;
  };
}
