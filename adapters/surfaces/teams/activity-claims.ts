import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TeamsActivity } from '../../../src/db/entities/index.ts';

/**
 * Teams sends an activity again when our answer took more than about 15 s, and sometimes twice
 * anyway. Before its handler runs, an activity is claimed by its (activity id, conversation id)
 * in PostgreSQL: exactly one delivery wins the insert. A handler that throws gives the claim back,
 * so Teams' retry runs it; a claim older than a day is pruned (Teams retries within minutes).
 */
export interface ActivityKey {
  activityId: string;
  conversationId: string;
  type: string;
}

/** How long a claim is kept. */
export const CLAIM_TTL_MS = 24 * 3600_000;

/** True when this delivery is the first: the caller runs the handler. */
export async function claimActivity(em: EntityManager, key: ActivityKey): Promise<boolean> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `insert into teams_activity (id, activity_id, conversation_id, type, created_at) values (?, ?, ?, ?, ?)
       on conflict (activity_id, conversation_id) do nothing returning id`,
    [randomUUID(), key.activityId, key.conversationId, key.type, new Date()],
  );
  return rows.length === 1;
}

/** Gives a claim back after its handler failed, so the next delivery runs it. */
export async function releaseActivity(em: EntityManager, key: ActivityKey): Promise<void> {
  await em.nativeDelete(TeamsActivity, { activityId: key.activityId, conversationId: key.conversationId });
}

/** Removes claims older than the TTL (the `teamsCleanup` job); returns how many went. */
export function pruneActivityClaims(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(TeamsActivity, { createdAt: { $lt: new Date(now.getTime() - CLAIM_TTL_MS) } });
}

/**
 * Runs `handler` once per activity: a delivery that finds the activity claimed gets `duplicate()`
 * instead. A thrown handler releases the claim and rethrows (the SDK answers 500; Teams retries).
 */
export async function runOnce<T>(
  em: () => EntityManager,
  key: ActivityKey,
  handler: () => Promise<T>,
  duplicate: () => T,
): Promise<T> {
  if (!(await claimActivity(em(), key))) return duplicate();
  try {
    return await handler();
  } catch (err) {
    try {
      await releaseActivity(em(), key);
    } catch (releaseErr) {
      throw new AggregateError(
        [err, releaseErr],
        `Teams activity ${key.activityId} failed and its claim could not be released: retries of it are dropped until it is pruned`,
      );
    }
    throw err;
  }
}
