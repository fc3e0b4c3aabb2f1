import type { DomainEvent } from '../src/domain/events.ts';
import { wakeBroadcast, wakeBroadcastProgress } from '../src/jobs/broadcast-wake.ts';
import { othersWaitingFor } from '../src/jobs/broadcast-yield.ts';
import type { Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { sendBroadcastBatch } from '../src/use-cases/send-broadcast-batch.ts';
import { showBroadcastProgress } from '../src/use-cases/show-broadcast-progress.ts';

/** While deliveries are still moving, the progress message is looked at again this often. */
const FOLLOW_MS = 10_000;

/**
 * broadcast: one batch, then the next batch is enqueued after the endpoint's pace (never a sleep),
 * so the queue's one lane is free for other broadcasts in between.
 */
export function broadcastProcessor(deps: {
  queues: Queues;
  dispatch: (events: DomainEvent[], how?: { background?: boolean }) => Promise<void>;
  batchSize?: number;
}): Processor<'broadcast'> {
  const othersWaiting = othersWaitingFor(deps.queues);
  return async ({ broadcastId }, { em }) => {
    const res = await sendBroadcastBatch(
      // A batch's deliveries and threads queue behind ordinary traffic (dispatch.ts `background`).
      {
        em,
        dispatch: (events) => deps.dispatch(events, { background: true }),
        batchSize: deps.batchSize,
        othersWaiting,
      },
      broadcastId,
    );
    if (res.outcome === 'sent' || res.outcome === 'yielded')
      await wakeBroadcast(deps.queues, broadcastId, `b${Date.now()}`, res.nextInMs);
    return res.outcome;
  };
}

/** broadcast-progress: redraw the creator's progress message; follow receipts while they come. */
export function broadcastProgressProcessor(deps: {
  surfaces: SurfaceRegistry;
  queues: Queues;
}): Processor<'broadcastProgress'> {
  return async ({ broadcastId }, { em }) => {
    const res = await showBroadcastProgress({ em, surfaces: deps.surfaces }, broadcastId);
    const now = Date.now();
    if (res.outcome === 'retry') await wakeBroadcastProgress(deps.queues, broadcastId, now, res.retryAfterMs);
    else if (res.followAgain) await wakeBroadcastProgress(deps.queues, broadcastId, now, FOLLOW_MS);
    return res.outcome;
  };
}
