import type { Redis } from 'ioredis';
import { type HomeFilters, parseHomeFilters } from '../../../src/queries/home-data.ts';

/**
 * What App Home remembers per Parley user, in Redis: the filters of My inbox and Team inbox (so a
 * redraw keeps them), and when the user last looked at the tab (the surface redraws the Home of
 * users who looked lately, not of everyone, to stay inside Slack's rate limits).
 */
export interface HomeStoreDeps {
  redis: Redis;
  prefix: string;
}

/** Filters are forgotten a month after their last change: the defaults are a fine start again. */
const FILTERS_TTL_SECONDS = 30 * 24 * 3600;
/** Viewers not seen for this long are dropped from the set, so it does not grow for ever. */
const VIEWERS_KEEP_MS = 30 * 24 * 3600 * 1000;

const filtersKey = (deps: HomeStoreDeps, userId: string) => `${deps.prefix}:slack:home-filters:${userId}`;
const viewersKey = (deps: HomeStoreDeps) => `${deps.prefix}:slack:home-viewers`;

export async function loadHomeFilters(deps: HomeStoreDeps, userId: string): Promise<HomeFilters> {
  // Missing, expired or unreadable: the defaults.
  return parseHomeFilters(await deps.redis.get(filtersKey(deps, userId)));
}

export async function saveHomeFilters(
  deps: HomeStoreDeps,
  userId: string,
  filters: HomeFilters,
): Promise<void> {
  await deps.redis.set(filtersKey(deps, userId), JSON.stringify(filters), 'EX', FILTERS_TTL_SECONDS);
}

/** The user opened their App Home tab just now. */
export async function markHomeViewer(deps: HomeStoreDeps, userId: string, now = Date.now()): Promise<void> {
  await deps.redis
    .multi()
    .zadd(viewersKey(deps), now, userId)
    .zremrangebyscore(viewersKey(deps), '-inf', now - VIEWERS_KEEP_MS)
    .exec();
}

/** Whether the user opened their App Home tab within the last `withinMs`. */
export async function isRecentHomeViewer(
  deps: HomeStoreDeps,
  userId: string,
  withinMs: number,
  now = Date.now(),
): Promise<boolean> {
  const score = await deps.redis.zscore(viewersKey(deps), userId);
  return score !== null && Number(score) >= now - withinMs;
}
