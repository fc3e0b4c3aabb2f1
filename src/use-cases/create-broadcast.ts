import { Broadcast } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import {
  audienceIds,
  audienceRefusals,
  type CreateBroadcastInput,
  createBroadcastSchema,
  loadBroadcastScope,
} from './broadcast-audience.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransaction } from './context.ts';
import { parseInput } from './input.ts';
import { audit } from './timeline.ts';

export {
  type BroadcastProgress,
  broadcastProgress,
  broadcastProgressFor,
  type RecipientResult,
} from '../queries/broadcast-progress.ts';
export type { CreateBroadcastInput } from './broadcast-audience.ts';
export { createBroadcastSchema } from './broadcast-audience.ts';

export interface CreateBroadcastResult {
  broadcastId: string;
  total: number;
  /** Recipients waiting to be sent (the broadcast worker sends them in paced batches). */
  queued: number;
  /** Recipients the channel rules (R7) or visibility (R17) leave out, each with its reason. */
  refused: number;
}

/**
 * R8: one message to many contacts, each landing in that contact's own conversation. This commits
 * the broadcast and one row per recipient, nothing more: the broadcast job (send-broadcast-batch)
 * sends them in small paced batches, so a large broadcast never holds one long transaction. A
 * recipient the rules refuse now is recorded with the reason; the others are checked again when sent.
 */
export async function createBroadcast(
  ctx: UseCaseContext,
  actor: Actor,
  raw: CreateBroadcastInput,
): Promise<WithEvents<CreateBroadcastResult>> {
  const input = parseInput(createBroadcastSchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    const { user, group, endpoint } = await loadBroadcastScope(tx, actor, input);
    const ids = await audienceIds(tx, user.account.id, input.target);
    const refusals = await audienceRefusals(tx, { user, group, endpoint }, ids, input, now);
    const refused = [...refusals.values()].filter((r) => r !== null).length;
    const queued = ids.length - refused;
    const broadcast = tx.create(Broadcast, {
      account: group.account,
      group,
      endpoint,
      createdBy: user,
      text: input.text ?? null,
      template: input.template ?? null,
      attachments: input.attachments ?? [],
      target: input.target,
      state: queued > 0 ? 'sending' : 'finished',
      total: ids.length,
      nextBatchDueAt: queued > 0 ? now : null,
      finishedAt: queued > 0 ? null : now,
      progressPosts: {},
      createdAt: now,
    });
    await tx.flush();
    // One statement for the recipients: a 10,000-contact broadcast is committed in a moment.
    const rows = ids.map((contactId) => {
      const r = refusals.get(contactId) ?? null;
      return {
        contact_id: contactId,
        state: r ? 'refused' : 'pending',
        code: r?.code ?? null,
        reason: r?.message ?? null,
      };
    });
    await tx.getConnection().execute(
      `insert into broadcast_recipient (id, broadcast_id, contact_id, state, refused_code, refused_reason, processed_at)
       select gen_random_uuid(), ?, r.contact_id, r.state, r.code, r.reason, case when r.state = 'refused' then ?::timestamptz end
         from json_to_recordset(?::json) as r(contact_id uuid, state text, code text, reason text)`,
      [broadcast.id, now, JSON.stringify(rows)],
      'run',
      tx.getTransactionContext(),
    );
    audit(
      tx,
      group.account,
      actor,
      'broadcast.created',
      null,
      { broadcastId: broadcast.id, total: ids.length, queued, refused },
      now,
    );
    record({ type: 'broadcast.created', broadcastId: broadcast.id, userId: user.id });
    return { broadcastId: broadcast.id, total: ids.length, queued, refused };
  });
}
