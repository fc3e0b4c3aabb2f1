import type { DomainEvent } from '../src/domain/events.ts';
import type { Processor } from '../src/jobs/worker.ts';
import { askForRating } from '../src/use-cases/csat-ask.ts';

/** csat: ask a closed conversation's customer for a rating, once (R42). */
export function csatProcessor(deps: {
  dispatch: (events: DomainEvent[]) => Promise<void>;
}): Processor<'csat'> {
  return async ({ surveyId }, { em }) => {
    const result = await askForRating({ em }, surveyId);
    await deps.dispatch(result.events);
    return { outcome: result.outcome };
  };
}
