import type { Redis } from 'ioredis';
import { type HomeFilters, parseHomeFilters } from '../../../../src/queries/home-data.ts';

/**
 * The filters of each viewer's Teams dashboard (My inbox, Team inbox), kept in Redis per Parley
 * user, so a redraw after something changed (home.ts) shows what the viewer chose. Forgotten a
 * month after the last change: the defaults are a fine start again.
 */
export interface DashboardStoreDeps {
  redis: Redis;
  prefix: string;
}

const FILTERS_TTL_SECONDS = 30 * 24 * 3600;
const key = (deps: DashboardStoreDeps, userId: string) => `${deps.prefix}:teams:dashboard-filters:${userId}`;

export async function loadDashboardFilters(deps: DashboardStoreDeps, userId: string): Promise<HomeFilters> {
  // Missing, expired or unreadable: the defaults.
  return parseHomeFilters(await deps.redis.get(key(deps, userId)));
}

export async function saveDashboardFilters(
  deps: DashboardStoreDeps,
  userId: string,
  filters: HomeFilters,
): Promise<void> {
  await deps.redis.set(key(deps, userId), JSON.stringify(filters), 'EX', FILTERS_TTL_SECONDS);
}
