import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWeek, parseDaySpec } from '../../src/cli/auto-responder-commands.ts';
import { AuditEvent, type AutoResponderSettings, Group } from '../../src/db/entities/index.ts';
import { weekdays } from '../../src/domain/business-hours.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();

const parley = setupCli(db);

/** A group made through the CLI; each test uses its own. */
async function group(name: string) {
  const res = await parley('groups', 'create', name);
  expect(res.exitCode, res.err).toBe(0);
}
const settingsOf = async (name: string) => (await db.em().findOneOrFail(Group, { name })).autoResponder;

const office = [{ from: '09:00', to: '17:00' }];
const fullSetup = [
  '--time-zone',
  'Europe/Berlin',
  '--day',
  'mon-fri 09:00-17:00',
  '--day',
  'sat 10:00-14:00',
  '--holiday',
  '2026-12-25',
  '--holiday',
  '2026-12-26',
  '--away',
  'We are closed; we answer from 9:00.',
  '--greeting',
  'Welcome to Acme!',
  '--interval-minutes',
  '120',
];

describe('parley hours (R37)', () => {
  it('R37: set writes the business hours and messages, audited as a group change; show prints them', async () => {
    await group('Hours A');
    const none = await parley('hours', 'show', '--group', 'Hours A');
    expect(none.exitCode).toBe(0);
    expect(none.out).toContain('Hours A has no auto responder');

    const res = await parley('hours', 'set', '--group', 'Hours A', ...fullSetup);
    expect(res.exitCode, res.err).toBe(0);
    expect(await settingsOf('Hours A')).toEqual({
      enabled: true,
      timeZone: 'Europe/Berlin',
      hours: {
        mon: office,
        tue: office,
        wed: office,
        thu: office,
        fri: office,
        sat: [{ from: '10:00', to: '14:00' }],
      },
      holidays: ['2026-12-25', '2026-12-26'],
      awayMessage: 'We are closed; we answer from 9:00.',
      greeting: 'Welcome to Acme!',
      intervalMinutes: 120,
    });
    const g = await db.em().findOneOrFail(Group, { name: 'Hours A' });
    const audits = await db.em().find(AuditEvent, { action: 'group.updated' });
    expect(audits.filter((a) => a.data.groupId === g.id).map((a) => a.data)).toEqual([
      { groupId: g.id, changed: ['autoResponder'], via: 'cli' },
    ]);

    const shown = await parley('hours', 'show', '--group', 'Hours A');
    expect(shown.out.split('\n')).toEqual([
      'Auto responder of Hours A: on',
      expect.stringMatching(
        /^Time zone: Europe\/Berlin \(now (mon|tue|wed|thu|fri|sat|sun) \d{4}-\d\d-\d\d \d\d:\d\d: (open|closed)\)$/,
      ),
      'Hours:',
      '  mon-fri 09:00-17:00',
      '  sat 10:00-14:00',
      '  sun closed',
      'Holidays: 2026-12-25, 2026-12-26',
      'Away message: We are closed; we answer from 9:00.',
      'Greeting: Welcome to Acme!',
      'At most one automatic message per conversation every 120 minutes',
    ]);
    // set prints the same (the clock aside).
    const withoutClock = (text: string) => text.replace(/\(now [^)]*\)/, '(now)');
    expect(withoutClock(res.out)).toBe(withoutClock(shown.out));
  });

  it('R37: set keeps what it is not given; a day named again replaces that day only', async () => {
    await group('Hours B');
    await parley('hours', 'set', '--group', 'Hours B', ...fullSetup);
    const res = await parley(
      'hours',
      'set',
      '--group',
      'Hours B',
      '--day',
      'fri 09:00-15:00',
      '--day',
      'mon 08:00-12:00, 13:00-17:00',
      '--day',
      'sat closed',
      '--away',
      'Closed for the day.',
      '--holiday',
      '2027-01-01',
    );
    expect(res.exitCode, res.err).toBe(0);
    expect(await settingsOf('Hours B')).toEqual({
      enabled: true,
      timeZone: 'Europe/Berlin',
      hours: {
        mon: [
          { from: '08:00', to: '12:00' },
          { from: '13:00', to: '17:00' },
        ],
        tue: office,
        wed: office,
        thu: office,
        fri: [{ from: '09:00', to: '15:00' }],
      },
      holidays: ['2026-12-25', '2026-12-26', '2027-01-01'],
      awayMessage: 'Closed for the day.',
      greeting: 'Welcome to Acme!',
      intervalMinutes: 120,
    });

    // Removing: no greeting, no holidays; a range that wraps over the weekend; a new time zone.
    const again = await parley(
      'hours',
      'set',
      '--group',
      'Hours B',
      '--no-greeting',
      '--clear-holidays',
      '--day',
      'fri-mon 10:00-24:00',
      '--time-zone',
      'Asia/Kolkata',
    );
    expect(again.exitCode, again.err).toBe(0);
    const late = [{ from: '10:00', to: '24:00' }];
    expect(await settingsOf('Hours B')).toEqual({
      enabled: true,
      timeZone: 'Asia/Kolkata',
      hours: { mon: late, tue: office, wed: office, thu: office, fri: late, sat: late, sun: late },
      awayMessage: 'Closed for the day.',
      intervalMinutes: 120,
    });
  });

  it('R37: off turns the auto responder off and keeps its settings; set --on turns it back on', async () => {
    await group('Hours C');
    await parley('hours', 'set', '--group', 'Hours C', ...fullSetup);
    const before = await settingsOf('Hours C');
    const off = await parley('hours', 'off', '--group', 'Hours C');
    expect(off.exitCode, off.err).toBe(0);
    expect(off.out).toContain('The auto responder of Hours C is off');
    expect(await settingsOf('Hours C')).toEqual({ ...before, enabled: false });
    expect((await parley('hours', 'off', '--group', 'Hours C')).out).toContain('already off');
    expect((await parley('hours', 'set', '--group', 'Hours C', '--on')).exitCode).toBe(0);
    expect(await settingsOf('Hours C')).toEqual(before);
    expect((await parley('hours', 'set', '--group', 'Hours C', '--off')).exitCode).toBe(0);
    expect((await settingsOf('Hours C'))?.enabled).toBe(false);
  });

  it('R37: bad input is refused with an error naming the bad part, and nothing changes', async () => {
    await group('Hours D');
    const first = await parley('hours', 'set', '--group', 'Hours D', '--day', 'mon-fri 09:00-17:00');
    expect(first.exitCode).toBe(1);
    expect(first.err).toContain('give its --time-zone');
    expect(await settingsOf('Hours D')).toBeNull();
    await parley('hours', 'set', '--group', 'Hours D', ...fullSetup);
    const before = await settingsOf('Hours D');

    const cases: [string[], string][] = [
      [['--day', 'mon-fry 09:00-17:00'], '--day "mon-fry 09:00-17:00": "fry" is not a day'],
      [['--day', 'mon 17:00-09:00'], '"17:00-09:00" ends before it starts'],
      [['--day', 'mon 9am-5pm'], '"9am-5pm" is not a time range like 09:00-17:00'],
      [['--day', 'mon 09:00-25:00'], '"25:00" is not a time of day'],
      [['--day', 'mon 09:00-12:00,11:00-13:00'], '09:00-12:00 and 11:00-13:00 overlap'],
      [['--day', 'mon'], '--day "mon": write the days, then their hours'],
      [['--time-zone', 'Europe/Berln'], '--time-zone "Europe/Berln" is not an IANA time zone'],
      [['--holiday', '2026-02-30'], '--holiday "2026-02-30" is not a date'],
      [['--interval-minutes', '0'], '--interval-minutes "0" must be a whole number'],
      [['--interval-minutes', 'often'], '--interval-minutes "often" must be a whole number'],
      [['--on', '--off'], 'Give --on or --off, not both'],
      // The API's own validation applies too, naming the field.
      [['--away', 'x'.repeat(1_601)], 'autoResponder.awayMessage'],
    ];
    for (const [args, message] of cases) {
      const res = await parley('hours', 'set', '--group', 'Hours D', ...args);
      expect([res.exitCode, res.err], args.join(' ')).toEqual([1, expect.stringContaining(message)]);
    }
    expect(await settingsOf('Hours D')).toEqual(before);
    const unknown = await parley('hours', 'show', '--group', 'Nowhere');
    expect([unknown.exitCode, unknown.err]).toEqual([
      1,
      expect.stringContaining('There is no group named "Nowhere"'),
    ]);
  });

  it('R37: the week as show prints it reads back as the same hours through --day', () => {
    const clock = fc
      .integer({ min: 0, max: 24 * 4 })
      .map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
    const day = fc
      .uniqueArray(clock, { minLength: 0, maxLength: 6 })
      .map((cs) => [...cs].sort())
      .map((cs) => {
        const windows = [];
        for (let i = 0; i + 1 < cs.length; i += 2) windows.push({ from: cs[i]!, to: cs[i + 1]! });
        return windows;
      });
    const week = fc.record(
      Object.fromEntries(weekdays.map((d) => [d, day])) as Record<(typeof weekdays)[number], typeof day>,
    );
    fc.assert(
      fc.property(week, (w) => {
        const hours: AutoResponderSettings['hours'] = Object.fromEntries(
          weekdays.filter((d) => w[d].length > 0).map((d) => [d, w[d]]),
        );
        const back: AutoResponderSettings['hours'] = {};
        for (const line of describeWeek(hours)) {
          const { days, windows } = parseDaySpec(line);
          for (const d of days) if (windows.length > 0) back[d] = windows;
        }
        expect(back).toEqual(hours);
      }),
    );
  });
});
