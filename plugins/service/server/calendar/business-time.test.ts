// Readable examples: a Tokyo service desk (平日 9:00–18:00, 昼休み 12:00–13:00, 祝日休み), its
// 年末年始, a Saturday it opens, Golden Week's 振替休日, and what DST does in New York.
import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  businessMinutesExcludingPauses,
  compileCalendar,
  InvalidCalendarError,
  japaneseHolidays,
  OutOfRangeError,
  type CalendarSpec,
  type HoursRange,
} from './index.ts';

const weekdays = (ranges: HoursRange[]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });
const jst = (local: string) => new Date(`${local}:00+09:00`);
const tokyo: CalendarSpec = {
  time_zone: 'Asia/Tokyo',
  weekly_hours: weekdays([
    ['09:00', '12:00'],
    ['13:00', '18:00'],
  ]),
  use_japanese_holidays: true,
  exceptions: [
    // 年末年始: 12/29–1/3 closed.
    ...['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'].map((date) => ({
      date,
      kind: 'closed' as const,
    })),
    // A Saturday the desk opens for a product launch, 10:00–15:00.
    { date: '2026-12-26', kind: 'open', hours: [['10:00', '15:00']] },
  ],
};
const desk = compileCalendar(tokyo);

describe('a Tokyo service desk', () => {
  it('skips the lunch break: 2 business hours from 11:00 end at 14:00', () => {
    expect(addBusinessMinutes(desk, jst('2026-12-01T11:00'), 120)).toEqual(jst('2026-12-01T14:00'));
  });

  it('closes for 年末年始 (12/29–1/3): 60 minutes from Monday 12/28 17:30 end on Monday 1/4 09:30', () => {
    expect(addBusinessMinutes(desk, jst('2026-12-28T17:30'), 60)).toEqual(jst('2027-01-04T09:30'));
    // The whole year-end week holds only 12/28: 8 hours.
    expect(businessMinutesBetween(desk, jst('2026-12-28T00:00'), jst('2027-01-04T00:00'))).toBe(480);
  });

  it('opens on the exceptional Saturday 10:00–15:00: 2 hours from Friday 17:00 end Saturday 11:00', () => {
    expect(addBusinessMinutes(desk, jst('2026-12-25T17:00'), 120)).toEqual(jst('2026-12-26T11:00'));
    expect(businessMinutesBetween(desk, jst('2026-12-26T00:00'), jst('2026-12-27T00:00'))).toBe(300);
  });

  it('rests on a 振替休日: 2026-05-06 (for Sunday 5/3) is closed, so Golden Week runs to Thursday 5/7', () => {
    expect(japaneseHolidays().days.get(Date.parse('2026-05-06') / 86400000)?.ja).toContain('振替休日');
    // Friday 5/1 17:00 + 2 hours: one hour on Friday, then 5/2–5/6 closed (土日, 憲法記念日,
    // みどりの日, こどもの日, 振替休日), the second hour on Thursday 5/7.
    expect(addBusinessMinutes(desk, jst('2026-05-01T17:00'), 120)).toEqual(jst('2026-05-07T10:00'));
  });

  it('adds 10,000 business minutes over weeks without walking them minute by minute, and counts them back', () => {
    const start = jst('2027-01-04T09:00');
    const end = addBusinessMinutes(desk, start, 10_000);
    // 480 minutes a day: 20 full days (成人の日, Monday 1/11, is not one) and 400 minutes.
    expect(end).toEqual(jst('2027-02-02T16:40'));
    expect(businessMinutesBetween(desk, start, end)).toBe(10_000);
  });

  it('holds the clock while a case is pending: pauses are left out, overlapping ones once', () => {
    const from = jst('2026-12-01T09:00');
    const to = jst('2026-12-02T18:00');
    const pauses: [Date, Date][] = [
      [jst('2026-12-01T10:00'), jst('2026-12-01T14:00')], // 3 business hours (lunch is not one)
      [jst('2026-12-01T13:30'), jst('2026-12-01T15:00')], // overlaps: adds 14:00–15:00
    ];
    expect(businessMinutesExcludingPauses(desk, from, to, pauses)).toBe(960 - 240);
  });

  it('refuses days past the holiday data instead of treating them as working days', () => {
    const to = new Date(japaneseHolidays().to * 86400000);
    expect(to.getUTCFullYear()).toBeGreaterThanOrEqual(2050);
    expect(() => addBusinessMinutes(desk, jst(`${to.getUTCFullYear()}-12-30T09:00`), 10_000)).toThrow(OutOfRangeError);
    // A calendar without Japanese holidays answers for those years.
    const plain = compileCalendar({ ...tokyo, use_japanese_holidays: false, exceptions: [] });
    expect(addBusinessMinutes(plain, jst('2051-01-02T09:00'), 60)).toEqual(jst('2051-01-02T10:00'));
  });

  it('answers "never" for a calendar with no hours left instead of looping', () => {
    const closed = compileCalendar({
      ...tokyo,
      weekly_hours: {},
      exceptions: [{ date: '2026-12-26', kind: 'open', hours: [['10:00', '15:00']] }],
    });
    expect(addBusinessMinutes(closed, jst('2026-12-20T00:00'), 60)).toEqual(jst('2026-12-26T11:00'));
    expect(() => addBusinessMinutes(closed, jst('2026-12-27T00:00'), 60)).toThrow(/no business hours/);
  });
});

