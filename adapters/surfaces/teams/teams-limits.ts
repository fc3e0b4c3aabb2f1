import { createHash } from 'node:crypto';
import type { RateWindow } from '../shared/place-limits.ts';

/**
 * Teams counts sliding windows, and Parley must never go over one: a GCRA pace of `limit` at once,
 * then the rate, lets up to twice a window's limit into one period, and Teams answers that with
 * 429s (then a back-off: lag). So (shared/place-limits.ts):
 * - the short windows (a second, two, the app's second) are exact logs: a burst may spend one
 *   whole, and the wait after it is under two seconds;
 * - the long ones are GCRA with a burst small enough that no span of the period can hold more
 *   than the limit: a hot thread is paced evenly (about 1.8 posts a second, then one every 3 s
 *   once it has spent 600 in an hour) instead of spending 60 posts in 15 s and then waiting 15 s;
 * - each is counted over MARGIN_MS more than Teams' period, since Teams counts a call when it
 *   arrives, after its slot was taken here and the attempt committed (post-in-order.ts): 100 ms
 *   covers that but for a rare slow commit, whose 429 the back-off absorbs;
 * - a fifth of each is kept for posts: a background call (a header's count redrawn) only takes a
 *   slot while that much is left, so when posts need the whole window the glance waits, not the
 *   messages.
 */
const MARGIN_MS = 100;
const fifth = (n: number) => Math.ceil(n / 5);
const exact = (name: string, limit: number, periodMs: number): RateWindow => ({
  name,
  limit,
  periodMs,
  sliding: true,
  marginMs: MARGIN_MS,
  reserve: fifth(limit),
});
const even = (name: string, limit: number, periodMs: number, burst: number): RateWindow => ({
  name,
  limit,
  periodMs,
  burst,
  marginMs: MARGIN_MS,
  reserve: fifth(burst),
});

/** Teams' limits for a bot in one thread (a channel post's thread, a personal chat). */
export const TEAMS_THREAD_WINDOWS: RateWindow[] = [
  exact('1s', 7, 1_000),
  exact('2s', 8, 2_000),
  even('30s', 60, 30_000, 8),
  even('1h', 1_800, 3_600_000, 600),
];
/**
 * And for the app across the tenant: 50 requests a second, of which background calls take at
 * most 5: what they take while posts are few would otherwise be missing when posts come back.
 */
export const TEAMS_APP_WINDOWS: RateWindow[] = [
  exact('app', 50, 1_000),
  { ...exact('app-background', 5, 1_000), reserve: 0, backgroundOnly: true },
];

/**
 * A background call refused to keep the reserve comes back at the next point of its place's own
 * 5 s grid (as long as a header count's own pause by default, HEADER_COUNT_REDRAW_MS) at least
 * half of it away. While posts keep the window full it would only be refused again, each time in
 * a mirror run that holds the conversation's lock while a new message's run waits for it: on the
 * grid, every run of one conversation that is refused within 5 s asks to come back at the same
 * moment (one later run, not one per message), and the places' grids are spread over the 5 s, so
 * the redraws of many conversations do not all come back at once.
 */
const BACKGROUND_RETRY_MS = 5_000;

/** The wait to give a refused background call at `place` that had to wait `atLeastMs`. */
export function backgroundWait(place: string, atLeastMs: number, now: number): number {
  const phase = createHash('sha1').update(place).digest().readUInt32BE(0) % BACKGROUND_RETRY_MS;
  const earliest = now + Math.max(atLeastMs, BACKGROUND_RETRY_MS / 2);
  return phase + Math.ceil((earliest - phase) / BACKGROUND_RETRY_MS) * BACKGROUND_RETRY_MS - now;
}
