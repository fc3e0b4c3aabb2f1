import type { EntityManager } from '@mikro-orm/postgresql';
import { advanceDelivery, type DeliveryState } from '../domain/delivery.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { InboundStatusEvent } from '../ports/customer-channel.ts';
import type { UpdateDeliveryResult } from './update-delivery.ts';

/** A provider's status callback, as ingest has it. */
export type StatusFacts = Pick<InboundStatusEvent, 'provider' | 'providerMessageId' | 'state' | 'reason'> & {
  at?: Date;
};

/** A callback the batch applied (changed or not), with the events to dispatch. */
export interface AppliedStatus {
  result: UpdateDeliveryResult;
  events: DomainEvent[];
}

/** A callback applied by the web process's group commit; null: take the full use-case alone. */
export type StatusShortcut = (channel: string, status: StatusFacts) => Promise<AppliedStatus | null>;

interface Row {
  id: string;
  provider: string;
  provider_message_id: string;
  channel: string | null;
  delivery_state: DeliveryState | null;
  delivery_reason: string | null;
  delivery_updated_at: Date | null;
  conversation_id: string;
  group_id: string;
  broadcast_id: string | null;
  author_id: string | null;
}

/**
 * Group commit of update-delivery.ts for callbacks that name a message we sent on this channel
 * (the usual case: a broadcast's receipts arrive in bursts): one transaction locks the messages
 * (in id order, so concurrent batches never deadlock), the states are merged in arrival order by
 * the same `advanceDelivery`, and one statement writes them. Anything else — a message found only
 * by our echoed id, unknown, another channel's, or not sent to a customer — takes the full
 * use-case, which says why.
 */
export async function updateDeliveriesBatch(
  em: EntityManager,
  channel: string,
  items: StatusFacts[],
  now: Date,
): Promise<(AppliedStatus | null)[]> {
  return em.transactional(async (tx) => {
    const sql = tx.getConnection();
    const keys = items.map((i) => ({ provider: i.provider, provider_message_id: i.providerMessageId }));
    const rows: Row[] = await sql.execute(
      LOCK_SQL,
      [JSON.stringify(keys)],
      'all',
      tx.getTransactionContext(),
    );
    const byKey = new Map(rows.map((r) => [`${r.provider}\u0000${r.provider_message_id}`, { ...r }]));
    const changed = new Set<Row>();
    const out = items.map((item): AppliedStatus | null => {
      const row = byKey.get(`${item.provider}\u0000${item.providerMessageId}`);
      if (!row || row.channel !== channel || row.delivery_state == null) return null;
      const previous = row.delivery_state;
      const next = advanceDelivery(previous, item.state);
      const base = { messageId: row.id, conversationId: row.conversation_id, state: next };
      if (next === previous) return { result: { ...base, changed: false }, events: [] };
      row.delivery_state = next;
      row.delivery_updated_at = item.at ?? now;
      if (next === 'failed')
        row.delivery_reason = item.reason?.trim() || 'The provider reported a failure without a reason.';
      else if (previous === 'failed') row.delivery_reason = null;
      changed.add(row);
      const events: DomainEvent[] = [
        {
          type: 'message.delivery_changed',
          conversationId: row.conversation_id,
          groupId: row.group_id,
          messageId: row.id,
          state: next,
        },
      ];
      // R8: a receipt for a broadcast's message moves its progress message on.
      if (row.broadcast_id && row.author_id)
        events.push({
          type: 'broadcast.progress',
          broadcastId: row.broadcast_id,
          userId: row.author_id,
          finished: false,
        });
      return { result: { ...base, changed: true }, events };
    });
    if (changed.size > 0) {
      const updates = [...changed].map((r) => ({
        id: r.id,
        state: r.delivery_state,
        updated_at: r.delivery_updated_at?.toISOString() ?? null,
        reason: r.delivery_reason,
      }));
      await sql.execute(UPDATE_SQL, [JSON.stringify(updates)], 'run', tx.getTransactionContext());
    }
    return out;
  });
}

const LOCK_SQL = `
select m.id, m.provider, m.provider_message_id, m.channel, m.delivery_state, m.delivery_reason,
  m.delivery_updated_at, m.conversation_id, c.group_id, m.meta->>'broadcastId' as broadcast_id, m.author_id
from jsonb_to_recordset(?::jsonb) as k(provider text, provider_message_id text)
  join message m on m.provider = k.provider and m.provider_message_id = k.provider_message_id
  join conversation c on c.id = m.conversation_id
order by m.id
for update of m`;

const UPDATE_SQL = `
update message m set delivery_state = v.state, delivery_updated_at = v.updated_at,
  delivery_due_at = null, delivery_reason = v.reason
from jsonb_to_recordset(?::jsonb) as v(id uuid, state text, updated_at timestamptz, reason text)
where m.id = v.id`;
