import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueue, type Queues } from './queues.ts';

/** A message newer than this is still in its first job's hands. */
const SETTLE_MS = 10_000;
/** After a day an internal message is not worth posting any more (the inbox still shows it). */
const LOOK_BACK_MS = 24 * 3600_000;
/** A post waiting for the app to be installed is tried again this often, not on every run. */
const RETRY_WAIT_MS = 5 * 60_000;

/**
 * R25, for the reconciler: internal messages not yet posted to every direct message they go to
 * (their wake-up was lost, or a surface made them wait) get their `internalPost` wake-up again.
 * A post attempted in the last few minutes and still unconfirmed is left to its own retry.
 */
export async function reconcileInternalPosts(deps: {
  em: EntityManager;
  queues: Queues;
  now: Date;
  batch: number;
}): Promise<number> {
  const { now } = deps;
  const due = await deps.em.getConnection().execute<{ id: string }[]>(
    `select m.id from internal_message m
      where m.posted_at is null and m.created_at > ? and m.created_at <= ?
        and not exists (select 1 from internal_post p where p.message_id = m.id and p.ref is null
                          and p.attempted_at > ?)
      order by m.created_at limit ?`,
    [
      new Date(now.getTime() - LOOK_BACK_MS),
      new Date(now.getTime() - SETTLE_MS),
      new Date(now.getTime() - RETRY_WAIT_MS),
      deps.batch,
    ],
  );
  await Promise.all(due.map((m) => enqueue(deps.queues, 'internalPost', { messageId: m.id })));
  return due.length;
}
