import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import { Message } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { advanceDelivery, type DeliveryState } from '../domain/delivery.ts';
import { AppError } from '../domain/errors.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';

export const updateDeliverySchema = z
  .object({
    provider: z.string().min(1).optional(),
    providerMessageId: z.string().min(1).optional(),
    messageId: z.uuid().optional(),
    state: z.enum(['sent', 'delivered', 'read', 'failed']),
    reason: z.string().optional(),
    at: z.coerce.date().optional(),
  })
  .refine(
    (u) => !!u.messageId || (!!u.provider && !!u.providerMessageId),
    'Give messageId, or provider and providerMessageId.',
  );

export type UpdateDeliveryInput = z.input<typeof updateDeliverySchema>;

export interface UpdateDeliveryResult {
  messageId: string;
  conversationId: string;
  state: DeliveryState;
  /** False when the update was a repeat or arrived after a later state (nothing changed). */
  changed: boolean;
}

/**
 * A provider reports what happened to an outbound message (R29: sent, delivered, read, failed with
 * a reason). Callbacks repeat and arrive out of order; `advanceDelivery` keeps the furthest state.
 */
export async function updateDelivery(
  ctx: UseCaseContext,
  actor: Actor,
  raw: UpdateDeliveryInput,
): Promise<WithEvents<UpdateDeliveryResult>> {
  if (actor.kind !== 'provider' && actor.kind !== 'system') {
    throw new AppError('forbidden', 'Only a channel provider reports delivery states.');
  }
  const input = parseInput(updateDeliverySchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    // The row lock serialises concurrent callbacks for one message (delivered and read together).
    const lock = { lockMode: LockMode.PESSIMISTIC_WRITE } as const;
    let msg =
      input.provider && input.providerMessageId
        ? await tx.findOne(
            Message,
            { provider: input.provider, providerMessageId: input.providerMessageId },
            lock,
          )
        : null;
    // A provider that echoes our id (WhatsApp's biz_opaque_callback_data) settles a send whose
    // answer we never got (a timeout after the provider accepted it): we learn its id here.
    if (!msg && input.messageId) msg = await tx.findOne(Message, { id: input.messageId }, lock);
    if (msg && !msg.providerMessageId && input.provider && input.providerMessageId) {
      msg.provider = input.provider;
      msg.providerMessageId = input.providerMessageId;
    }
    const otherProvider = actor.kind === 'provider' && msg?.channel != null && msg.channel !== actor.channel;
    if (!msg || otherProvider) {
      throw new AppError(
        'not_found',
        'No outbound message matches this status update; it may have been deleted.',
      );
    }
    if (msg.deliveryState == null) {
      throw new AppError(
        'bad_request',
        'That message was not sent to a customer, so it has no delivery state.',
      );
    }
    const previous = msg.deliveryState;
    const next = advanceDelivery(previous, input.state);
    const base = { messageId: msg.id, conversationId: msg.conversation.id, state: next };
    if (next === previous) return { ...base, changed: false };

    msg.deliveryState = next;
    msg.deliveryUpdatedAt = input.at ?? now;
    msg.deliveryDueAt = null;
    if (next === 'failed')
      msg.deliveryReason = input.reason?.trim() || 'The provider reported a failure without a reason.';
    else if (previous === 'failed') msg.deliveryReason = null;
    await tx.populate(msg, ['conversation']);
    record({
      type: 'message.delivery_changed',
      conversationId: msg.conversation.id,
      groupId: msg.conversation.group.id,
      messageId: msg.id,
      state: next,
    });
    // R8: a receipt for a broadcast's message moves its progress message on.
    const broadcastId = msg.meta?.broadcastId;
    if (typeof broadcastId === 'string' && msg.author)
      record({ type: 'broadcast.progress', broadcastId, userId: msg.author.id, finished: false });
    return { ...base, changed: true };
  });
}
