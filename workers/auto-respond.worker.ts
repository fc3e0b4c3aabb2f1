import type { DomainEvent } from '../src/domain/events.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { Logger } from '../src/logger.ts';
import { autoRespond } from '../src/use-cases/auto-respond.ts';

/**
 * auto-respond: the auto responder looks at a conversation's new customer messages (R37). What it
 * queues is delivered and mirrored through the events; a refusal by the channel's rules is logged.
 */
export function autoRespondProcessor(deps: {
  dispatch: (events: DomainEvent[]) => Promise<void>;
  logger?: Logger;
}): Processor<'autoRespond'> {
  return async ({ conversationId, messageId }, { em }) => {
    const result = await autoRespond({ em }, conversationId, { messageId });
    if (result.reason === 'channel_refused')
      deps.logger?.info(
        { conversationId, auto: result.auto, refusal: result.refusal },
        'auto responder sent nothing: the channel refuses it',
      );
    await deps.dispatch(result.events);
    return { sent: result.sent, reason: result.reason ?? null, messageId: result.messageId };
  };
}
