import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BusinessHours,
  isOpenAt,
  localTimeIn,
  nextOpeningAt,
  weekdays,
} from '../../src/domain/business-hours.ts';

// Fixed instants only: every case names the UTC instant and the local time it is in the zone.
const utc = (iso: string) => new Date(`${iso}Z`);
const officeHours = { from: '09:00', to: '17:00' };
const weekdaysOnly = (timeZone: string, window = officeHours): BusinessHours => ({
  timeZone,
  hours: { mon: [window], tue: [window], wed: [window], thu: [window], fri: [window] },
});

describe('business hours (R37)', () => {
  it('R37: local weekday, date and minute come from the IANA zone', () => {
    // Monday 2 March 2026, 08:00 UTC: 09:00 in Berlin (CET), 13:30 in Kolkata, 03:00 in New York (EST).
    expect(localTimeIn('Europe/Berlin', utc('2026-03-02T08:00:00'))).toEqual({
      date: '2026-03-02',
      weekday: 'mon',
      minute: 9 * 60,
    });
    expect(localTimeIn('Asia/Kolkata', utc('2026-03-02T08:00:00')).minute).toBe(13 * 60 + 30);
    expect(localTimeIn('America/New_York', utc('2026-03-02T08:00:00')).minute).toBe(3 * 60);
    // Midnight is minute 0 of the new day, never "24:00" of the old one.
    expect(localTimeIn('Europe/Berlin', utc('2026-03-02T23:00:00'))).toEqual({
      date: '2026-03-03',
      weekday: 'tue',
      minute: 0,
    });
  });

  it('R37: open from the first minute of a window up to, not including, its end', () => {
    const s = weekdaysOnly('Europe/Berlin');
    expect(isOpenAt(s, utc('2026-03-02T07:59:59'))).toBe(false); // 08:59:59 CET
    expect(isOpenAt(s, utc('2026-03-02T08:00:00'))).toBe(true); // 09:00
    expect(isOpenAt(s, utc('2026-03-02T12:00:00'))).toBe(true); // 13:00
    expect(isOpenAt(s, utc('2026-03-02T15:59:59'))).toBe(true); // 16:59:59
    expect(isOpenAt(s, utc('2026-03-02T16:00:00'))).toBe(false); // 17:00
  });

  it('R37: a weekday without hours (the weekend here) is closed all day', () => {
    const s = weekdaysOnly('Europe/Berlin');
    // Saturday 7 and Sunday 8 March 2026, midday.
    expect(isOpenAt(s, utc('2026-03-07T11:00:00'))).toBe(false);
    expect(isOpenAt(s, utc('2026-03-08T11:00:00'))).toBe(false);
    // An empty list is closed too.
    expect(isOpenAt({ ...s, hours: { ...s.hours, sat: [] } }, utc('2026-03-07T11:00:00'))).toBe(false);
    // Saturday morning hours open Saturday morning only.
    const withSaturday: BusinessHours = {
      ...s,
      hours: { ...s.hours, sat: [{ from: '10:00', to: '14:00' }] },
    };
    expect(isOpenAt(withSaturday, utc('2026-03-07T09:00:00'))).toBe(true); // 10:00
    expect(isOpenAt(withSaturday, utc('2026-03-07T13:00:00'))).toBe(false); // 14:00
  });

  it('R37: several windows in a day leave the gaps between them closed', () => {
    const s: BusinessHours = {
      timeZone: 'Europe/Berlin',
      hours: {
        mon: [
          { from: '09:00', to: '12:00' },
          { from: '13:00', to: '17:00' },
        ],
      },
    };
    expect(isOpenAt(s, utc('2026-03-02T10:59:00'))).toBe(true); // 11:59
    expect(isOpenAt(s, utc('2026-03-02T11:00:00'))).toBe(false); // 12:00
    expect(isOpenAt(s, utc('2026-03-02T11:59:00'))).toBe(false); // 12:59
    expect(isOpenAt(s, utc('2026-03-02T12:00:00'))).toBe(true); // 13:00
  });

  it('R37: the same local hours follow daylight saving time (summer is UTC+2 in Berlin)', () => {
    const s = weekdaysOnly('Europe/Berlin');
    // 07:00 UTC is 08:00 on a winter Monday, 09:00 on a summer Monday (1 June 2026).
    expect(isOpenAt(s, utc('2026-03-02T07:00:00'))).toBe(false);
    expect(isOpenAt(s, utc('2026-06-01T07:00:00'))).toBe(true);
    expect(isOpenAt(s, utc('2026-06-01T06:59:00'))).toBe(false);
    expect(isOpenAt(s, utc('2026-06-01T14:59:00'))).toBe(true); // 16:59 CEST
    expect(isOpenAt(s, utc('2026-06-01T15:00:00'))).toBe(false); // 17:00 CEST
  });

  it('R37: on the spring-forward day the skipped local hour is never open', () => {
    // Sunday 29 March 2026: at 01:00 UTC Berlin's clocks jump from 02:00 to 03:00.
    const skipped: BusinessHours = {
      timeZone: 'Europe/Berlin',
      hours: { sun: [{ from: '02:00', to: '03:00' }] },
    };
    expect(isOpenAt(skipped, utc('2026-03-29T00:59:59'))).toBe(false); // 01:59:59 CET
    expect(isOpenAt(skipped, utc('2026-03-29T01:00:00'))).toBe(false); // 03:00 CEST
    const after: BusinessHours = {
      timeZone: 'Europe/Berlin',
      hours: { sun: [{ from: '03:00', to: '04:00' }] },
    };
    expect(isOpenAt(after, utc('2026-03-29T00:59:59'))).toBe(false); // 01:59:59 CET
    expect(isOpenAt(after, utc('2026-03-29T01:00:00'))).toBe(true); // 03:00 CEST, one second later
    expect(isOpenAt(after, utc('2026-03-29T01:59:00'))).toBe(true); // 03:59 CEST
    expect(isOpenAt(after, utc('2026-03-29T02:00:00'))).toBe(false); // 04:00 CEST
  });

  it('R37: on the fall-back day the repeated local hour is open both times', () => {
    // Sunday 25 October 2026: at 01:00 UTC Berlin's clocks go back from 03:00 to 02:00.
    const s: BusinessHours = { timeZone: 'Europe/Berlin', hours: { sun: [{ from: '02:00', to: '03:00' }] } };
    expect(isOpenAt(s, utc('2026-10-24T23:59:00'))).toBe(false); // 01:59 CEST
    expect(isOpenAt(s, utc('2026-10-25T00:00:00'))).toBe(true); // 02:00 CEST
    expect(isOpenAt(s, utc('2026-10-25T00:59:00'))).toBe(true); // 02:59 CEST
    expect(isOpenAt(s, utc('2026-10-25T01:00:00'))).toBe(true); // 02:00 CET, again
    expect(isOpenAt(s, utc('2026-10-25T01:59:00'))).toBe(true); // 02:59 CET
    expect(isOpenAt(s, utc('2026-10-25T02:00:00'))).toBe(false); // 03:00 CET
  });

  it('R37: a zone with a half-hour offset (Asia/Kolkata, UTC+5:30) opens on its own minute', () => {
    const s = weekdaysOnly('Asia/Kolkata', { from: '09:00', to: '18:00' });
    expect(isOpenAt(s, utc('2026-03-02T03:29:00'))).toBe(false); // 08:59 IST
    expect(isOpenAt(s, utc('2026-03-02T03:30:00'))).toBe(true); // 09:00 IST
    expect(isOpenAt(s, utc('2026-03-02T12:29:00'))).toBe(true); // 17:59 IST
    expect(isOpenAt(s, utc('2026-03-02T12:30:00'))).toBe(false); // 18:00 IST
    // Kathmandu is UTC+5:45.
    const nepal = weekdaysOnly('Asia/Kathmandu');
    expect(isOpenAt(nepal, utc('2026-03-02T03:14:00'))).toBe(false); // 08:59
    expect(isOpenAt(nepal, utc('2026-03-02T03:15:00'))).toBe(true); // 09:00
  });

  it('R37: the weekday is the local one, and "24:00" keeps a day open to its last minute', () => {
    const saturday: BusinessHours = {
      timeZone: 'Asia/Kolkata',
      hours: { sat: [{ from: '00:00', to: '24:00' }] },
    };
    // Friday 6 March 2026 18:29 UTC is Friday 23:59 in Kolkata; 18:30 UTC is Saturday 00:00.
    expect(isOpenAt(saturday, utc('2026-03-06T18:29:00'))).toBe(false);
    expect(isOpenAt(saturday, utc('2026-03-06T18:30:00'))).toBe(true);
    expect(isOpenAt(saturday, utc('2026-03-07T18:29:59'))).toBe(true); // Saturday 23:59:59
    expect(isOpenAt(saturday, utc('2026-03-07T18:30:00'))).toBe(false); // Sunday 00:00
  });

  it('R37: a holiday is closed all day, by its local date', () => {
    const s: BusinessHours = { ...weekdaysOnly('Europe/Berlin'), holidays: ['2026-12-25'] };
    // Christmas 2026 is a Friday.
    expect(isOpenAt(s, utc('2026-12-24T10:00:00'))).toBe(true);
    expect(isOpenAt(s, utc('2026-12-25T10:00:00'))).toBe(false);
    expect(isOpenAt(s, utc('2026-12-28T10:00:00'))).toBe(true);
    // Open around the clock in Kolkata: the holiday starts at local midnight, 18:30 UTC the day before.
    const allDay = { from: '00:00', to: '24:00' };
    const kolkata: BusinessHours = {
      timeZone: 'Asia/Kolkata',
      hours: Object.fromEntries(weekdays.map((d) => [d, [allDay]])),
      holidays: ['2026-12-25'],
    };
    expect(isOpenAt(kolkata, utc('2026-12-24T18:29:00'))).toBe(true);
    expect(isOpenAt(kolkata, utc('2026-12-24T18:30:00'))).toBe(false);
    expect(isOpenAt(kolkata, utc('2026-12-25T18:29:00'))).toBe(false);
    expect(isOpenAt(kolkata, utc('2026-12-25T18:30:00'))).toBe(true);
  });

  it('R37: open around the clock is always open; no hours is always closed (any instant, several zones)', () => {
    const allDay = { from: '00:00', to: '24:00' };
    const zones = ['Europe/Berlin', 'Asia/Kolkata', 'America/New_York', 'Pacific/Chatham', 'UTC'];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        (at, timeZone) => {
          const always: BusinessHours = {
            timeZone,
            hours: Object.fromEntries(weekdays.map((d) => [d, [allDay]])),
          };
          expect(isOpenAt(always, at)).toBe(true);
          expect(isOpenAt({ timeZone, hours: {} }, at)).toBe(false);
        },
      ),
    );
  });

  it('R37: an unknown time zone is an error, not "closed"', () => {
    expect(() => isOpenAt({ timeZone: 'Mars/Olympus', hours: {} }, utc('2026-03-02T08:00:00'))).toThrow(
      RangeError,
    );
  });

  it('R37: the next opening: null while open, later today, the next working day, past holidays and across DST', () => {
    const berlin = weekdaysOnly('Europe/Berlin');
    // Monday 2 March 2026 10:00 in Berlin: open.
    expect(nextOpeningAt(berlin, utc('2026-03-02T09:00:00'))).toBeNull();
    // 07:30 Berlin: today at 09:00 (08:00 UTC).
    expect(nextOpeningAt(berlin, utc('2026-03-02T06:30:00'))).toEqual(utc('2026-03-02T08:00:00'));
    // Friday 6 March 18:00 Berlin: Monday 9 March 09:00.
    expect(nextOpeningAt(berlin, utc('2026-03-06T17:00:00'))).toEqual(utc('2026-03-09T08:00:00'));
    // Monday a holiday: Tuesday.
    expect(nextOpeningAt({ ...berlin, holidays: ['2026-03-09'] }, utc('2026-03-06T17:00:00'))).toEqual(
      utc('2026-03-10T08:00:00'),
    );
    // Friday 27 March 18:00 CET; clocks go forward on Sunday 29: Monday 09:00 CEST is 07:00 UTC.
    expect(nextOpeningAt(berlin, utc('2026-03-27T17:00:00'))).toEqual(utc('2026-03-30T07:00:00'));
    // Two windows: at the lunch break, the afternoon one.
    const split = weekdaysOnly('Europe/Berlin', { from: '09:00', to: '12:00' });
    split.hours.mon = [
      { from: '13:30', to: '17:00' },
      { from: '09:00', to: '12:00' },
    ];
    expect(nextOpeningAt(split, utc('2026-03-02T11:15:00'))).toEqual(utc('2026-03-02T12:30:00'));
    // No hours at all: never.
    expect(nextOpeningAt({ timeZone: 'Europe/Berlin', hours: {} }, utc('2026-03-02T09:00:00'))).toBeNull();
  });
});
