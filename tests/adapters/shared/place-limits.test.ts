import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPlaceLimits,
  type PlaceLimits,
  type PlaceLimitsOptions,
  type RateWindow,
  type SlotOptions,
} from '../../../adapters/surfaces/shared/place-limits.ts';
import { TEAMS_APP_WINDOWS, TEAMS_THREAD_WINDOWS } from '../../../adapters/surfaces/teams/teams-limits.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { createTestRedis } from '../../support/redis.ts';
import { waitOf } from './limits-support.ts';

const redis = createTestRedis();
const clock = { now: 1_800_000_000_000 };
let surfaces = 0;

/** Limits under a surface name of their own, so tests share no keys; time is `clock.now`. */
function limits(over: Partial<PlaceLimitsOptions> = {}) {
  surfaces += 1;
  return createPlaceLimits({
    redis: redis.producer,
    prefix: redis.prefix,
    surface: `s${surfaces}`,
    label: 'Chat',
    place: [{ name: 'place', limit: 3, periodMs: 3_000 }],
    now: () => clock.now,
    ...over,
  });
}

/** The wait a call was refused with; fails when the call went through. */
async function refusal(p: Promise<unknown>): Promise<SurfaceRetryLater> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof SurfaceRetryLater)) throw new Error(`Expected a wait, got ${String(err)}`);
  return err;
}

/**
 * Asks for a slot in place 'T' after each gap (ms, on `clock`); returns the times slots were
 * given. `background(i)` marks the i-th ask as a background call; the times those got a slot are
 * also pushed to `backgroundTaken`.
 */
async function drive(
  l: PlaceLimits,
  gaps: number[],
  background: (i: number) => boolean = () => false,
  backgroundTaken: number[] = [],
): Promise<number[]> {
  const taken: number[] = [];
  for (let i = 0; i < gaps.length; i++) {
    clock.now += gaps[i]!;
    const opts: SlotOptions = { background: background(i) };
    if ((await waitOf(l.takePostSlot('T', [], opts))) > 0) continue;
    taken.push(clock.now);
    if (opts.background) backgroundTaken.push(clock.now);
  }
  return taken;
}

