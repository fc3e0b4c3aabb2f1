import { pruneActivityClaims } from '../adapters/surfaces/teams/activity-claims.ts';
import type { Processor } from '../src/jobs/worker.ts';

/** teams-cleanup: Teams activity claims older than a day leave PostgreSQL. Safe to run twice. */
export function teamsCleanupProcessor(deps: { now?: () => Date } = {}): Processor<'teamsCleanup'> {
  return async (_payload, { em }) => ({ pruned: await pruneActivityClaims(em, deps.now?.() ?? new Date()) });
}
