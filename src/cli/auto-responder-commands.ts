import type { Command } from 'commander';
import type { AutoResponderSettings, Group } from '../db/entities/index.ts';
import {
  isOpenAt,
  localTimeIn,
  type OpeningWindow,
  type Weekday,
  weekdays,
} from '../domain/business-hours.ts';
import { AppError } from '../domain/errors.ts';
import { cliActor } from '../setup/actor.ts';
import { findGroupByName, updateGroup } from '../setup/groups.ts';
import { DEFAULT_AUTO_INTERVAL_MINUTES } from '../use-cases/auto-respond.ts';
import { type CliIo, collect, type OpenDatabase, withDatabase } from './io.ts';

/**
 * `hours show|set|off`: a group's business hours and automatic messages (R37). Changes go through
 * `updateGroup`, so the admin API's validation and the audit trail apply to them too.
 */
export function registerAutoResponderCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  const hours = program
    .command('hours')
    .description("a group's business hours, away message and greeting (the auto responder, R37)");

  hours
    .command('show')
    .description("show a group's business hours and automatic messages")
    .requiredOption('--group <name>', 'the group')
    .action((o: { group: string }) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        for (const line of describeAutoResponder(group)) io.out(line);
      }),
    );

  hours
    .command('set')
    .description('set business hours and automatic messages; fields not given are kept')
    .requiredOption('--group <name>', 'the group')
    .option('--time-zone <zone>', 'IANA time zone of the hours, e.g. Europe/Berlin (needed the first time)')
    .option(
      '--day <spec>',
      'days and their hours, e.g. "mon-fri 09:00-17:00", "sat 10:00-14:00", "mon 09:00-12:00,13:00-17:00", "sun closed"; repeat for more (days not named keep their hours)',
      collect,
      [],
    )
    .option(
      '--holiday <date>',
      'a local date closed all day, YYYY-MM-DD (repeat for several; added)',
      collect,
      [],
    )
    .option('--clear-holidays', 'forget the holidays set before (then add those given with --holiday)')
    .option('--away <text>', 'sent when a customer writes outside business hours')
    .option('--no-away', 'send no away message')
    .option('--greeting <text>', "sent in a contact's first conversation")
    .option('--no-greeting', 'send no greeting')
    .option(
      '--interval-minutes <n>',
      `at most one automatic message per conversation in this time (default ${DEFAULT_AUTO_INTERVAL_MINUTES})`,
    )
    .option('--on', 'turn the auto responder on (the default when it is set up the first time)')
    .option('--off', 'turn the auto responder off (the settings are kept)')
    .action((o: SetOptions) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        const settings = applySetOptions(group.autoResponder ?? null, o);
        const updated = await updateGroup(em, group.id, { autoResponder: settings }, cliActor);
        for (const line of describeAutoResponder(updated)) io.out(line);
      }),
    );

  hours
    .command('off')
    .description('turn the auto responder off (the hours and messages are kept for later)')
    .requiredOption('--group <name>', 'the group')
    .action((o: { group: string }) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        const current = group.autoResponder;
        if (!current?.enabled) {
          io.out(`The auto responder of ${group.name} is already off; nothing to do.`);
          return;
        }
        await updateGroup(em, group.id, { autoResponder: { ...current, enabled: false } }, cliActor);
        io.out(
          `The auto responder of ${group.name} is off. Turn it back on with: parley hours set --group "${group.name}" --on`,
        );
      }),
    );
}

interface SetOptions {
  group: string;
  timeZone?: string;
  day: string[];
  holiday: string[];
  clearHolidays?: boolean;
  /** A text, false for --no-away, undefined when not given. */
  away?: string | false;
  greeting?: string | false;
  intervalMinutes?: string;
  on?: boolean;
  off?: boolean;
}

const bad = (message: string) => new AppError('validation_failed', message);

/** The settings after `hours set`: what was given replaces, what was not is kept. */
export function applySetOptions(current: AutoResponderSettings | null, o: SetOptions): AutoResponderSettings {
  if (o.on && o.off) throw bad('Give --on or --off, not both.');
  const timeZone = o.timeZone?.trim() ?? current?.timeZone;
  if (!timeZone)
    throw bad(
      `The auto responder of ${o.group} is not set up yet: give its --time-zone (e.g. Europe/Berlin).`,
    );
  if (!isTimeZone(timeZone))
    throw bad(
      `--time-zone "${timeZone}" is not an IANA time zone; write it like Europe/Berlin or America/New_York.`,
    );

  const hours: AutoResponderSettings['hours'] = { ...(current?.hours ?? {}) };
  for (const spec of o.day) {
    const { days, windows } = parseDaySpec(spec);
    for (const d of days) {
      if (windows.length > 0) hours[d] = windows;
      else delete hours[d];
    }
  }

  const holidays = new Set(o.clearHolidays ? [] : (current?.holidays ?? []));
  for (const date of o.holiday) holidays.add(parseHoliday(date));

  const next: AutoResponderSettings = {
    enabled: o.off ? false : o.on ? true : (current?.enabled ?? true),
    timeZone,
    hours: Object.fromEntries(weekdays.filter((d) => hours[d]).map((d) => [d, hours[d]])),
  };
  if (holidays.size > 0) next.holidays = [...holidays].sort();
  const away = o.away === undefined ? current?.awayMessage : o.away || undefined;
  if (away !== undefined) next.awayMessage = away;
  const greeting = o.greeting === undefined ? current?.greeting : o.greeting || undefined;
  if (greeting !== undefined) next.greeting = greeting;
  const interval =
    o.intervalMinutes === undefined ? current?.intervalMinutes : parseInterval(o.intervalMinutes);
  if (interval !== undefined) next.intervalMinutes = interval;
  return next;
}

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const dayList = weekdays.join(', ');

