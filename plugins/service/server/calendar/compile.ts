// A calendar compiled for answering: weekly hours as minute ranges, every special day (holiday
// or exception) in one sorted list, and the zone's offset table. Compiled once per calendar
// version; answering then walks days and whole weeks, never minutes.
import { MINUTES_PER_DAY, parseIsoDate, weekdayOf } from './civil.ts';
import { japaneseHolidays } from './japanese-holidays.ts';
import { checkException, checkTimeZone, checkWeeklyHours, type CalendarSpec, type Problem } from './spec.ts';
import { OutOfRangeError, zoneOf, type Zone } from './zone.ts';

type Ranges = [number, number][];

export class InvalidCalendarError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`invalid calendar: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
}

export interface CompiledCalendar {
  zone: Zone;
  /** Monday first: each weekday's [start, end) minutes after local midnight. */
  weekly: Ranges[];
  /** Business minutes of a week without special days or offset changes. */
  weekMinutes: number;
  /** Day number → that day's ranges (empty: closed), overriding its weekday's. */
  special: Map<number, Ranges>;
  /** The special days, ascending (for the whole-week fast path). */
  specialDays: number[];
  usesJapaneseHolidays: boolean;
  /** The days an exception decides (the rest of `special` are public holidays). */
  exceptionDays: Set<number>;
  /** Days the calendar can answer for: the holiday data's years when it uses them, else all. */
  from: number;
  to: number;
}

export function compileCalendar(spec: CalendarSpec): CompiledCalendar {
  const problems: Problem[] = [];
  const zoneName = checkTimeZone(spec.time_zone, 'time_zone', problems);
  const weekly = checkWeeklyHours(spec.weekly_hours, 'weekly_hours', problems);
  const special = new Map<number, Ranges>();
  let from = -Infinity;
  let to = Infinity;
  if (spec.use_japanese_holidays) {
    const jp = japaneseHolidays();
    ({ from, to } = jp);
    for (const day of jp.days.keys()) special.set(day, []);
  }
  // Exceptions win over holidays: a company can open on a public holiday.
  const seen = new Set<number>();
  spec.exceptions.forEach((e, i) => {
    const field = (name: string) => `exceptions[${i}].${name}`;
    const before = problems.length;
    checkException(e, field, problems);
    if (problems.length > before) return;
    const day = parseIsoDate(e.date)!;
    if (seen.has(day)) return void problems.push({ field: field('date'), message: 'has another exception on the same day' });
    seen.add(day);
    special.set(day, e.kind === 'closed' ? [] : (e.hours ?? []).map(([s, t]) => [toMinutes(s), toMinutes(t)]));
  });
  if (problems.length || !zoneName) throw new InvalidCalendarError(problems);
  return {
    zone: zoneOf(zoneName),
    weekly,
    weekMinutes: weekly.reduce((sum, day) => sum + day.reduce((s, [a, b]) => s + b - a, 0), 0),
    special,
    specialDays: [...special.keys()].sort((a, b) => a - b),
    exceptionDays: seen,
    usesJapaneseHolidays: spec.use_japanese_holidays,
    from,
    to,
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A day's ranges; a day outside the holiday data's years is refused, not guessed. */
export function rangesOf(cal: CompiledCalendar, day: number): Ranges {
  if (day < cal.from || day > cal.to) throw outsideHolidays(cal);
  return cal.special.get(day) ?? cal.weekly[weekdayOf(day)];
}

export const outsideHolidays = (cal: CompiledCalendar) =>
  new OutOfRangeError(
    `the Japanese holiday data covers ${new Date(cal.from * MINUTES_PER_DAY * 60000).getUTCFullYear()}–${new Date(cal.to * MINUTES_PER_DAY * 60000).getUTCFullYear()} only`,
    'holidays',
  );

/** The first special day on or after `day` (Infinity when none). */
export function nextSpecialDay(cal: CompiledCalendar, day: number): number {
  const days = cal.specialDays;
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo < days.length ? days[lo] : Infinity;
}
