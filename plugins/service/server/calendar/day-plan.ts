// What a calendar says about each day, and why: for people checking a calendar (the studio's
// panel), not for the math, which never asks day by day.
import { isoDate, weekdayOf, WEEKDAYS, type Weekday } from './civil.ts';
import { rangesOf, type CompiledCalendar } from './compile.ts';
import { japaneseHolidays } from './japanese-holidays.ts';

export interface DayPlan {
  date: string;
  weekday: Weekday;
  /** The day's business hours, ["HH:MM", "HH:MM"] in the calendar's zone; empty: closed. */
  hours: [string, string][];
  /** What decided them: the weekday's hours, a public holiday, or an exception. */
  source: 'weekday' | 'holiday' | 'exception';
  /** The public holiday's name, when the day is one (even if an exception opens it). */
  holiday?: { en: string; ja: string };
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** `count` days from `first` (day numbers); a day outside the holiday data is refused. */
export function dayPlans(cal: CompiledCalendar, first: number, count: number): DayPlan[] {
  const plans: DayPlan[] = [];
  for (let day = first; day < first + count; day++) {
    const ranges = rangesOf(cal, day);
    const holiday = cal.usesJapaneseHolidays ? japaneseHolidays().days.get(day) : undefined;
    plans.push({
      date: isoDate(day),
      weekday: WEEKDAYS[weekdayOf(day)],
      hours: ranges.map(([a, b]) => [hhmm(a), hhmm(b)]),
      source: cal.exceptionDays.has(day) ? 'exception' : cal.special.has(day) ? 'holiday' : 'weekday',
      ...(holiday && { holiday }),
    });
  }
  return plans;
}
