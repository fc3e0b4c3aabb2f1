import type { DomainEvent } from '../src/domain/events.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { ChannelRegistry } from '../src/ports/customer-channel.ts';
import type { Storage } from '../src/ports/storage.ts';
import { storeInboundMedia } from '../src/use-cases/store-inbound-media.ts';

/** fetch-media: bring an inbound message's attachments from the provider into storage. */
export function fetchMediaProcessor(deps: {
  channels: ChannelRegistry;
  storage: Storage;
  dispatch: (events: DomainEvent[]) => Promise<void>;
}): Processor<'fetchMedia'> {
  return async ({ messageId }, { em }) => {
    const result = await storeInboundMedia({ em, channels: deps.channels, storage: deps.storage }, messageId);
    await deps.dispatch(result.events);
    return { stored: result.stored, failed: result.failed };
  };
}
