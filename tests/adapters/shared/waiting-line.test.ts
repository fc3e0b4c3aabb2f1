import { describe, expect, it } from 'vitest';
import { createPlaceLimits } from '../../../adapters/surfaces/shared/place-limits.ts';
import { createTestRedis } from '../../support/redis.ts';
import { waitOf } from './limits-support.ts';

/**
 * DESIGN 5, R28: many conversations waiting for one channel's slots (a broadcast opening a thread
 * per contact) each get a turn of their own, in arrival order, so each waiting job wakes about
 * once instead of all of them waking at every free slot.
 */
const redis = createTestRedis();
const clock = { now: 1_800_000_000_000 };
let surfaces = 0;

function limits() {
  surfaces += 1;
  return createPlaceLimits({
    redis: redis.producer,
    prefix: redis.prefix,
    surface: `line${surfaces}`,
    label: 'Chat',
    place: [{ name: 'channel', limit: 1, periodMs: 1_000 }],
    now: () => clock.now,
  });
}

/**
 * Each waiter asks, is told when to come back, and asks again then (as a delayed job does); the
 * clock jumps to the next time anyone is due. Returns, per waiter, how often it asked and when it
 * got its slot.
 */
async function run(l: ReturnType<typeof limits>, waiters: string[], place = 'C') {
  const due = new Map(waiters.map((w) => [w, clock.now]));
  const asks = new Map(waiters.map((w) => [w, 0]));
  const gotAt = new Map<string, number>();
  while (due.size > 0) {
    const next = Math.min(...due.values());
    clock.now = next;
    for (const [w, at] of [...due]) {
      if (at !== next) continue;
      asks.set(w, asks.get(w)! + 1);
      const wait = await waitOf(l.takePostSlot(place, [], { waiter: w }));
      if (wait === 0) {
        gotAt.set(w, clock.now);
        due.delete(w);
      } else due.set(w, clock.now + wait);
    }
  }
  return { asks, gotAt };
}

describe('a place’s waiting line (DESIGN 5)', () => {
  it('R28: 200 conversations waiting for one channel get one slot a second each, in arrival order, asking at most three times', async () => {
    const l = limits();
    const waiters = Array.from({ length: 200 }, (_, i) => `conv-${i}`);
    const start = clock.now;
    const { asks, gotAt } = await run(l, waiters);
    const order = [...gotAt.entries()].sort((a, b) => a[1] - b[1]).map(([w]) => w);
    expect(order).toEqual(waiters);
    const times = [...gotAt.values()].sort((a, b) => a - b);
    expect(times.at(-1)! - start).toBe(199_000); // the channel's rate, no slot lost
    expect(Math.max(...asks.values())).toBeLessThanOrEqual(3);
  });

  it('DESIGN 5: a waiter that never comes back (its job lost) holds the line up for the grace only, then leaves it', async () => {
    const l = limits();
    clock.now += 10_000;
    expect(await waitOf(l.takePostSlot('D', [], { waiter: 'first' }))).toBe(0);
    expect(await waitOf(l.takePostSlot('D', [], { waiter: 'lost' }))).toBe(1_000);
    expect(await waitOf(l.takePostSlot('D', [], { waiter: 'next' }))).toBe(1_000);
    // `lost` never asks again; `next` waits behind it until its grace ran out.
    clock.now += 1_000;
    expect(await waitOf(l.takePostSlot('D', [], { waiter: 'next' }))).toBe(1_000);
    clock.now += 31_000;
    expect(await waitOf(l.takePostSlot('D', [], { waiter: 'next' }))).toBe(0);
  });

  it('R28: a line in one channel does not pace another channel, nor calls without a waiter elsewhere', async () => {
    const l = limits();
    clock.now += 10_000;
    for (const w of ['a', 'b', 'c']) await waitOf(l.takePostSlot('Busy', [], { waiter: w }));
    expect(await waitOf(l.takePostSlot('Quiet', [], { waiter: 'd' }))).toBe(0);
    expect(await waitOf(l.takePostSlot('Other'))).toBe(0);
  });

  it('R28: a post into an existing thread (no waiter) takes the next free slot, not a turn behind the openings', async () => {
    const l = limits();
    clock.now += 10_000;
    for (let i = 0; i < 50; i++) await waitOf(l.takePostSlot('Hot', [], { waiter: `opening-${i}` }));
    // The channel's next slot is a second away; the line's last turn is 49 seconds away.
    expect(await waitOf(l.takePostSlot('Hot'))).toBe(1_000);
    clock.now += 1_000;
    expect(await waitOf(l.takePostSlot('Hot'))).toBe(0);
  });
});
