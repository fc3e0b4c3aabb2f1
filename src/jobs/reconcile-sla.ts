import type { EntityManager } from '@mikro-orm/postgresql';
import { type StartedWait, startSlaWaits } from '../use-cases/sla-clock.ts';
import { enqueue, type Queues } from './queues.ts';

/** A check this late was lost (or failed): the reconciler wakes it again under a new job id. */
export const SLA_CHECK_GRACE_MS = 60_000;

/**
 * R39, each reconciler run: record the waits that began (and wake their checks at their warning
 * and due times), and wake again the checks of waits whose time passed a minute ago or more but
 * whose notice was not recorded (a lost job, a surface that failed). Delays count from `now`, the
 * reconciler's clock. Returns how many checks were woken again.
 */
export async function reconcileSla(deps: {
  em: EntityManager;
  queues: Queues;
  now: Date;
  batch: number;
}): Promise<number> {
  const { em, queues, now, batch } = deps;
  const started = await startSlaWaits(em, batch);
  for (const w of started) await wakeChecks(queues, w, now);
  const late = new Date(now.getTime() - SLA_CHECK_GRACE_MS);
  const due = await em.getConnection().execute<{ id: string; due_at: Date; stage: 'warn' | 'breach' }[]>(
    `select id, due_at, case when due_at <= ? then 'breach' else 'warn' end as stage
       from sla_wait
      where ended_at is null and breached_at is null and due_at is not null
        and (due_at <= ? or (warn_at <= ? and warned_at is null))
      order by due_at limit ?`,
    [now, late, late, batch],
  );
  // `wake`: a new id, as the lost job's may still sit in Redis as a delayed job that never runs.
  const wake = now.getTime();
  await Promise.all(
    due.map((w) =>
      enqueue(queues, 'slaCheck', {
        waitId: w.id,
        stage: w.stage,
        dueAt: new Date(w.due_at).getTime(),
        wake,
      }),
    ),
  );
  return due.length;
}

/** A new wait's two wake-ups: the warning and the breach, each at its time. */
async function wakeChecks(queues: Queues, w: StartedWait, now: Date): Promise<void> {
  if (!w.dueAt) return;
  const dueAt = w.dueAt.getTime();
  const at = (d: Date) => ({ delayMs: Math.max(0, d.getTime() - now.getTime()) });
  if (w.warnAt && w.warnAt < w.dueAt)
    await enqueue(queues, 'slaCheck', { waitId: w.id, stage: 'warn', dueAt }, at(w.warnAt));
  await enqueue(queues, 'slaCheck', { waitId: w.id, stage: 'breach', dueAt }, at(w.dueAt));
}
