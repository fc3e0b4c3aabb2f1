import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Conversation, Message, SurfacePost } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransaction } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';

export const reviseOwnMessageSchema = z.object({
  /** The chat surface key the message was written under (`slack:<channel>:<ts>`). */
  sourceRef: z.string().min(1),
  change: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('edit'), text: z.string().min(1) }),
    z.object({ kind: z.literal('withdraw') }),
  ]),
});

export type ReviseOutcome =
  /** The change applies: the customer will get the new text, or nothing. */
  | 'edited'
  | 'withdrawn'
  /** The customer already has (or is getting) the message: the change stays on the chat surface only. */
  | 'already_sent'
  /** Not a message Parley recorded, or not the user's own. */
  | 'unknown';

/**
 * An agent edits or deletes, on a chat surface, a message they wrote there (issue 4). Before the
 * deliver worker claims a reply (state `queued`), the edit changes what the customer gets and a
 * deletion withdraws it; the row lock makes the claim wait, so the two never cross. After that the
 * customer already has it: the caller tells the agent so. Notes are internal: edits always apply.
 */
export async function reviseOwnMessage(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof reviseOwnMessageSchema>,
): Promise<WithEvents<{ outcome: ReviseOutcome; messageId: string | null }>> {
  const input = parseInput(reviseOwnMessageSchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const found = await tx.findOne(Message, { sourceRef: input.sourceRef }, { populate: ['conversation'] });
    if (!found || found.author?.id !== user.id) return { outcome: 'unknown' as const, messageId: null };
    const conv = await loadConversationFor(tx, user, found.conversation.id);
    const message = await tx.findOneOrFail(Message, found.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const editable =
      message.kind === 'note' || (message.kind === 'reply' && message.deliveryState === 'queued');
    if (!editable || (message.kind === 'note' && input.change.kind === 'withdraw')) {
      return { outcome: 'already_sent' as const, messageId: message.id };
    }
    if (input.change.kind === 'edit') {
      if (message.template) throw new AppError('rule_violation', 'A template message cannot be edited.');
      message.text = input.change.text;
    } else {
      message.deliveryState = 'failed';
      message.deliveryReason = 'Withdrawn by its author before it was sent.';
      message.deliveryDueAt = null;
      message.deliveryUpdatedAt = now;
    }
    message.meta = {
      ...message.meta,
      revisedAt: now.toISOString(),
      ...(input.change.kind === 'withdraw' ? { withdrawn: true } : {}),
    };
    await tx.flush();
    // R11: a withdrawn reply answered nothing, so the customer's messages wait again.
    if (input.change.kind === 'withdraw') await recountUnreplied(tx, conv);
    // Posts of this message in other threads show the old text: mark them for a redraw.
    await tx.nativeUpdate(SurfacePost, { message: message.id }, { shownState: 'revised' });
    record({
      type: 'message.delivery_changed',
      conversationId: conv.id,
      groupId: conv.group.id,
      messageId: message.id,
      state: message.deliveryState ?? 'note',
    });
    return {
      outcome: input.change.kind === 'edit' ? ('edited' as const) : ('withdrawn' as const),
      messageId: message.id,
    };
  });
}

/** Recomputes the conversation's unreplied messages from its timeline (after a reply was withdrawn). */
async function recountUnreplied(tx: EntityManager, conv: Conversation): Promise<void> {
  const conn = tx.getConnection();
  const ctx = tx.getTransactionContext();
  const [last] = await conn.execute<{ seq: number }[]>(
    `select coalesce(max(seq), 0) as seq from message
     where conversation_id = ?
       and ((kind = 'reply' and not coalesce((meta->>'withdrawn')::boolean, false))
         or (kind = 'ai' and not coalesce((meta->>'aiHandoff')::boolean, false)))`,
    [conv.id],
    'all',
    ctx,
  );
  const waiting = await conn.execute<{ n: number; oldest: Date | null }[]>(
    `update message set awaiting_reply = true
     where conversation_id = ? and seq > ? and kind = 'inbound' and (meta->'reaction') is null
     returning 1 as n, created_at as oldest`,
    [conv.id, last?.seq ?? 0],
    'all',
    ctx,
  );
  conv.unrepliedCount = waiting.length;
  conv.oldestUnrepliedAt = waiting.length
    ? new Date(Math.min(...waiting.map((w) => new Date(w.oldest!).getTime())))
    : null;
}
