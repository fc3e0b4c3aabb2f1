import type { Redis } from 'ioredis';
import type { VendorCalls } from '../../../src/metrics/vendor-calls.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { HOLD_SCRIPT, PACE_BODY, PACE_SCRIPT } from './rate-scripts.ts';
import { waitingLineScript } from './waiting-line.ts';

const LINE_SCRIPT = waitingLineScript(PACE_BODY);
/** How long past its turn a waiter keeps its place in a line (waiting-line.ts). */
const LINE_GRACE_MS = 30_000;

/**
 * How a chat surface waits (DESIGN 5, "Shared surface machinery"): posts are paced per place
 * (a Slack channel, a Teams thread) in one or more rate windows, and a 429 holds what it limited
 * (a place, a method, the app) for the platform's `Retry-After`, or by an exponential back-off
 * kept per scope when it named no time. When a call must wait this throws SurfaceRetryLater
 * without calling, so the job is delayed and other places go on; nothing sleeps. The state is in
 * Redis, shared by every worker; losing it costs one burst or one early retry, never a message.
 *
 * Keys: `<prefix>:<surface>:hold:<scope>`, `<prefix>:<surface>:backoff:<scope>`,
 * `<prefix>:<surface>:pace:place:<place>:<window>` and `<prefix>:<surface>:pace:app:<window>`
 * (`log` instead of `pace` for a sliding window: a list, not a number).
 */

/**
 * A rate window: `limit` calls per `periodMs`, kept one of three ways. Give several windows to
 * bound a burst and a rate at once (Teams: 7/1 s, 8/2 s, 60/30 s, 1,800/1 h).
 * - Neither `burst` nor `sliding` (Slack): GCRA, `limit` calls at once, then one every
 *   `periodMs / limit` (rounded up to whole ms). Over a span L it admits at most
 *   limit + ceil(L * limit / periodMs) - 1: the long-run rate is exact, but one period can see up
 *   to 2 * limit - 1. For a platform that allows bursts over its rate.
 * - `burst`: GCRA, `burst` calls at once, then one every T = ceil(P / (limit - burst + 1)) ms,
 *   where P = periodMs + marginMs. GCRA admits at most burst + ceil(L / T) - 1 calls in a span
 *   shorter than L, so no span of P ever holds more than `limit`. Smooth: for a long window, where
 *   spending the whole limit at once would leave a long stall after it.
 * - `sliding`: a log of the latest `limit` calls; a call is admitted only while fewer than
 *   `limit` fell in the last P ms. Exact, the whole limit at once: for a short window.
 */
export interface RateWindow {
  /** Names the window in keys and in the wait's message ('channel', '2s', 'app'...). */
  name: string;
  limit: number;
  periodMs: number;
  /** Calls at once, at most `limit` (see above). */
  burst?: number;
  sliding?: boolean;
  /**
   * With `burst` or `sliding`: added to the period. The platform counts a call when it arrives, a
   * little after Parley took its slot (recording the attempt, the network): without a margin two
   * calls a period apart here can arrive less than a period apart there.
   */
  marginMs?: number;
  /**
   * Slots a background call (`{ background: true }`: a redraw that can wait) leaves to the others:
   * it is admitted only while the window could still take `reserve` more calls at once (of its
   * burst, or of its limit when sliding). 0 by default.
   */
  reserve?: number;
  /**
   * A window only background calls count in and wait for: it caps how much of a budget calls
   * that can wait take at all (Teams: 5 of the app's 50 a second), so that what they took while
   * the others were few never leaves the others short when they come back.
   */
  backgroundOnly?: boolean;
}

/** A call that can wait for the calls that cannot: it leaves each window's `reserve` to them. */
export interface SlotOptions {
  background?: boolean;
  /**
   * Who waits (a conversation): while a place's slots are short, its waiters are given turns in
   * arrival order (waiting-line.ts) rather than all the same next slot. Only for post slots.
   */
  waiter?: string;
}

/** The wait after a 429 without Retry-After: first, then times factor each time, at most max. */
export interface BackOff {
  firstMs: number;
  maxMs: number;
  factor?: number;
}

