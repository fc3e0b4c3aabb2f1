import { DeadlockException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../domain/events.ts';

/** What every use-case receives: a forked EntityManager, a clock, and where events go after commit. */
export interface UseCaseContext {
  em: EntityManager;
  now?: () => Date;
  /** Called with the events of a committed transaction (the job layer enqueues wake-up calls). */
  dispatch?: (events: DomainEvent[]) => Promise<void>;
  /**
   * R38: the configured payment provider's name. Invoices and checkouts then reach the contact
   * only with its pay link (the pay-link job sends them); unset, they go at once without one.
   */
  paymentProvider?: string | null;
}

export type WithEvents<T> = T & { events: DomainEvent[] };

/**
 * Runs `fn` in one transaction (load, check, change, commit). Events the function records are
 * dispatched only after the commit, so no job ever wakes up for a change that rolled back.
 */
export async function inTransaction<T extends object>(
  ctx: UseCaseContext,
  fn: (tx: EntityManager, record: (...events: DomainEvent[]) => void, now: Date) => Promise<T>,
): Promise<WithEvents<T>> {
  const events: DomainEvent[] = [];
  const now = ctx.now ? ctx.now() : new Date();
  const result = await ctx.em.transactional((tx) =>
    fn(tx as EntityManager, (...e) => events.push(...e), now),
  );
  if (ctx.dispatch && events.length > 0) await ctx.dispatch(events);
  return { ...result, events };
}

/**
 * `inTransaction`, retried on a fresh EntityManager fork when a concurrent transaction won a race
 * the database settles with a unique index (one open conversation per contact and group, one
 * message per provider id, one identity per address) or a deadlock. The retry sees the winner's row.
 */
export async function inTransactionRetryingRaces<T extends object>(
  ctx: UseCaseContext,
  fn: Parameters<typeof inTransaction<T>>[1],
  attempts = 5,
): Promise<WithEvents<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction({ ...ctx, em: attempt === 1 ? ctx.em : ctx.em.fork() }, fn);
    } catch (e) {
      const race = e instanceof UniqueConstraintViolationException || e instanceof DeadlockException;
      if (!race || attempt >= attempts) throw e;
    }
  }
}