/** The most slots in any span of `spanMs` (half-open, as Teams counts: (t - span, t]). */
function mostIn(times: number[], spanMs: number): number {
  let most = 0;
  for (let j = 0, i = 0; j < times.length; j++) {
    while (times[i]! <= times[j]! - spanMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** The span a window promises to keep: its period and margin. */
const spanOf = (w: RateWindow) => w.periodMs + (w.marginMs ?? 0);

describe('shared place limits (DESIGN 5)', () => {
  it('R28: a place takes its burst at once, then one post per interval; other places are not paced by it', async () => {
    const l = limits();
    for (let i = 0; i < 3; i++) expect(await waitOf(l.takePostSlot('P'))).toBe(0);
    const paced = await refusal(l.takePostSlot('P'));
    expect(paced.retryAfterMs).toBe(1_000);
    expect(paced.message).toMatch(/Chat: posting to P is paced \(place\)/);
    expect(await waitOf(l.takePostSlot('Q'))).toBe(0);
    clock.now += 400;
    expect(await waitOf(l.takePostSlot('P'))).toBe(600);
    clock.now += 600;
    expect(await waitOf(l.takePostSlot('P'))).toBe(0);
    expect(await waitOf(l.takePostSlot('P'))).toBe(1_000);
  });

  it('DESIGN 5: several windows bound a burst and a rate at once (Teams: 7 a second, 8 in 2 seconds); the longest wait is named', async () => {
    const l = limits({
      place: [
        { name: '1s', limit: 7, periodMs: 1_000 },
        { name: '2s', limit: 8, periodMs: 2_000 },
      ],
    });
    for (let i = 0; i < 7; i++) expect(await waitOf(l.takePostSlot('T'))).toBe(0);
    // 1 s / 7 is 143 ms (rounded up); 2 s / 8 is 250 ms, the slower window from here on.
    expect(await waitOf(l.takePostSlot('T'))).toBe(143);
    clock.now += 143;
    expect(await waitOf(l.takePostSlot('T'))).toBe(0);
    const paced = await refusal(l.takePostSlot('T'));
    expect(paced.retryAfterMs).toBe(143);
    clock.now += 143;
    expect(await waitOf(l.takePostSlot('T'))).toBe(0);
    const next = await refusal(l.takePostSlot('T'));
    expect(next.message).toMatch(/\(2s\)/);
    expect(next.retryAfterMs).toBe(214);
  });

  it('DESIGN 5: the app window is shared by every place, and a refused slot takes nothing from any window', async () => {
    const l = limits({
      place: [{ name: 'place', limit: 1, periodMs: 1_000 }],
      app: [{ name: 'app', limit: 2, periodMs: 10_000 }],
    });
    expect(await waitOf(l.takePostSlot('P1'))).toBe(0);
    // P1's own window refuses: the app's slot is not spent on it...
    expect(await waitOf(l.takePostSlot('P1'))).toBe(1_000);
    // ...so one more place still gets one, and then the app window is full for every place.
    expect(await waitOf(l.takePostSlot('P2'))).toBe(0);
    const full = await refusal(l.takePostSlot('P3'));
    expect(full.retryAfterMs).toBe(5_000);
    expect(full.message).toMatch(/\(app\)/);
    expect(await waitOf(l.takeAppSlot())).toBe(5_000);
    clock.now += 5_000;
    expect(await waitOf(l.takeAppSlot())).toBe(0);
    // Without app windows there is nothing to take.
    const free = limits();
    for (let i = 0; i < 10; i++) expect(await waitOf(free.takeAppSlot())).toBe(0);
  });

  it('R28: a 429 with Retry-After holds its scope for that long, in every worker sharing Redis; other scopes go on', async () => {
    const l = limits({ surface: 'slack' });
    const other = createPlaceLimits({
      redis: redis.producer,
      prefix: redis.prefix,
      surface: 'slack',
      place: [{ name: 'place', limit: 3, periodMs: 3_000 }],
      now: () => clock.now,
    });
    const err = await l.hold('C1', 30_000);
    expect(err).toBeInstanceOf(SurfaceRetryLater);
    expect(err.retryAfterMs).toBe(30_000);
    clock.now += 10_000;
    expect(await waitOf(other.takePostSlot('C1'))).toBe(20_000);
    expect(await waitOf(other.checkHolds(['C2', 'C1']))).toBe(20_000);
    expect(await waitOf(other.takePostSlot('C2'))).toBe(0);
    // A method held (a per-app limit) holds a post that names it too.
    await l.hold('chat.postMessage', 5_000);
    expect(await waitOf(l.takePostSlot('C2', ['chat.postMessage']))).toBe(5_000);
    // A shorter hold asked for later does not cut a longer one short.
    await l.hold('C1', 1_000);
    expect(await waitOf(l.checkHolds(['C1']))).toBe(20_000);
    clock.now += 20_000;
    expect(await waitOf(l.takePostSlot('C1'))).toBe(0);
    // The key is the one Slack's client always used: holds survive a rolling deploy.
    await l.hold('C9', 1_000);
    expect(await redis.producer.get(`${redis.prefix}:slack:hold:C9`)).toBe(String(clock.now + 1_000));
  });

  it('DESIGN 5: a 429 without Retry-After backs off exponentially up to the maximum, and a success starts it again', async () => {
    const l = limits({ backOff: { firstMs: 1_000, maxMs: 5_000 } });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push((await l.hold('T')).retryAfterMs);
    expect(waits).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    clock.now += 5_000;
    // The hold is over, but the scope is still backing off: the caller says when a call worked.
    expect(await l.checkHolds(['T', 'U'])).toEqual(['T']);
    expect(await l.takePostSlot('T')).toEqual(['T']);
    await l.succeeded(['T']);
    expect(await l.checkHolds(['T'])).toEqual([]);
    expect((await l.hold('T')).retryAfterMs).toBe(1_000);
    // A named wait neither grows nor resets the back-off.
    expect((await l.hold('T', 3_000)).retryAfterMs).toBe(3_000);
    clock.now += 3_000;
    expect((await l.hold('T')).retryAfterMs).toBe(2_000);
  });

  it('DESIGN 5: a window that cannot be kept in a Redis key, or that admits nothing, is refused at start', () => {
    expect(() => limits({ place: [{ name: 'a b', limit: 1, periodMs: 1_000 }] })).toThrow(/Rate window/);
    expect(() => limits({ place: [{ name: 'x', limit: 0, periodMs: 1_000 }] })).toThrow(/Rate window/);
    expect(() => limits({ app: [{ name: 'app', limit: 5, periodMs: 0 }] })).toThrow(/Rate window/);
    const bad: Partial<RateWindow>[] = [
      { burst: 0 },
      { burst: 6 },
      { burst: 2, sliding: true },
      { burst: 2, reserve: 2 },
      { sliding: true, reserve: 5 },
      // A margin widens a strict window only: Slack's GCRA has none.
      { marginMs: 10 },
      { sliding: true, marginMs: -1 },
    ];
    for (const w of bad)
      expect(() => limits({ place: [{ name: 'w', limit: 5, periodMs: 1_000, ...w }] })).toThrow(
        /Rate window/,
      );
  });

  it('DESIGN 5: a sliding window takes its whole limit at once, then each slot as the oldest leaves the period', async () => {
    const l = limits({ place: [{ name: '1s', limit: 3, periodMs: 1_000, sliding: true }] });
    const start = clock.now;
    expect(await drive(l, [0, 0, 0])).toEqual([start, start, start]);
    expect(await waitOf(l.takePostSlot('T'))).toBe(1_000);
    clock.now += 400;
    expect(await waitOf(l.takePostSlot('T'))).toBe(600);
    clock.now += 600;
    // The three of `start` are out of (now - 1 s, now]: three more fit.
    expect(await drive(l, [0, 0, 0, 0])).toHaveLength(3);
  });

  it('DESIGN 5: a window with a burst is paced evenly after it, so that no period ever holds more than its limit', async () => {
    // 60 in 30 s with bursts of 8: one every ceil(30 s / 53) = 567 ms after the burst.
    const w: RateWindow = { name: '30s', limit: 60, periodMs: 30_000, burst: 8 };
    const l = limits({ place: [w] });
    expect(await drive(l, Array(9).fill(0))).toHaveLength(8);
    expect(await waitOf(l.takePostSlot('T'))).toBe(567);
    const taken = await drive(l, Array(1_800).fill(50));
    expect(mostIn(taken, w.periodMs)).toBeLessThanOrEqual(60);
    // The rate after the burst is kept: 90 s at one per 567 ms.
    expect(taken.length).toBe(Math.floor(90_000 / 567));
    // Without a burst (Slack's window) GCRA gives the limit at once and then the rate: twice the
    // limit, less one, fall in one period. Slack allows that; Teams would answer 429.
    const slack = limits({ place: [{ name: 'channel', limit: 3, periodMs: 3_000 }] });
    expect(mostIn(await drive(slack, [0, 0, 0, 1_000, 1_000]), 3_000)).toBe(5);
  });

  it('DESIGN 5: a background call leaves the reserve to the others; a refused one takes nothing', async () => {
    const l = limits({
      place: [
        { name: 'log', limit: 5, periodMs: 1_000, sliding: true, reserve: 2 },
        { name: 'even', limit: 60, periodMs: 30_000, burst: 10, reserve: 2 },
      ],
    });
    const bg = { background: true };
    for (let i = 0; i < 3; i++) expect(await waitOf(l.takePostSlot('T', [], bg))).toBe(0);
    const left = await refusal(l.takePostSlot('T', [], bg));
    expect(left.message).toMatch(/\(log, its reserve kept for others\)/);
    expect(left.retryAfterMs).toBe(1_000);
    // Posts still have the reserve.
    expect(await drive(l, [0, 0, 0])).toHaveLength(2);
    clock.now += 1_000;
    // The sliding window is clear again; the even one has 5 of its burst of 10 spent, and a
    // background call may spend it down to the reserve of 2.
    expect(await drive(l, [0, 0, 0, 0], () => true)).toHaveLength(3);
  });

  it('DESIGN 5: a background-only window caps what background calls take, and posts never count in it', async () => {
    const l = limits({
      place: [{ name: 'log', limit: 10, periodMs: 1_000, sliding: true, reserve: 2 }],
      app: [{ name: 'bg', limit: 2, periodMs: 1_000, sliding: true, backgroundOnly: true }],
    });
    const background: number[] = [];
    // Five background calls while the window is empty: only two get a slot.
    expect(await drive(l, [0, 0, 0, 0, 0], () => true, background)).toHaveLength(2);
    const capped = await refusal(l.takePostSlot('T', [], { background: true }));
    expect(capped.message).toMatch(/\(bg\)/);
    // Posts take the other eight, whatever background calls did.
    expect(await drive(l, Array(9).fill(0))).toHaveLength(8);
    expect(() =>
      limits({
        app: [{ name: 'bg', limit: 2, periodMs: 1_000, sliding: true, backgroundOnly: true, reserve: 1 }],
      }),
    ).toThrow(/Rate window/);
  });

  it('DESIGN 5: whatever the timing, Teams’ windows are never exceeded in any span of their period and margin', async () => {
    const windows = [...TEAMS_THREAD_WINDOWS, ...TEAMS_APP_WINDOWS];
    expect(windows.filter((w) => w.backgroundOnly).map((w) => w.name)).toEqual(['app-background']);
    const gap = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 200, max: 3_000 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(gap, { minLength: 1, maxLength: 300 }), fc.integer(), async (gaps, seed) => {
        const l = limits({ place: TEAMS_THREAD_WINDOWS, app: TEAMS_APP_WINDOWS });
        const background: number[] = [];
        const taken = await drive(l, gaps, (i) => ((seed >> (i % 31)) & 1) === 1, background);
        for (const w of windows)
          expect(mostIn(w.backgroundOnly ? background : taken, spanOf(w))).toBeLessThanOrEqual(w.limit);
      }),
      { numRuns: 25 },
    );
    // A thread asked twice a second for two hours: the hour's limit is kept too, and the thread
    // gets the hour's burst of 600 and then one post every 2,998 ms (3,600 in two hours at most).
    const l = limits({ place: TEAMS_THREAD_WINDOWS });
    const taken = await drive(l, Array(14_400).fill(500));
    for (const w of TEAMS_THREAD_WINDOWS) expect(mostIn(taken, spanOf(w))).toBeLessThanOrEqual(w.limit);
    expect(taken.length).toBe(600 + Math.floor((7_200_000 - 500) / 2_998));
  });
});
