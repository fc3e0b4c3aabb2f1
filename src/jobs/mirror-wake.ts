import { type EnqueueOptions, enqueue, type Queues } from './queues.ts';
import { slotOf } from './spread.ts';

/**
 * Mirror runs that can wait a little are put on this grid and named by their slot, so every wake
 * of one conversation that falls due at about the same time (each new message's run while the
 * header's count is paced, a reply's "queued" then "sent") becomes one delayed job instead of a
 * crowd of them. Each conversation's grid has its own offset (spread.ts).
 */
export const MIRROR_GRID_MS = 250;

/** Wakes the conversation's mirror at once: something the team must see (a customer's message). */
export function mirrorNow(
  queues: Queues,
  conversationId: string,
  now = Date.now(),
  opts: Pick<EnqueueOptions, 'priority'> = {},
): Promise<void> {
  return enqueue(queues, 'mirror', { conversationId, rev: `${now}` }, opts);
}

/** Wakes it after at least `waitMs`, on the next grid slot (strictly later than now, so never a running job's own id). */
export function mirrorLater(
  queues: Queues,
  conversationId: string,
  waitMs: number,
  now = Date.now(),
  opts: Pick<EnqueueOptions, 'priority'> = {},
): Promise<void> {
  const { slot, endsAt } = slotOf(conversationId, MIRROR_GRID_MS, now + Math.max(waitMs, 1));
  return enqueue(
    queues,
    'mirror',
    { conversationId, rev: `at${slot + 1}` },
    { delayMs: endsAt - now, ...opts },
  );
}
