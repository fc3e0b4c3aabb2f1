import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type JobKind, type JobPayload, jobDefinitions, queueNames } from './registry.ts';

export interface Queues {
  readonly byName: ReadonlyMap<string, Queue>;
  readonly prefix: string;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const byName = new Map(queueNames.map((name) => [name, new Queue(name, { connection, prefix })]));
  return {
    byName,
    prefix,
    close: async () => {
      await Promise.all([...byName.values()].map((q) => q.close()));
    },
  };
}

export interface EnqueueOptions {
  delayMs?: number;
  /**
   * BullMQ priority (1 = highest of the prioritized; a job without one goes before them all): work
   * that can wait behind everyone's, such as a broadcast's deliveries and threads.
   */
  priority?: number;
}

/** The priority of background work (BullMQ runs every job without a priority first). */
export const BACKGROUND_PRIORITY = 100;

/** Typed enqueue: the payload is checked against the job's schema before it reaches Redis. */
export async function enqueue<K extends JobKind>(
  queues: Queues,
  kind: K,
  payload: JobPayload<K>,
  opts: EnqueueOptions = {},
): Promise<void> {
  const def = jobDefinitions[kind];
  const data = def.payload.parse(payload);
  const queue = queues.byName.get(def.queue);
  if (!queue) throw new Error(`queue ${def.queue} missing`);
  await queue.add(kind, data, {
    jobId: (def.jobId as (p: unknown) => string)(data),
    attempts: def.attempts,
    backoff: { type: 'exponential', delay: def.backoffMs },
    delay: opts.delayMs,
    ...(opts.priority ? { priority: opts.priority } : {}),
    // Finished jobs leave Redis: PostgreSQL holds the outcome (failures are logged), and a later
    // wake-up with the same id (the reconciler's) must not be ignored.
    removeOnComplete: true,
    removeOnFail: true,
  });
}
