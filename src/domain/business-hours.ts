/**
 * R37: a group's business hours. Weekly opening hours are local wall-clock times in an IANA time
 * zone, so the same settings stay right across daylight-saving changes; holidays are local dates.
 * Pure: the caller passes the instant (a customer message's time), never "now".
 */

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** One opening window, local "HH:MM"; `to` is exclusive and may be "24:00" (until midnight). */
export interface OpeningWindow {
  from: string;
  to: string;
}

export interface BusinessHours {
  /** IANA time zone, e.g. "Europe/Berlin". */
  timeZone: string;
  /** A weekday with no entry (or an empty list) is closed all day. */
  hours: Partial<Record<Weekday, OpeningWindow[]>>;
  /** Local dates "YYYY-MM-DD" closed all day. */
  holidays?: string[];
}

/** Where an instant falls on the local calendar and clock of a time zone. */
export interface LocalTime {
  /** "YYYY-MM-DD" */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  return f;
}

const weekdayOf: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

/** The local date, weekday and minute of `at` in `timeZone` (throws RangeError for an unknown zone). */
export function localTimeIn(timeZone: string, at: Date): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const weekday = weekdayOf[parts.weekday ?? ''];
  if (!weekday) throw new RangeError(`no weekday for ${at.toISOString()} in ${timeZone}`);
  // Some engines write midnight as "24" even with h23; it is the start of the day.
  const hour = Number(parts.hour) % 24;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    minute: hour * 60 + Number(parts.minute),
  };
}

/** "HH:MM" -> minutes since midnight ("24:00" is 1440). */
export function minuteOfDay(clock: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(clock);
  if (!m) throw new RangeError(`not a time "HH:MM": ${clock}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Whether the business is open at `at`: not a local holiday, and the local time is inside one of
 * that weekday's windows (from inclusive, to exclusive).
 */
export function isOpenAt(settings: BusinessHours, at: Date): boolean {
  const local = localTimeIn(settings.timeZone, at);
  if (settings.holidays?.includes(local.date)) return false;
  const windows = settings.hours[local.weekday] ?? [];
  return windows.some((w) => minuteOfDay(w.from) <= local.minute && local.minute < minuteOfDay(w.to));
}

/** Days ahead `nextOpeningAt` looks before it answers "never" (a year of holidays, say). */
const LOOKAHEAD_DAYS = 400;

const dayNumber = (date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) / 86_400_000;
};
const dateOfDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
/** Monday-first, as `weekdays`. */
const weekdayOfDay = (day: number): Weekday => weekdays[(new Date(day * 86_400_000).getUTCDay() + 6) % 7]!;

/**
 * The instant a local wall-clock time (day number, minute) has in `timeZone`. Corrected until the
 * local time matches; in a daylight-saving gap (a local time that does not exist) it is the
 * instant just after the gap.
 */
function instantOf(timeZone: string, day: number, minute: number): Date {
  const wanted = day * 1440 + minute;
  let t = wanted * 60_000;
  for (let i = 0; i < 4; i++) {
    const local = localTimeIn(timeZone, new Date(t));
    const diff = dayNumber(local.date) * 1440 + local.minute - wanted;
    if (diff === 0) break;
    t -= diff * 60_000;
  }
  return new Date(t);
}

/**
 * When the business opens next after `at`: null when it is open at `at`, or when no window opens
 * in the next LOOKAHEAD_DAYS days (no hours at all). The webchat widget's "back at …".
 */
export function nextOpeningAt(settings: BusinessHours, at: Date): Date | null {
  if (isOpenAt(settings, at)) return null;
  const local = localTimeIn(settings.timeZone, at);
  const today = dayNumber(local.date);
  for (let day = today; day <= today + LOOKAHEAD_DAYS; day++) {
    if (settings.holidays?.includes(dateOfDay(day))) continue;
    const starts = (settings.hours[weekdayOfDay(day)] ?? [])
      .map((w) => minuteOfDay(w.from))
      .filter((from) => day > today || from > local.minute)
      .sort((a, b) => a - b);
    for (const from of starts) {
      const opening = instantOf(settings.timeZone, day, from);
      // A window that begins in a skipped hour, or right after another day's "24:00": still closed? Go on.
      if (opening > at && isOpenAt(settings, opening)) return opening;
    }
  }
  return null;
}
