import type { Queues } from './queues.ts';

const SCHEDULER_ID = 'webchat-cleanup';

/**
 * The webchat cleanup runs on a BullMQ job scheduler, one for the whole deployment however many
 * worker processes there are. Run from the reconciler loop: it is (re)created when missing (a
 * Redis that lost it) or when the interval changed, and left alone otherwise.
 */
export async function syncCleanupSchedule(queues: Queues, everyMs: number): Promise<{ changed: boolean }> {
  const queue = queues.byName.get('webchat-cleanup');
  if (!queue) return { changed: false };
  const existing = await queue.getJobScheduler(SCHEDULER_ID);
  if (existing && Number(existing.every) === everyMs) return { changed: false };
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: everyMs },
    {
      name: 'webchatCleanup',
      data: { batch: 500 },
      opts: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    },
  );
  return { changed: true };
}
