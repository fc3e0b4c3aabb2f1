import type { EntityManager } from '@mikro-orm/postgresql';
import { dueSurveys } from '../use-cases/csat-ask.ts';
import { enqueue, type Queues } from './queues.ts';

/** A close younger than this still has its own csat wake-up on the way. */
const SETTLE_MS = 30_000;

/**
 * R42, for the reconciler: rating requests still due whose csat job was lost. The job id collapses
 * duplicates and the use-case asks only from `due`, so a second run does nothing. Returns how many.
 */
export async function reconcileCsat(deps: {
  em: EntityManager;
  queues: Queues;
  now: Date;
  batch: number;
}): Promise<number> {
  const ids = await dueSurveys(deps.em, new Date(deps.now.getTime() - SETTLE_MS), deps.batch);
  await Promise.all(ids.map((surveyId) => enqueue(deps.queues, 'csat', { surveyId })));
  return ids.length;
}
