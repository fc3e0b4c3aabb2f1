import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../src/domain/business-hours.ts';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  targetMinutes,
  warnBeforeMinutes,
} from '../../src/domain/sla.ts';

/** R39's clock as pure functions of the calendar and fixed instants. */
const weekday = [{ from: '09:00', to: '18:00' }];
const berlin: BusinessHours = {
  timeZone: 'Europe/Berlin',
  hours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
  holidays: ['2026-12-24', '2026-12-25'],
};
const at = (iso: string) => new Date(iso);

describe('the SLA clock counts business minutes (R39)', () => {
  it('R39: inside business hours the clock runs as the wall clock does', () => {
    expect(addBusinessMinutes(berlin, at('2026-12-02T09:00:00Z'), 30)).toEqual(at('2026-12-02T09:30:00Z'));
    expect(businessMinutesBetween(berlin, at('2026-12-02T09:00:00Z'), at('2026-12-02T10:15:00Z'))).toBe(75);
  });

  it('R39: a wait that starts Friday 17:50 with 30 minutes is due Monday 09:20; the weekend does not count', () => {
    const friday = at('2026-12-04T16:50:00Z');
    expect(addBusinessMinutes(berlin, friday, 30)).toEqual(at('2026-12-07T08:20:00Z'));
    expect(businessMinutesBetween(berlin, friday, at('2026-12-07T08:20:00Z'))).toBe(30);
  });

  it('R39: a message written at night or on a holiday starts counting at the next opening', () => {
    expect(addBusinessMinutes(berlin, at('2026-12-02T02:00:00Z'), 15)).toEqual(at('2026-12-02T08:15:00Z'));
    // Thursday 24 and Friday 25 December are holidays: Wednesday 17:55 + 10 min is Monday 09:05.
    expect(addBusinessMinutes(berlin, at('2026-12-23T16:55:00Z'), 10)).toEqual(at('2026-12-28T08:05:00Z'));
  });

  it('R39: opening hours stay local across a daylight-saving change (09:00 CET, then 09:00 CEST)', () => {
    // Friday 27 March 2026 17:30 CET; clocks go forward on Sunday 29 March; Monday opens 07:00Z.
    expect(addBusinessMinutes(berlin, at('2026-03-27T16:30:00Z'), 60)).toEqual(at('2026-03-30T07:30:00Z'));
  });

  it('R39: without business hours the clock runs around the clock', () => {
    expect(addBusinessMinutes(null, at('2026-12-05T23:50:00Z'), 30)).toEqual(at('2026-12-06T00:20:00Z'));
    expect(businessMinutesBetween(null, at('2026-12-05T23:50:00Z'), at('2026-12-06T00:20:00Z'))).toBe(30);
  });

  it('R39: a calendar with no open time at all is refused rather than looped over', () => {
    expect(() => addBusinessMinutes({ timeZone: 'UTC', hours: {} }, at('2026-12-01T00:00:00Z'), 1)).toThrow(
      /no open time/,
    );
  });

  it('R39: a contact tag with its own target wins, the strictest of several; the warning is at most half the target', () => {
    const sla = {
      firstResponseMinutes: 60,
      tags: { vip: { firstResponseMinutes: 15 }, reseller: { firstResponseMinutes: 30 } },
    };
    expect(targetMinutes(sla, 'first', [])).toBe(60);
    expect(targetMinutes(sla, 'first', ['reseller', 'vip'])).toBe(15);
    expect(targetMinutes(sla, 'next', ['vip'])).toBeNull();
    expect(warnBeforeMinutes({}, 60)).toBe(15);
    expect(warnBeforeMinutes({ warnBeforeMinutes: 20 }, 15)).toBe(7);
  });
});
