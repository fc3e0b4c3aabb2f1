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
  await addSoon(queue, {
    name: kind,
    data,
    opts: {
      jobId: (def.jobId as (p: unknown) => string)(data),
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs },
      delay: opts.delayMs,
      ...(opts.priority ? { priority: opts.priority } : {}),
      // Finished jobs leave Redis: PostgreSQL holds the outcome (failures are logged), and a later
      // wake-up with the same id (the reconciler's) must not be ignored.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
}

type BulkJob = Parameters<Queue['addBulk']>[0][number];
interface Waiting {
  job: BulkJob;
  done: (err?: unknown) => void;
}
/** Jobs asked for in this turn of the event loop, per queue, not yet sent to Redis. */
const waiting = new Map<Queue, Waiting[]>();

/**
 * Adds made in the same turn (a group commit's requests dispatching together, one event's
 * several wake-ups) go to Redis as one pipeline per queue instead of a round trip each.
 */
function addSoon(queue: Queue, job: BulkJob): Promise<void> {
  return new Promise((resolve, reject) => {
    if (waiting.size === 0) process.nextTick(flush);
    const line = waiting.get(queue) ?? [];
    line.push({ job, done: (err) => (err === undefined ? resolve() : reject(err)) });
    waiting.set(queue, line);
  });
}

function flush() {
  const lines = [...waiting];
  waiting.clear();
  for (const [queue, line] of lines) {
    send(queue, line).then(
      () => {
        for (const w of line) w.done();
      },
      (err: unknown) => {
        for (const w of line) w.done(err ?? new Error('enqueue failed'));
      },
    );
  }
}

/** Async, so that even a synchronous throw reaches every caller of the line as a rejection. */
async function send(queue: Queue, line: Waiting[]): Promise<unknown> {
  const [only] = line;
  if (line.length === 1 && only) return queue.add(only.job.name, only.job.data, only.job.opts);
  return queue.addBulk(line.map((w) => w.job));
}
