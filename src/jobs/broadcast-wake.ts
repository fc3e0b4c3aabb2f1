import { enqueue, type Queues } from './queues.ts';

/** A broadcast's progress message is redrawn at most this often (Slack's chat.update is rate-limited). */
export const BROADCAST_PROGRESS_THROTTLE_MS = 3_000;

/** Wakes the broadcast job for its next batch (`wake` names the batch, so each is its own job). */
export function wakeBroadcast(queues: Queues, broadcastId: string, wake: string, delayMs = 0): Promise<void> {
  return enqueue(queues, 'broadcast', { broadcastId, wake }, { delayMs });
}

/**
 * Asks for a redraw of a broadcast's progress message at the end of the current throttle window
 * (or of the window `afterMs` from now): every change in one window becomes one redraw.
 */
export function wakeBroadcastProgress(
  queues: Queues,
  broadcastId: string,
  now: number,
  afterMs = 0,
): Promise<void> {
  const bucket = Math.floor((now + afterMs) / BROADCAST_PROGRESS_THROTTLE_MS);
  const delayMs = Math.max(0, (bucket + 1) * BROADCAST_PROGRESS_THROTTLE_MS - now);
  return enqueue(queues, 'broadcastProgress', { broadcastId, bucket }, { delayMs });
}
