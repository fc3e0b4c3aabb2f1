import type { Queues } from './queues.ts';
import { type JobKind, type JobPayload, jobDefinitions } from './registry.ts';

/** How often the Teams activity claims are pruned (they are kept a day; an hour late is harmless). */
export const TEAMS_CLEANUP_EVERY_MS = 3_600_000;

/**
 * Housekeeping jobs run on BullMQ job schedulers, one for the whole deployment however many
 * worker processes there are. Run from the reconciler loop: a scheduler is (re)created when
 * missing (a Redis that lost it) or when its interval changed, and left alone otherwise.
 */
async function syncScheduler<K extends JobKind>(
  queues: Queues,
  kind: K,
  schedulerId: string,
  everyMs: number,
  data: JobPayload<K>,
): Promise<{ changed: boolean }> {
  const def = jobDefinitions[kind];
  const queue = queues.byName.get(def.queue);
  if (!queue) return { changed: false };
  const existing = await queue.getJobScheduler(schedulerId);
  if (existing && Number(existing.every) === everyMs) return { changed: false };
  await queue.upsertJobScheduler(
    schedulerId,
    { every: everyMs },
    {
      name: kind,
      data,
      opts: {
        attempts: def.attempts,
        backoff: { type: 'exponential', delay: def.backoffMs },
        removeOnComplete: true,
        removeOnFail: true,
      },
    },
  );
  return { changed: true };
}

/** The webchat cleanup (ended sessions, unsent uploads) every WEBCHAT_CLEANUP_INTERVAL_MINUTES. */
export function syncCleanupSchedule(queues: Queues, everyMs: number): Promise<{ changed: boolean }> {
  return syncScheduler(queues, 'webchatCleanup', 'webchat-cleanup', everyMs, { batch: 500 });
}

/** The Teams cleanup (activity claims older than a day), hourly; only while Teams is on. */
export function syncTeamsCleanupSchedule(queues: Queues): Promise<{ changed: boolean }> {
  return syncScheduler(queues, 'teamsCleanup', 'teams-cleanup', TEAMS_CLEANUP_EVERY_MS, {});
}
