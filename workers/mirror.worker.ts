import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { mirrorConversation } from '../src/use-cases/mirror-conversation.ts';

/** Retry a busy conversation soon: the sync holding the lock may have started before the newest item. */
const BUSY_RETRY_MS = 1_000;

/** mirror: bring one conversation's Slack/Teams threads up to date. Waits by delaying, never by sleeping. */
export function mirrorProcessor(deps: { surfaces: SurfaceRegistry; queues: Queues }): Processor<'mirror'> {
  return async ({ conversationId, rev }, { em }) => {
    const result = await mirrorConversation({ em, surfaces: deps.surfaces }, conversationId);
    if (result.outcome === 'busy' || result.outcome === 'retry') {
      const delayMs = result.outcome === 'retry' ? result.retryAfterMs : BUSY_RETRY_MS;
      // A new id for the later run (this job's id is still taken), not a longer one each time.
      const base = rev.split('-later')[0];
      await enqueue(
        deps.queues,
        'mirror',
        { conversationId, rev: `${base}-later${Date.now()}` },
        { delayMs },
      );
    }
    return result.outcome;
  };
}
