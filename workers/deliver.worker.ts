import type { DomainEvent } from '../src/domain/events.ts';
import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { SendRateLimiter } from '../src/jobs/send-rate.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { ChannelRegistry } from '../src/ports/customer-channel.ts';
import { deliverMessage } from '../src/use-cases/deliver-message.ts';

/** deliver: one outbound message to its customer. A transient failure re-enqueues with a delay, never sleeps. */
export function deliverProcessor(deps: {
  channels: ChannelRegistry;
  queues: Queues;
  sendRate?: SendRateLimiter;
  dispatch: (events: DomainEvent[]) => Promise<void>;
}): Processor<'deliver'> {
  return async ({ messageId }, { em }) => {
    const result = await deliverMessage({ em, channels: deps.channels }, messageId);
    if (result.outcome === 'retry') {
      await enqueue(
        deps.queues,
        'deliver',
        { messageId, attempt: result.attempt },
        { delayMs: result.delayMs },
      );
    }
    await deps.dispatch(result.events);
    return result.outcome;
  };
}