export interface PlaceLimitsOptions {
  redis: Redis;
  /** The deployment's key prefix (hash-tagged under Redis Cluster). */
  prefix: string;
  /** 'slack', 'teams': the keys' namespace. */
  surface: string;
  /** How the waits name the platform ('Slack'); the surface name when not given. */
  label?: string;
  /** Windows each place has of its own. */
  place: RateWindow[];
  /** Windows every place and call of the app shares (Teams: 50 requests a second). */
  app?: RateWindow[];
  backOff?: BackOff;
  now?: () => number;
  /** Counts the calls not made because of a hold or a full window (metrics), under `surface`. */
  calls?: VendorCalls;
}

export interface PlaceLimits {
  /**
   * Throws SurfaceRetryLater while any of the scopes is held. Otherwise returns those of them
   * still backing off: pass them to `succeeded` once the call worked.
   */
  checkHolds(scopes: string[]): Promise<string[]>;
  /**
   * Before a post: the place's holds (and those of `alsoHeld`), then one slot of every window,
   * the place's and the app's, taken together or not at all. Throws SurfaceRetryLater with the
   * longest wait. Returns the scopes still backing off, as checkHolds.
   */
  takePostSlot(place: string, alsoHeld?: string[], opts?: SlotOptions): Promise<string[]>;
  /** Before any other call: one slot of the app's windows (none: nothing to take). */
  takeAppSlot(opts?: SlotOptions): Promise<void>;
  /**
   * After a 429: holds the scope for `retryAfterMs`, or, when the platform named no time, by the
   * scope's next back-off step. Returns the SurfaceRetryLater to throw.
   */
  hold(scope: string, retryAfterMs?: number): Promise<SurfaceRetryLater>;
  /** After a call that worked: the scopes' back-off starts again from its first step. */
  succeeded(scopes: string[]): Promise<void>;
}

const DEFAULT_BACK_OFF: Required<BackOff> = { firstMs: 1_000, maxMs: 60_000, factor: 2 };

