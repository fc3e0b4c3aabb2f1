import type { Queues } from '../../src/jobs/queues.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import type { Services } from '../../src/services.ts';

/**
 * No job is waiting, running or delayed, except the next run of a schedule (digests, webchat
 * clean-up), which is always there.
 */
async function nothingDue(queues: Queues): Promise<boolean> {
  for (const q of queues.byName.values()) {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(c).some((n) => n > 0)) return false;
    const delayed = await q.getJobs(['delayed']);
    if (delayed.some((j) => !j.repeatJobKey)) return false;
  }
  return true;
}

/** Waits until nothing is due (seen twice in a row). */
async function idle(services: Services, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    quiet = (await nothingDue(services.queues)) ? quiet + 1 : 0;
    if (Date.now() > until) throw new Error(`the queues did not settle within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Everything Parley was going to do has been done: the queues are idle, the reconciler has looked
 * once for work Redis may have lost, and what it woke has run too. Assert an absence ("nothing was
 * posted", "the note never left") only after this.
 */
export async function settled(services: Services, timeoutMs = 15_000): Promise<void> {
  await idle(services, timeoutMs);
  await reconcile({
    em: services.context().em,
    queues: services.queues,
    channels: services.channels,
    surfaces: services.surfaces.size > 0,
    dispatch: services.dispatch,
  });
  await idle(services, timeoutMs);
}
