import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../src/domain/events.ts';
import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { SendRateLimiter } from '../src/jobs/send-rate.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { Logger } from '../src/logger.ts';
import type { Metrics } from '../src/metrics/registry.ts';
import type { ChannelRegistry } from '../src/ports/customer-channel.ts';
import { deliverMessage } from '../src/use-cases/deliver-message.ts';

export interface DeliverWorkerDeps {
  channels: ChannelRegistry;
  queues: Queues;
  sendRate?: SendRateLimiter;
  dispatch: (events: DomainEvent[]) => Promise<void>;
  /** Told how each attempt ended (with the message's ids, log-context.ts); none: not logged. */
  logger?: Logger;
  /** Deliveries by channel and state; none: not counted. */
  metrics?: Metrics;
}

/**
 * One delivery attempt now: a transient failure re-enqueues with a delay, never sleeps. Also used
 * by the ai-reply job, which sends its answer at once instead of waiting for a deliver job (the
 * delivery claim makes the two meet once).
 */
export async function deliverNow(deps: DeliverWorkerDeps, em: EntityManager, messageId: string) {
  // The endpoint's send rate (WhatsApp, Twilio per number) applies to every delivery, a
  // broadcast's and a reply's alike; a throttled message waits in a delayed job, never a sleep.
  const result = await deliverMessage({ em, channels: deps.channels, sendRate: deps.sendRate }, messageId);
  if (result.outcome === 'sent' || result.outcome === 'failed' || result.outcome === 'unknown') {
    deps.metrics?.deliveries.inc({ channel: result.channel, state: result.outcome });
    const { events: _, ...ended } = result;
    if (result.outcome === 'sent') deps.logger?.info(ended, `delivered to ${result.channel}`);
    else if (result.outcome === 'failed') deps.logger?.warn(ended, `delivery to ${result.channel} failed`);
    else deps.logger?.warn(ended, `delivery to ${result.channel} may have been made; waiting for its status`);
  }
  if (result.outcome === 'throttled') {
    const after = Date.now() + result.delayMs;
    await enqueue(deps.queues, 'deliver', { messageId, attempt: 0, after }, { delayMs: result.delayMs });
  }
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
}

/** deliver: one outbound message to its customer. */
export function deliverProcessor(deps: DeliverWorkerDeps): Processor<'deliver'> {
  return ({ messageId }, { em }) => deliverNow(deps, em, messageId);
}
