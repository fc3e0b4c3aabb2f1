import { Gauge } from 'prom-client';
import type { Queues } from '../jobs/queues.ts';
import type { Metrics } from './registry.ts';

/** The job states a queue's depth is reported in (finished jobs leave Redis: queues.ts). */
const STATES = ['waiting', 'prioritized', 'delayed', 'active'] as const;

/**
 * Queue depth and the age of the oldest job ready to run, per queue, read from BullMQ when
 * Prometheus scrapes (a few Redis reads per queue; nothing is kept between scrapes).
 */
export function collectQueueDepth(metrics: Metrics, queues: Queues): void {
  const registers = [metrics.registry];
  const all = () => [...queues.byName.entries()];
  new Gauge({
    name: 'parley_queue_jobs',
    help: 'Jobs in each queue by state (waiting, prioritized, delayed, active), read at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      await Promise.all(
        all().map(async ([name, queue]) => {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }),
      );
    },
  });
  new Gauge({
    name: 'parley_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job ready to run (since it was due) in each queue; 0 when none waits.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      this.reset();
      const now = Date.now();
      await Promise.all(
        all().map(async ([name, queue]) => {
          // The head of each: the wait list's oldest, and the highest-priority (then oldest) job.
          const heads = await Promise.all([
            queue.getJobs(['wait'], 0, 0, true),
            queue.getJobs(['prioritized'], 0, 0, true),
          ]);
          const dueAt = heads.flat().map((job) => job.timestamp + (job.delay ?? 0));
          const oldest = dueAt.length ? Math.min(...dueAt) : now;
          this.set({ queue: name }, Math.max(0, now - oldest) / 1000);
        }),
      );
    },
  });
}
