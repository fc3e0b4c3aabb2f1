import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../domain/events.ts';

/** What every request carries in its Hono context. */
export interface AppEnv {
  Variables: {
    /** This request's own EntityManager (the ORM's global context is disabled on purpose). */
    em: EntityManager;
    requestId: string;
    /** Wakes the jobs for committed events (the process's dispatcher); absent in apps without queues. */
    dispatch: ((events: DomainEvent[]) => Promise<void>) | undefined;
  };
}
