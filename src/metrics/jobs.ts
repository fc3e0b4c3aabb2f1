import type { Job } from 'bullmq';
import type { LogContext } from '../log-context.ts';
import type { Metrics } from './registry.ts';

/** A job's ids for its log lines: jobs carry ids only (registry.ts), a message's or a conversation's. */
export function jobLogContext(queue: string, job: Job): LogContext {
  const data = job.data as { messageId?: unknown; conversationId?: unknown } | null;
  return {
    queue,
    ...(job.id ? { jobId: job.id } : {}),
    ...(typeof data?.messageId === 'string' ? { messageId: data.messageId } : {}),
    ...(typeof data?.conversationId === 'string' ? { conversationId: data.conversationId } : {}),
  };
}

/**
 * Runs one job and counts it: by queue and outcome (completed, failed), how long it waited
 * after it was due (created, plus its delay), and how long it ran.
 */
export async function observeJob<T>(
  metrics: Metrics | undefined,
  queue: string,
  job: Job,
  run: () => Promise<T>,
): Promise<T> {
  if (!metrics) return run();
  // A job whose Redis hash was lost (Redis restarted empty) has no times: its wait is unknown,
  // and counting must never fail the job itself.
  const waitedMs = (job.processedOn ?? Date.now()) - (job.timestamp + (job.delay ?? 0));
  if (Number.isFinite(waitedMs)) metrics.jobWait.observe({ queue }, Math.max(0, waitedMs) / 1000);
  const started = performance.now();
  let outcome = 'failed';
  try {
    const result = await run();
    outcome = 'completed';
    return result;
  } finally {
    metrics.jobRun.observe({ queue, outcome }, (performance.now() - started) / 1000);
    metrics.jobs.inc({ queue, outcome });
  }
}