/**
 * `mon-fri 09:00-17:00`, `sat 10:00-14:00`, `mon,wed 09:00-12:00,13:00-17:00`, `sun closed`:
 * the days (names, ranges, lists; a range may wrap, fri-mon) and their windows (none: closed).
 */
export function parseDaySpec(spec: string): { days: Weekday[]; windows: OpeningWindow[] } {
  const where = `--day "${spec}"`;
  const [daysPart, ...rest] = spec.trim().split(/\s+/);
  const windowsPart = rest.join('');
  if (!daysPart || !windowsPart)
    throw bad(`${where}: write the days, then their hours, e.g. "mon-fri 09:00-17:00" or "sun closed".`);
  const days: Weekday[] = [];
  for (const piece of daysPart.toLowerCase().split(',')) {
    const [from, to, extra] = piece.split('-');
    if (extra !== undefined || !from)
      throw bad(`${where}: "${piece}" is not a day or a range of days like mon-fri.`);
    const start = dayIndex(from, where);
    const end = to === undefined ? start : dayIndex(to, where);
    for (let i = start; ; i = (i + 1) % 7) {
      const day = weekdays[i]!;
      if (!days.includes(day)) days.push(day);
      if (i === end) break;
    }
  }
  if (/^(closed|off|none)$/i.test(windowsPart)) return { days, windows: [] };
  const windows = windowsPart.split(',').map((w) => parseWindow(w, where));
  const sorted = [...windows].sort((a, b) => a.from.localeCompare(b.from));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.from < prev.to) throw bad(`${where}: ${prev.from}-${prev.to} and ${cur.from}-${cur.to} overlap.`);
  }
  return { days, windows: sorted };
}

function dayIndex(name: string, where: string): number {
  const i = weekdays.indexOf(name.slice(0, 3) as Weekday);
  // "mon", "monday" and "Mon" are Monday; "mo" or "mond" are not.
  const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  if (i < 0 || !(name.length === 3 || name === full[i]))
    throw bad(`${where}: "${name}" is not a day; use ${dayList}.`);
  return i;
}

function parseWindow(text: string, where: string): OpeningWindow {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) throw bad(`${where}: "${text}" is not a time range like 09:00-17:00.`);
  const clock = (h: string, min: string) => {
    const value = `${h.padStart(2, '0')}:${min}`;
    if (Number(min) > 59 || Number(h) > 24 || (Number(h) === 24 && min !== '00'))
      throw bad(`${where}: "${h}:${min}" is not a time of day (00:00 to 24:00).`);
    return value;
  };
  const from = clock(m[1]!, m[2]!);
  const to = clock(m[3]!, m[4]!);
  if (from === '24:00') throw bad(`${where}: "${text}" starts at 24:00; a day ends there.`);
  if (to <= from)
    throw bad(
      `${where}: "${text}" ends before it starts (a window cannot pass midnight; split it over two days).`,
    );
  return { from, to };
}

function parseHoliday(date: string): string {
  const d = date.trim();
  const real =
    /^\d{4}-\d{2}-\d{2}$/.test(d) &&
    !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
    new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
  if (!real) throw bad(`--holiday "${date}" is not a date; write it as YYYY-MM-DD, e.g. 2026-12-25.`);
  return d;
}

function parseInterval(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 7 * 24 * 60)
    throw bad(
      `--interval-minutes "${text}" must be a whole number of minutes from 1 to ${7 * 24 * 60} (a week).`,
    );
  return n;
}

const windowsText = (w: OpeningWindow[] | undefined) =>
  w && w.length > 0 ? w.map((x) => `${x.from}-${x.to}`).join(',') : 'closed';

/** The week as `--day` specs: consecutive days with the same hours together ("mon-fri 09:00-17:00"). */
export function describeWeek(hours: AutoResponderSettings['hours']): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < weekdays.length) {
    const text = windowsText(hours[weekdays[i]!]);
    let j = i;
    while (j + 1 < weekdays.length && windowsText(hours[weekdays[j + 1]!]) === text) j++;
    lines.push(`${i === j ? weekdays[i] : `${weekdays[i]}-${weekdays[j]}`} ${text}`);
    i = j + 1;
  }
  return lines;
}

export function describeAutoResponder(group: Group, now = new Date()): string[] {
  const s = group.autoResponder;
  if (!s)
    return [
      `${group.name} has no auto responder. Set one up with:`,
      `  parley hours set --group "${group.name}" --time-zone Europe/Berlin --day "mon-fri 09:00-17:00" --away "..."`,
    ];
  const local = localTimeIn(s.timeZone, now);
  const clock = `${String(Math.floor(local.minute / 60)).padStart(2, '0')}:${String(local.minute % 60).padStart(2, '0')}`;
  return [
    `Auto responder of ${group.name}: ${s.enabled ? 'on' : 'off'}`,
    `Time zone: ${s.timeZone} (now ${local.weekday} ${local.date} ${clock}: ${isOpenAt(s, now) ? 'open' : 'closed'})`,
    'Hours:',
    ...describeWeek(s.hours).map((l) => `  ${l}`),
    `Holidays: ${s.holidays?.length ? s.holidays.join(', ') : 'none'}`,
    `Away message: ${s.awayMessage ?? '(none)'}`,
    `Greeting: ${s.greeting ?? '(none)'}`,
    `At most one automatic message per conversation every ${s.intervalMinutes ?? DEFAULT_AUTO_INTERVAL_MINUTES} minutes`,
  ];
}