describe('daylight saving time (America/New_York): business time is what the wall clock shows', () => {
  const ny = (ranges: HoursRange[]) =>
    compileCalendar({ time_zone: 'America/New_York', weekly_hours: { sun: ranges }, use_japanese_holidays: false, exceptions: [] });
  const utc = (iso: string) => new Date(`${iso}Z`);

  it('on 2026-03-08 (02:00 → 03:00) a range 01:00–03:00 holds 60 minutes and 02:00–02:30 none', () => {
    expect(businessMinutesBetween(ny([['01:00', '03:00']]), utc('2026-03-08T00:00'), utc('2026-03-09T00:00'))).toBe(60);
    expect(businessMinutesBetween(ny([['02:00', '02:30']]), utc('2026-03-08T00:00'), utc('2026-03-09T00:00'))).toBe(0);
    // 30 minutes from 01:45 EST: 15 before the jump, 15 after it, ending 03:15 EDT (07:15Z).
    expect(addBusinessMinutes(ny([['01:00', '04:00']]), utc('2026-03-08T06:45'), 30)).toEqual(utc('2026-03-08T07:15'));
  });

  it('on 2026-11-01 (02:00 → 01:00) the repeated hour counts twice: 00:00–03:00 holds 240 minutes', () => {
    expect(businessMinutesBetween(ny([['00:00', '03:00']]), utc('2026-11-01T00:00'), utc('2026-11-02T00:00'))).toBe(240);
    // 01:00–01:30 happens twice: 30 minutes in EDT (05:00Z) and 30 in EST (06:00Z).
    const half = ny([['01:00', '01:30']]);
    expect(businessMinutesBetween(half, utc('2026-11-01T00:00'), utc('2026-11-02T00:00'))).toBe(60);
    expect(addBusinessMinutes(half, utc('2026-11-01T05:00'), 45)).toEqual(utc('2026-11-01T06:15'));
  });
});

describe('compiling a calendar', () => {
  it('names every problem by field: unknown zone, overlapping and out-of-order ranges, a bad weekday, an open day without hours', () => {
    let problems: { field: string; message: string }[] = [];
    try {
      compileCalendar({
        time_zone: 'Asia/Tokio',
        weekly_hours: {
          mon: [
            ['09:00', '12:00'],
            ['11:00', '18:00'],
          ],
          tue: [['18:00', '09:00']],
          wed: [['09:00', '24:30']],
          funday: [],
        } as never,
        use_japanese_holidays: false,
        exceptions: [
          { date: '2026-02-30', kind: 'closed' },
          { date: '2026-03-01', kind: 'open', hours: [] },
        ],
      });
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidCalendarError);
      problems = (e as InvalidCalendarError).problems;
    }
    expect(problems.map((p) => p.field)).toEqual([
      'time_zone',
      'weekly_hours.mon[1]',
      'weekly_hours.tue[0]',
      'weekly_hours.wed[0]',
      'weekly_hours.funday',
      'exceptions[0].date',
      'exceptions[1].hours',
    ]);
  });

  it('takes 24:00 as the end of a day and ranges that touch, and rejects two exceptions on one day', () => {
    const allDay = compileCalendar({
      time_zone: 'UTC',
      weekly_hours: {
        mon: [
          ['00:00', '12:00'],
          ['12:00', '24:00'],
        ],
      },
      use_japanese_holidays: false,
      exceptions: [],
    });
    expect(allDay.weekMinutes).toBe(1440);
    expect(() =>
      compileCalendar({
        time_zone: 'UTC',
        weekly_hours: {},
        use_japanese_holidays: false,
        exceptions: [
          { date: '2026-12-29', kind: 'closed' },
          { date: '2026-12-29', kind: 'open', hours: [['10:00', '11:00']] },
        ],
      }),
    ).toThrow(/exceptions\[1\]\.date has another exception/);
  });
});
