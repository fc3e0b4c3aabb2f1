import type { EntityManager } from '@mikro-orm/postgresql';
import { wakeBroadcast, wakeBroadcastProgress } from './broadcast-wake.ts';
import type { Queues } from './queues.ts';

/** A broadcast batch this late past its due time lost its wake-up (Redis lost the job, a worker died). */
export const BROADCAST_LATE_MS = 30_000;

/**
 * R8: broadcasts with pending recipients whose next batch is overdue are woken again, and (with
 * chat surfaces) finished ones whose progress message never showed the end. The batch's row locks
 * and recipient states make a duplicate wake-up harmless.
 */
export async function reconcileBroadcasts(deps: {
  em: EntityManager;
  queues: Queues;
  surfaces: boolean;
  now: Date;
  batch: number;
}): Promise<number> {
  const conn = deps.em.getConnection();
  const late = await conn.execute<{ id: string }[]>(
    `select id from broadcast where state = 'sending' and next_batch_due_at <= ? order by next_batch_due_at limit ?`,
    [new Date(deps.now.getTime() - BROADCAST_LATE_MS), deps.batch],
  );
  const wake = `r${Math.floor(deps.now.getTime() / BROADCAST_LATE_MS)}`;
  await Promise.all(late.map((b) => wakeBroadcast(deps.queues, b.id, wake)));
  if (!deps.surfaces) return late.length;
  const unshown = await conn.execute<{ id: string }[]>(
    `select id from broadcast where state = 'finished' and finished_at > ? and finished_at <= ?
        and (progress_shown is null or progress_shown not like '["finished"%') limit ?`,
    [
      new Date(deps.now.getTime() - 24 * 3600_000),
      new Date(deps.now.getTime() - BROADCAST_LATE_MS),
      deps.batch,
    ],
  );
  await Promise.all(
    [...late, ...unshown].map((b) => wakeBroadcastProgress(deps.queues, b.id, deps.now.getTime())),
  );
  return late.length + unshown.length;
}
