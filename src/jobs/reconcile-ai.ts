import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueue, type Queues } from './queues.ts';

/**
 * R36, for the reconciler: AI work PostgreSQL says is due while no job may be coming (Redis lost
 * it, a worker died while the model thought). The turn rows make a second wake-up harmless.
 */
export async function reconcileAi(deps: {
  em: EntityManager;
  queues: Queues;
  surfaces: boolean;
  burstWindowMs: number;
  now: Date;
  batch: number;
}): Promise<number> {
  const { now, batch } = deps;
  const conn = deps.em.getConnection();
  const day = new Date(now.getTime() - 24 * 3600_000);
  // Conversations whose latest waiting customer message has no turn yet, after the burst window;
  // and turns whose worker's claim ran out, or whose retry is due.
  const due = await conn.execute<{ conversation_id: string; message_id: string; attempt: number }[]>(
    `select c.id as conversation_id, m.id as message_id, 0 as attempt
       from conversation c
       cross join lateral (select id from message where conversation_id = c.id and kind = 'inbound'
                             and awaiting_reply order by seq desc limit 1) m
      where c.status = 'open' and c.ai_state = 'active' and c.unreplied_count > 0
        and c.last_inbound_at between ? and ?
        and not exists (select 1 from ai_turn t where t.trigger_id = m.id)
     union all
     select t.conversation_id, t.trigger_id, t.attempts from ai_turn t
      where (t.status = 'thinking' and t.claimed_until < ?) or (t.status = 'waiting' and t.due_at < ?)
     limit ?`,
    [day, new Date(now.getTime() - deps.burstWindowMs - 5_000), now, new Date(now.getTime() - 5_000), batch],
  );
  const wake = now.getTime();
  await Promise.all(
    due.map((d) =>
      enqueue(deps.queues, 'aiReply', {
        conversationId: d.conversation_id,
        messageId: d.message_id,
        attempt: d.attempt,
        wake,
      }),
    ),
  );
  if (!deps.surfaces) return due.length;
  const notices = await conn.execute<{ id: string }[]>(
    `select id from ai_turn where status = 'handed_off' and notified_at is null and updated_at between ? and ? limit ?`,
    [day, new Date(now.getTime() - 10_000), batch],
  );
  await Promise.all(notices.map((t) => enqueue(deps.queues, 'aiHandoffNotice', { turnId: t.id })));
  return due.length + notices.length;
}
