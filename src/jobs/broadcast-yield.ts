import type { Queues } from './queues.ts';

/**
 * R8: whether a broadcast should step aside for a moment. Ordinary work waiting for the workers
 * (jobs without a priority: customers' messages to mirror, replies to deliver) goes first; and a
 * broadcast's own deferred work (its prioritized deliveries and thread posts) is kept short, so
 * the CPU it leaves to everyone else stays steady instead of arriving as one backlog.
 */
export const ORDINARY_BACKLOG = 10;
export const OWN_BACKLOG = 200;
const WATCHED = ['mirror', 'deliver'];

export function othersWaitingFor(queues: Queues): () => Promise<boolean> {
  const watched = WATCHED.map((name) => queues.byName.get(name)).filter((q) => q !== undefined);
  return async () => {
    const counts = await Promise.all(watched.map((q) => q.getJobCounts('waiting', 'prioritized')));
    const ordinary = counts.reduce((n, c) => n + (c.waiting ?? 0), 0);
    const own = counts.reduce((n, c) => n + (c.prioritized ?? 0), 0);
    return ordinary > ORDINARY_BACKLOG || own > OWN_BACKLOG;
  };
}
