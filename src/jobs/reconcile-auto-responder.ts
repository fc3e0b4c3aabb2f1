import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueue, type Queues } from './queues.ts';

/** A customer message older than this is not worth an automatic answer any more. */
const LOOK_BACK_MS = 3_600_000;

/**
 * R37, for the reconciler: open conversations in groups with an auto responder on, where a
 * customer wrote in the last hour after the auto responder last looked and a message still waits
 * for a reply, get their `autoRespond` wake-up again (with the latest waiting message's id). A
 * lost job costs latency only; a duplicate collapses on the job id, and the use-case's row lock
 * and interval make a second look send nothing twice. Returns how many were woken.
 */
export async function reconcileAutoResponder(deps: {
  em: EntityManager;
  queues: Queues;
  now: Date;
  batch: number;
}): Promise<number> {
  const { now, batch } = deps;
  const due = await deps.em.getConnection().execute<{ conversation_id: string; message_id: string }[]>(
    `select c.id as conversation_id, m.id as message_id
       from groups g
       join conversation c on c.group_id = g.id
       cross join lateral (select id from message where conversation_id = c.id and kind = 'inbound'
                             and awaiting_reply and created_at > coalesce(c.auto_checked_at, '-infinity')
                           order by seq desc limit 1) m
      where (g.auto_responder->>'enabled')::boolean
        and c.status = 'open' and c.unreplied_count > 0
        -- last_message_at is never before last_inbound_at: it lets the (group, status, last_message_at) index narrow.
        and c.last_message_at > ? and c.last_inbound_at > ?
        and c.last_inbound_at > coalesce(c.auto_checked_at, '-infinity')
      limit ?`,
    [new Date(now.getTime() - LOOK_BACK_MS), new Date(now.getTime() - LOOK_BACK_MS), batch],
  );
  await Promise.all(
    due.map((d) =>
      enqueue(deps.queues, 'autoRespond', { conversationId: d.conversation_id, messageId: d.message_id }),
    ),
  );
  return due.length;
}
