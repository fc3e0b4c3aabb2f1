import type { EntityManager } from '@mikro-orm/postgresql';
import type { Conversation } from '../db/entities/index.ts';

/**
 * R39: ends the conversation's running SLA wait, in the caller's transaction (it holds the
 * conversation's row lock). A person replied, or the conversation closed. A wait the sweep has
 * not recorded yet (it began less than a sweep ago) is recorded now, ended, so the figures count
 * every wait. Groups without SLA targets record nothing.
 */
export async function endSlaWait(
  tx: EntityManager,
  conv: Conversation,
  now: Date,
  by: 'reply' | 'close',
): Promise<void> {
  const since = conv.humanWaitingSince;
  conv.humanWaitingSince = null;
  conv.slaBreachedAt = null;
  if (!since) return;
  // Parameters in the order the statement uses them.
  const params = [since, now, by, now, conv.id, since];
  await tx
    .getConnection()
    .execute(endSlaWaitSql('?', '?', '?', '?'), params, 'run', tx.getTransactionContext());
}

/**
 * The statement that ends (or records, ended) the wait of conversation `conv` that began at
 * `since`, in groups with SLA targets; placeholders given by the caller (`?` for the ORM, `$n`
 * for the driver). Only the replies stored before it make the wait `next`.
 */
export const endSlaWaitSql = (conv: string, since: string, now: string, by: string) => `
  insert into sla_wait (id, account_id, group_id, conversation_id, kind, started_at, ended_at, ended_by, created_at)
  select gen_random_uuid(), c.account_id, c.group_id, c.id, ${WAIT_KIND_SQL}, ${since}::timestamptz,
    ${now}::timestamptz, ${by}, ${now}::timestamptz
    from conversation c join groups g on g.id = c.group_id
   where c.id = ${conv} and g.sla is not null and ${since}::timestamptz is not null
  on conflict (conversation_id, started_at) do update
    set ended_at = excluded.ended_at, ended_by = excluded.ended_by
    where sla_wait.ended_at is null`;

/** `first` until a person has replied in conversation `c`; `next` after. */
export const WAIT_KIND_SQL = `case when exists (select 1 from message m where m.conversation_id = c.id and m.kind = 'reply')
  then 'next' else 'first' end`;
