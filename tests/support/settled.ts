import type { Queues } from '../../src/jobs/queues.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import type { Services } from '../../src/services.ts';

/**
 * No job is waiting, running or delayed, except the next run of a schedule (digests, webchat
 * clean-up), which is always there, and a timer set for after `horizon` (an SLA warning due in
 * hours, R39). `only`: just these queues (a harness that runs workers for some queues only).
 */
async function nothingDue(queues: Queues, only?: readonly string[], horizon = Infinity): Promise<boolean> {
  for (const [name, q] of queues.byName) {
    if (only && !only.includes(name)) continue;
    const { active, ...c } = await q.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(c).some((n) => n > 0)) return false;
    // An id left in the active list without its job (Redis lost the job under a running worker)
    // is no work: BullMQ's stall check clears it later, and the reconciler redoes what it was for.
    if (active && active > 0 && (await q.getJobs(['active'])).length > 0) return false;
    const delayed = await q.getJobs(['delayed']);
    if (delayed.some((j) => !j.repeatJobKey && j.timestamp + (j.delay ?? 0) <= horizon)) return false;
  }
  return true;
}

/** Waits until nothing is due (seen twice in a row). */
async function idle(queues: Queues, timeoutMs: number, only?: readonly string[]): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    quiet = (await nothingDue(queues, only, until)) ? quiet + 1 : 0;
    if (Date.now() > until) throw new Error(`the queues did not settle within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SettleOptions {
  /**
   * Looks once for work Redis may have lost (the reconciler, as the harness runs it) between two
   * waits for the queues; without it, only the queues are waited for.
   */
  reconcile?: () => Promise<unknown>;
  /** Wait only for these queues (the ones the harness runs workers for). */
  only?: readonly string[];
  timeoutMs?: number;
}

/**
 * `settled` for a harness with workers and queues of its own (`startWorkers` on `createTestRedis`
 * queues): everything it was going to do has been done.
 */
export async function settledQueues(queues: Queues, opts: SettleOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  await idle(queues, timeoutMs, opts.only);
  if (!opts.reconcile) return;
  await opts.reconcile();
  await idle(queues, timeoutMs, opts.only);
}

/**
 * Everything Parley was going to do has been done: the queues are idle, the reconcile loop has run
 * once (the reconciler looked for work Redis may have lost, the chat surfaces' sweeps for replies
 * never sent as events), and what it woke has run too. Assert an absence ("nothing was posted",
 * "the note never left") only after this.
 */
export async function settled(services: Services, timeoutMs = 15_000): Promise<void> {
  await settledQueues(services.queues, {
    timeoutMs,
    reconcile: async () => {
      await reconcile({
        em: services.context().em,
        queues: services.queues,
        channels: services.channels,
        surfaces: services.surfaces.size > 0,
        dispatch: services.dispatch,
        aiBurstWindowMs: services.config.AI_BURST_WINDOW_MS,
      });
      for (const sweep of services.sweeps) await sweep();
    },
  });
}
