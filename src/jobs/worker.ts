import type { EntityManager } from '@mikro-orm/postgresql';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Orm } from '../db/orm.ts';
import { withLogContext } from '../log-context.ts';
import type { Logger } from '../logger.ts';
import { jobLogContext, observeJob } from '../metrics/jobs.ts';
import type { Metrics } from '../metrics/registry.ts';
import { type JobKind, jobDefinitions, kindOfQueue, type ParsedPayload } from './registry.ts';

/** A thin processor: parse the ids, fork an EntityManager, call one use-case. */
export type Processor<K extends JobKind> = (
  payload: ParsedPayload<K>,
  ctx: { em: EntityManager; job: Job },
) => Promise<unknown>;
export type Processors = { [K in JobKind]?: Processor<K> };

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs and waits for the running ones to finish (graceful shutdown). */
  close(): Promise<void>;
}

export function startWorkers(opts: {
  connection: Redis;
  prefix: string;
  orm: Orm;
  processors: Processors;
  concurrency: number;
  /** The process's database pool size (DATABASE_POOL_MAX). */
  poolMax: number;
  /** Queues that run more (or fewer) jobs at once than `concurrency`, e.g. ai-reply (AI_CONCURRENCY). */
  queueConcurrency?: Partial<Record<string, number>>;
  logger: Logger;
  /** Jobs by queue and outcome, their wait and run times; none: not counted. */
  metrics?: Metrics;
}): RunningWorkers {
  const queues = [
    ...new Set((Object.keys(opts.processors) as JobKind[]).map((k) => jobDefinitions[k].queue)),
  ];
  const workers = queues.map((queue) => {
    const worker = new Worker(
      queue,
      // Its log lines carry the job's queue, id and the message or conversation it is about.
      (job) =>
        withLogContext(jobLogContext(queue, job), () =>
          observeJob(opts.metrics, queue, job, () => {
            const kind = kindOfQueue(queue);
            const processor = opts.processors[kind] as Processor<typeof kind> | undefined;
            if (!processor) throw new Error(`no processor for ${kind}`);
            if (lostWithRedis(job)) {
              opts.logger.warn(
                { queue, jobId: job.id },
                'a job came back without its data (Redis lost it); the reconciler redoes its work from PostgreSQL',
              );
              return Promise.resolve();
            }
            const payload = jobDefinitions[kind].payload.parse(job.data) as ParsedPayload<typeof kind>;
            return processor(payload, { em: opts.orm.em.fork() as EntityManager, job });
          }),
        ),
      { connection: opts.connection, prefix: opts.prefix, concurrency: concurrencyOf(queue, opts) },
    );
    // Outside the job's log context: its ids are given here, so a grep for the message finds this too.
    worker.on('failed', (job, err) =>
      opts.logger.error(
        { err, ...(job ? jobLogContext(queue, job) : { queue }), attempts: job?.attemptsMade },
        'job failed',
      ),
    );
    worker.on('error', (err) => opts.logger.error({ err, queue }, 'worker error'));
    return worker;
  });
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/**
 * Jobs that hold a connection while waiting for a second one (a per-conversation lock) could take
 * every connection of the pool and wait on each other for ever. Keeping them at most the pool
 * size minus two (one for the reconciler's lock, one always free) guarantees progress.
 */
export function concurrencyOf(
  queue: string,
  opts: { concurrency: number; poolMax: number; queueConcurrency?: Partial<Record<string, number>> },
): number {
  // ai-reply jobs mostly wait for the model, holding no connection meanwhile: they get their own figure.
  const own = opts.queueConcurrency?.[queue];
  if (own !== undefined) return own;
  const holds = Object.values(jobDefinitions).some(
    (d) => d.queue === queue && 'holdsConnection' in d && d.holdsConnection,
  );
  return holds ? Math.max(1, Math.min(opts.concurrency, opts.poolMax - 2)) : opts.concurrency;
}

/**
 * A job id left in a list whose hash Redis no longer has (restarted empty, keys evicted): BullMQ
 * hands it over with no name, no data and no times. Its work is not lost — PostgreSQL says what
 * is due and the reconciler wakes it again — so it is not a failure to retry.
 */
function lostWithRedis(job: Job): boolean {
  return !job.name && Number.isNaN(job.timestamp);
}
