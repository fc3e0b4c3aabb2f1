import { LockMode } from '@mikro-orm/core';
import { Broadcast, BroadcastRecipient, type ChannelEndpoint, User } from '../db/entities/index.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import { isAppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { inTransactionRetryingRaces, type UseCaseContext, type WithEvents } from './context.ts';
import { sendToContact } from './send-to-contact.ts';
import { messageCreated } from './timeline.ts';

/** Recipients per batch at most: each batch is one short transaction. */
export const BROADCAST_BATCH_SIZE = 50;
/**
 * A broadcast takes at most this share of its number's send rate, so replies in ordinary
 * conversations on the same number still find free slots (the deliver worker's limiter counts both).
 */
export const BROADCAST_RATE_SHARE = 0.8;

export type BroadcastBatchResult =
  /** `nextInMs`: when the next batch may go, keeping the endpoint's pace. */
  | { outcome: 'sent'; sent: number; refused: number; nextInMs: number }
  | { outcome: 'finished'; sent: number; refused: number }
  /** Another run holds the broadcast right now (a duplicate wake-up): it carries on, not this one. */
  | { outcome: 'busy' }
  | { outcome: 'missing' }
  /** Ordinary traffic was waiting for the workers: nothing sent, the batch goes after `nextInMs`. */
  | { outcome: 'yielded'; nextInMs: number };

/** How long a broadcast steps aside when ordinary traffic is waiting for the workers. */
export const BROADCAST_YIELD_MS = 500;

export interface BroadcastBatchDeps extends UseCaseContext {
  batchSize?: number;
  /**
   * Whether other work waits for the workers (customers' messages, replies): the batch then steps
   * aside, so a broadcast of thousands never makes ordinary traffic wait (R8).
   */
  othersWaiting?: () => Promise<boolean>;
}

/** Messages per second a broadcast may create on this endpoint. */
export function broadcastPace(endpoint: ChannelEndpoint): number {
  const rate =
    Number(endpoint.settings.sendRatePerSecond) || capabilitiesOf(endpoint.channel)?.sendRatePerSecond || 1;
  return rate * BROADCAST_RATE_SHARE;
}

/**
 * R8: sends the next batch of a broadcast's pending recipients, in one short transaction: each
 * recipient's message is created through sendToContact (R7, R17 checked again now) and linked on
 * its row, which leaves `pending` in the same commit, so a recipient is never sent twice even if
 * the worker dies between batches; a refusal is recorded with its reason and does not stop the others.
 */
export async function sendBroadcastBatch(
  deps: BroadcastBatchDeps,
  broadcastId: string,
): Promise<WithEvents<BroadcastBatchResult>> {
  const clock = deps.now ?? (() => new Date());
  const started = clock().getTime();
  return inTransactionRetryingRaces(deps, async (tx, record, now) => {
    const [held] = await tx
      .getConnection()
      .execute<{ id: string; state: string }[]>(
        `select id, state from broadcast where id = ? for update skip locked`,
        [broadcastId],
        'all',
        tx.getTransactionContext(),
      );
    if (!held) {
      const exists = await tx.count(Broadcast, { id: broadcastId });
      return { outcome: exists > 0 ? 'busy' : 'missing' } as BroadcastBatchResult;
    }
    const broadcast = await tx.findOneOrFail(
      Broadcast,
      { id: broadcastId },
      { populate: ['group', 'endpoint', 'createdBy'] },
    );
    if (broadcast.state !== 'sending') return { outcome: 'finished', sent: 0, refused: 0 };
    if (deps.othersWaiting && (await deps.othersWaiting())) {
      // Due again soon, so the reconciler does not take the pause for a lost wake-up.
      broadcast.nextBatchDueAt = new Date(now.getTime() + BROADCAST_YIELD_MS);
      return { outcome: 'yielded', nextInMs: BROADCAST_YIELD_MS };
    }
    const pace = broadcastPace(broadcast.endpoint);
    const size = Math.max(1, Math.min(deps.batchSize ?? BROADCAST_BATCH_SIZE, Math.floor(pace) || 1));
    const pending = await tx.find(
      BroadcastRecipient,
      { broadcast, state: 'pending' },
      {
        populate: ['contact'],
        orderBy: { contact: 'asc' },
        limit: size,
        lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
      },
    );
    const user = await tx.findOneOrFail(User, { id: broadcast.createdBy.id });
    const events: DomainEvent[] = [];
    let sent = 0;
    let refused = 0;
    for (const r of pending) {
      r.processedAt = now;
      if (!user.active) {
        r.state = 'refused';
        r.refusedCode = 'sender_inactive';
        r.refusedReason = `${user.name}'s Parley user was deactivated before this recipient was sent.`;
        refused += 1;
        continue;
      }
      try {
        const out = await sendToContact(tx, {
          user,
          group: broadcast.group,
          contact: r.contact,
          channel: broadcast.endpoint.channel,
          endpoint: broadcast.endpoint,
          text: broadcast.text,
          template: broadcast.template,
          attachments: broadcast.attachments,
          meta: { broadcastId: broadcast.id },
          now,
        });
        r.state = 'sent';
        r.message = out.message;
        sent += 1;
        if (out.opened)
          events.push({
            type: 'conversation.opened',
            conversationId: out.conversation.id,
            groupId: broadcast.group.id,
          });
        events.push(messageCreated(out.conversation, out.message));
      } catch (e) {
        // Any refusal concerns this recipient only (its rules are checked before anything is
        // written); anything else rolls the batch back and the job tries it again.
        if (!isAppError(e)) throw e;
        r.state = 'refused';
        r.refusedCode =
          typeof e.details?.reason === 'string'
            ? e.details.reason
            : e.details?.rule === 'R17'
              ? 'restricted'
              : e.code;
        r.refusedReason = e.message;
        refused += 1;
      }
    }
    await tx.flush();
    const left = await tx.count(BroadcastRecipient, { broadcast, state: 'pending' });
    // The pace counts from this batch's start: the time the batch took is part of its slot.
    const elapsed = clock().getTime() - started;
    const nextInMs = left > 0 ? Math.max(0, Math.ceil((sent * 1000) / pace) - elapsed) : 0;
    if (left === 0) {
      broadcast.state = 'finished';
      broadcast.finishedAt = now;
      broadcast.nextBatchDueAt = null;
    } else {
      broadcast.nextBatchDueAt = new Date(now.getTime() + nextInMs);
    }
    record(...events, {
      type: 'broadcast.progress',
      broadcastId: broadcast.id,
      userId: user.id,
      finished: left === 0,
    });
    return left === 0 ? { outcome: 'finished', sent, refused } : { outcome: 'sent', sent, refused, nextInMs };
  });
}