export function createPlaceLimits(opts: PlaceLimitsOptions): PlaceLimits {
  const { redis } = opts;
  const now = opts.now ?? Date.now;
  const label = opts.label ?? opts.surface;
  const waited = (reason: 'held' | 'paced') => opts.calls?.waited(opts.surface, reason);
  const backOff = { ...DEFAULT_BACK_OFF, ...opts.backOff };
  const base = `${opts.prefix}:${opts.surface}`;
  const holdKey = (scope: string) => `${base}:hold:${scope}`;
  const backOffKey = (scope: string) => `${base}:backoff:${scope}`;
  const placeWindows = opts.place.map(checked);
  const appWindows = (opts.app ?? []).map(checked);
  const paceKey = (scope: string, w: Paced) => `${base}:${w.sliding ? 'log' : 'pace'}:${scope}:${w.name}`;
  const appKeys = appWindows.map((w) => paceKey('app', w));

  async function checkHolds(scopes: string[]): Promise<string[]> {
    if (scopes.length === 0) return [];
    const values = await redis.mget(...scopes.map(holdKey), ...scopes.map(backOffKey));
    const until = scopes.map((_, i) => Number(values[i] ?? 0));
    const held = until.reduce((at, u, i) => (u > until[at]! ? i : at), 0);
    const wait = until[held]! - now();
    if (wait > 0) {
      waited('held');
      throw new SurfaceRetryLater(`${label} asked Parley to wait (${scopes[held]}).`, wait);
    }
    return scopes.filter((_, i) => values[scopes.length + i] != null);
  }

  async function take(
    all: Paced[],
    allKeys: string[],
    what: string,
    opts: SlotOptions,
    line?: string,
  ): Promise<void> {
    const counted = all.map((w) => opts.background || !w.backgroundOnly);
    const windows = all.filter((_, i) => counted[i]);
    const keys = allKeys.filter((_, i) => counted[i]);
    if (windows.length === 0) return;
    const args = windows.flatMap((w) => [
      w.sliding ? 1 : 0,
      w.spanMs,
      w.limit,
      opts.background ? w.room - w.reserve : w.room,
    ]);
    const [wait, which] = (
      line && opts.waiter
        ? await redis.eval(
            LINE_SCRIPT,
            keys.length + 3,
            ...keys,
            `${base}:line:${line}`,
            `${base}:line-back:${line}`,
            `${base}:line-seq:${line}`,
            now(),
            opts.waiter,
            Math.max(...windows.map(turnMs)),
            LINE_GRACE_MS,
            ...args,
          )
        : await redis.eval(PACE_SCRIPT, keys.length, ...keys, now(), ...args)
    ) as number[];
    if (wait! > 0) waited('paced');
    if (wait! > 0 && which === 0)
      throw new SurfaceRetryLater(`${label}: ${what} is paced (waiting in line).`, wait!);
    if (wait! > 0) {
      const w = windows[which! - 1]!;
      const why = opts.background && w.reserve > 0 ? `${w.name}, its reserve kept for others` : w.name;
      throw new SurfaceRetryLater(`${label}: ${what} is paced (${why}).`, wait!);
    }
  }

  return {
    checkHolds,
    async takePostSlot(place, alsoHeld = [], opts = {}) {
      const backingOff = await checkHolds([place, ...alsoHeld]);
      const keys = placeWindows.map((w) => paceKey(`place:${place}`, w));
      await take([...placeWindows, ...appWindows], [...keys, ...appKeys], `posting to ${place}`, opts, place);
      return backingOff;
    },
    takeAppSlot: (opts = {}) => take(appWindows, appKeys, 'the app', opts),
    async hold(scope, retryAfterMs) {
      const named = retryAfterMs === undefined ? '' : String(retryAfterMs);
      const { firstMs, maxMs, factor } = backOff;
      const keys = [holdKey(scope), backOffKey(scope)];
      const wait = Number(await redis.eval(HOLD_SCRIPT, 2, ...keys, now(), named, firstMs, maxMs, factor));
      return new SurfaceRetryLater(`${label} is rate limiting ${scope}.`, wait);
    },
    async succeeded(scopes) {
      if (scopes.length > 0) await redis.del(...scopes.map(backOffKey));
    },
  };
}

/**
 * A window as the pace script takes it: `spanMs` is the GCRA interval or the sliding span,
 * `room` what a call may fill (the burst, or the limit when sliding).
 */
type Paced = RateWindow & { spanMs: number; room: number; reserve: number };

/** A window's time between calls in the long run: how far apart a line's turns are. */
const turnMs = (w: Paced) => (w.sliding ? Math.ceil(w.spanMs / w.limit) : w.spanMs);

function checked(w: RateWindow): Paced {
  const reserve = w.reserve ?? 0;
  const margin = w.marginMs ?? 0;
  const strict = w.sliding || w.burst !== undefined;
  const room = w.sliding ? w.limit : (w.burst ?? w.limit);
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  const ok =
    whole(w.limit, 1) &&
    w.periodMs >= 1 &&
    whole(room, 1) &&
    room <= w.limit &&
    !(w.sliding && w.burst !== undefined) &&
    whole(reserve, 0) &&
    reserve < room &&
    !(w.backgroundOnly && reserve > 0) &&
    margin >= 0 &&
    (strict || margin === 0) &&
    /^[\w.-]+$/.test(w.name);
  if (!ok)
    throw new Error(
      `Rate window ${JSON.stringify(w)}: name [A-Za-z0-9_.-], a whole limit and periodMs at least 1, a burst from 1 to the limit or sliding (not both), a reserve below the burst (none on a background-only window), a margin only with a burst or sliding.`,
    );
  const period = w.periodMs + margin;
  const spanMs = w.sliding
    ? Math.ceil(period)
    : w.burst !== undefined
      ? Math.ceil(period / (w.limit - w.burst + 1))
      : Math.ceil(w.periodMs / w.limit);
  return { ...w, spanMs, room, reserve };
}
