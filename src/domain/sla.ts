import { type BusinessHours, localTimeIn, minuteOfDay } from './business-hours.ts';

/**
 * R39: response-time targets, counted in the group's business hours (R37's calendar). Pure: the
 * caller passes every instant. Without a calendar the clock runs around the clock.
 */

export interface SlaTargets {
  /** Minutes from the customer's first message until a person first replies. */
  firstResponseMinutes?: number;
  /** Minutes from a customer's message (after a person replied before) until the next reply. */
  nextResponseMinutes?: number;
}

export interface SlaSettings extends SlaTargets {
  /** Assignees are told privately this many business minutes before the breach (default 15, capped at half the target). */
  warnBeforeMinutes?: number;
  /** Stricter or looser targets for contacts with a tag, e.g. { vip: { firstResponseMinutes: 15 } }. */
  tags?: Record<string, SlaTargets>;
  /** Where a breach is announced instead of the group's channel, per surface ("slack", "teams"). */
  escalation?: Partial<Record<string, string>>;
}

export type SlaKind = 'first' | 'next';

export const DEFAULT_WARN_BEFORE_MINUTES = 15;

/**
 * The target of a wait: the group's, unless a tag of the contact sets one; with several tags the
 * strictest wins (a VIP who is also a reseller gets the VIP's faster answer).
 */
export function targetMinutes(
  settings: SlaSettings,
  kind: SlaKind,
  contactTags: readonly string[],
): number | null {
  const key = kind === 'first' ? 'firstResponseMinutes' : 'nextResponseMinutes';
  const fromTags = contactTags
    .map((t) => settings.tags?.[t]?.[key])
    .filter((m): m is number => typeof m === 'number');
  if (fromTags.length > 0) return Math.min(...fromTags);
  return settings[key] ?? null;
}

/** How long before the breach the assignees hear about it: never more than half the target. */
export function warnBeforeMinutes(settings: SlaSettings, target: number): number {
  return Math.min(settings.warnBeforeMinutes ?? DEFAULT_WARN_BEFORE_MINUTES, Math.floor(target / 2));
}

const MINUTE = 60_000;
/** Two years of closed days cannot be a calendar anyone means; stop rather than loop. */
const MAX_DAYS = 800;

/**
 * The instant `minutes` business minutes after `start`. Walks the calendar one local day at a
 * time, so a wait that starts Friday evening is due on Monday morning.
 */
export function addBusinessMinutes(hours: BusinessHours | null, start: Date, minutes: number): Date {
  if (!hours) return new Date(start.getTime() + minutes * MINUTE);
  let left = minutes;
  let at = start;
  for (let day = 0; day < MAX_DAYS; day++) {
    for (const [from, to] of openSpansOfDay(hours, at)) {
      if (to <= at.getTime()) continue;
      const begin = Math.max(from, at.getTime());
      const span = (to - begin) / MINUTE;
      if (span >= left) return new Date(begin + left * MINUTE);
      left -= span;
    }
    at = startOfNextLocalDay(hours.timeZone, at);
  }
  throw new RangeError('the business hours have no open time in the next two years');
}

/** Business minutes between two instants (0 when `end` is not after `start`). */
export function businessMinutesBetween(hours: BusinessHours | null, start: Date, end: Date): number {
  if (end <= start) return 0;
  if (!hours) return (end.getTime() - start.getTime()) / MINUTE;
  let total = 0;
  let at = start;
  for (let day = 0; day < MAX_DAYS && at < end; day++) {
    for (const [from, to] of openSpansOfDay(hours, at)) {
      const begin = Math.max(from, at.getTime());
      const finish = Math.min(to, end.getTime());
      if (finish > begin) total += (finish - begin) / MINUTE;
    }
    at = startOfNextLocalDay(hours.timeZone, at);
  }
  return total;
}

/** The open spans [from, to) in epoch ms of the local day `at` falls in. */
function openSpansOfDay(hours: BusinessHours, at: Date): [number, number][] {
  const local = localTimeIn(hours.timeZone, at);
  if (hours.holidays?.includes(local.date)) return [];
  const midnight = startOfLocalDay(hours.timeZone, at);
  return (hours.hours[local.weekday] ?? [])
    .map((w): [number, number] => [
      instantAt(hours.timeZone, midnight, w.from),
      instantAt(hours.timeZone, midnight, w.to),
    ])
    .sort((a, b) => a[0] - b[0]);
}

/**
 * The instant of a local wall-clock time on the day starting at `midnight`. Adds the minutes and
 * corrects by the zone's offset change, so 09:00 stays 09:00 on the day clocks move.
 */
function instantAt(timeZone: string, midnight: Date, clock: string): number {
  const minute = minuteOfDay(clock);
  const guess = midnight.getTime() + minute * MINUTE;
  if (minute >= 1440) return startOfNextLocalDay(timeZone, midnight).getTime();
  const shown = localTimeIn(timeZone, new Date(guess)).minute;
  return guess + (minute - shown) * MINUTE;
}

function startOfLocalDay(timeZone: string, at: Date): Date {
  const local = localTimeIn(timeZone, at);
  const guess = new Date(at.getTime() - local.minute * MINUTE - (at.getTime() % MINUTE));
  // On a day the clocks moved, minute-of-day and elapsed time differ: step until the date changes.
  const back = localTimeIn(timeZone, guess);
  if (back.date !== local.date) return new Date(guess.getTime() + (1440 - back.minute) * MINUTE);
  return new Date(guess.getTime() - back.minute * MINUTE);
}

function startOfNextLocalDay(timeZone: string, at: Date): Date {
  const midnight = startOfLocalDay(timeZone, at);
  // 26 hours after midnight is always on the next local day, whatever the clocks did.
  return startOfLocalDay(timeZone, new Date(midnight.getTime() + 26 * 60 * MINUTE));
}

/** An instant as a wait's notice and header show it: "Fri 17:50 CET", in the group's time zone. */
export function slaClock(timeZone: string | undefined, at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timeZone ?? 'UTC',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
}
