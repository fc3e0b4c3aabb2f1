import type { EntityManager } from '@mikro-orm/postgresql';

/** What every request carries in its Hono context. */
export interface AppEnv {
  Variables: {
    /** This request's own EntityManager (the ORM's global context is disabled on purpose). */
    em: EntityManager;
    requestId: string;
  };
}
