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
}

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
    // Finished jobs leave Redis: PostgreSQL holds the outcome (failures are logged), and a later
    // wake-up with the same id (the reconciler's) must not be ignored.
    removeOnComplete: true,
    removeOnFail: true,
  });
}
