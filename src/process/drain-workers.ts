import type { Worker } from 'bullmq';
import { aborted } from './shutdown.ts';

/**
 * Stops BullMQ workers for a shutdown: they take no new jobs and the running ones finish. At the
 * deadline the rest are handed back: the workers close without waiting, their jobs' locks are no
 * longer renewed, and once a lock lapses another worker's stalled-job check puts the job back in
 * its queue and runs it (BullMQ's own recovery, as after a crash, without losing the job).
 */
export async function drainWorkers(workers: Worker[], deadline?: AbortSignal): Promise<void> {
  await Promise.race([Promise.all(workers.map((w) => w.pause())), aborted(deadline)]);
  await Promise.all(workers.map((w) => w.close(deadline?.aborted === true)));
}
