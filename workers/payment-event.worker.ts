import type { DomainEvent } from '../src/domain/events.ts';
import type { Processor } from '../src/jobs/worker.ts';
import { applyPaymentEvent } from '../src/use-cases/payment-events.ts';

/** payment-event: apply one committed payment provider event (R38). */
export function paymentEventProcessor(deps: {
  dispatch: (events: DomainEvent[]) => Promise<void>;
}): Processor<'paymentEvent'> {
  return async ({ paymentEventId }, { em }) => {
    const result = await applyPaymentEvent({ em }, paymentEventId);
    await deps.dispatch(result.events);
    return { result: result.result };
  };
}
