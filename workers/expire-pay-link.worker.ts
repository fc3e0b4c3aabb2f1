import type { Processor } from '../src/jobs/worker.ts';
import type { PaymentProvider } from '../src/ports/payments.ts';
import { expirePayLink } from '../src/use-cases/expire-pay-link.ts';

/** expire-pay-link: a voided invoice's live pay link is closed at the provider (R38). */
export function expirePayLinkProcessor(deps: { provider: PaymentProvider }): Processor<'expirePayLink'> {
  return async (target, { em }) => ({
    outcome: (await expirePayLink({ em }, target, deps.provider)).outcome,
  });
}
