import type { DomainEvent } from '../src/domain/events.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { PaymentProvider } from '../src/ports/payments.ts';
import { issuePayLink } from '../src/use-cases/pay-links.ts';

/**
 * pay-link: open the provider's session for an invoice or checkout and send its link (R38). A
 * provider that is not answering throws, so BullMQ retries with backoff; on the last try the
 * thread is told instead.
 */
export function payLinkProcessor(deps: {
  provider: PaymentProvider;
  ttlMs: number;
  dispatch: (events: DomainEvent[]) => Promise<void>;
}): Processor<'payLink'> {
  return async (target, { em, job }) => {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await issuePayLink({ em }, target, {
      provider: deps.provider,
      ttlMs: deps.ttlMs,
      lastAttempt,
    });
    await deps.dispatch(result.events);
    return { outcome: result.outcome };
  };
}
