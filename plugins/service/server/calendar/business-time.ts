// "Add N business minutes to t" and "business minutes between a and b" on a compiled calendar,
// exact to the minute. The walk goes day by day through stretches of constant UTC offset and
// jumps whole weeks between special days, so its cost grows with the special days and offset
// changes crossed, not with the minutes.
//
// What counts as business time: an instant is business time when the calendar's wall clock
// (its time zone, at that instant) shows a date and a time inside that date's ranges. So on a
// day the clocks spring forward (America/New_York, 02:00 → 03:00) a range 01:00–03:00 holds
// 60 minutes and 02:00–02:30 none; on the day they fall back (02:00 → 01:00) the repeated hour
// counts twice, 00:00–03:00 holding 240 minutes. Inputs are read to the minute (seconds are
// dropped); answers are whole minutes.
import { floorDiv, MINUTES_PER_DAY } from './civil.ts';
import { nextSpecialDay, outsideHolidays, rangesOf, type CompiledCalendar } from './compile.ts';
import { MAX_INSTANT, OutOfRangeError } from './zone.ts';

/**
 * Visits the business intervals from `from` to `limit` (epoch minutes) in order, each clipped
 * to them, until `visit` answers true. Before a stretch of whole weeks without a special day or
 * offset change it asks `skipWeeks(available)` how many to jump over (the caller counts them).
 */
function walk(
  cal: CompiledCalendar,
  from: number,
  limit: number,
  visit: (start: number, end: number) => boolean,
  skipWeeks: (available: number) => number,
): boolean {
  let t = from;
  while (t < limit) {
    const offset = cal.zone.offsetAt(t);
    const stretchEnd = Math.min(cal.zone.nextBoundary(t), limit);
    let day = floorDiv(t + offset, MINUTES_PER_DAY);
    for (;;) {
      const dayStart = day * MINUTES_PER_DAY - offset;
      if (dayStart >= stretchEnd) break;
      if (dayStart >= t) {
        if (day < cal.from || day > cal.to) throw outsideHolidays(cal);
        const plainDays = Math.min(nextSpecialDay(cal, day), cal.to + 1) - day;
        const wholeDays = floorDiv(stretchEnd - dayStart, MINUTES_PER_DAY);
        const weeks = floorDiv(Math.min(plainDays, wholeDays), 7);
        if (weeks > 0) {
          const taken = skipWeeks(weeks);
          if (taken > 0) {
            day += 7 * taken;
            continue;
          }
        }
      }
      for (const [a, b] of rangesOf(cal, day)) {
        const start = Math.max(dayStart + a, t);
        const end = Math.min(dayStart + b, stretchEnd);
        if (end > start && visit(start, end)) return true;
      }
      day++;
    }
    t = stretchEnd;
  }
  return false;
}

/** Business minutes in [a, b) (epoch minutes); negative when b is before a. */
export function minutesBetween(cal: CompiledCalendar, a: number, b: number): number {
  if (b < a) return 0 - minutesBetween(cal, b, a); // 0 - x: never -0
  let total = 0;
  walk(
    cal,
    a,
    b,
    (s, e) => {
      total += e - s;
      return false;
    },
    (weeks) => {
      total += weeks * cal.weekMinutes;
      return weeks;
    },
  );
  return total;
}

/** The earliest instant T ≥ start with `minutes` business minutes in [start, T) (epoch minutes). */
export function addMinutes(cal: CompiledCalendar, start: number, minutes: number): number {
  if (!Number.isSafeInteger(minutes) || minutes < 0) throw new RangeError('minutes must be a whole number, 0 or more');
  if (minutes === 0) return start;
  if (cal.weekMinutes === 0 && !opensAfter(cal, floorDiv(start + cal.zone.offsetAt(start), MINUTES_PER_DAY)))
    throw new OutOfRangeError('the calendar has no business hours from this instant on', 'never');
  let left = minutes;
  let answer = NaN;
  const found = walk(
    cal,
    start,
    MAX_INSTANT,
    (s, e) => {
      if (e - s >= left) {
        answer = s + left;
        return true;
      }
      left -= e - s;
      return false;
    },
    (weeks) => {
      // Never jump onto the answer itself: it lies inside the last range that reaches it.
      const taken = cal.weekMinutes === 0 ? weeks : Math.min(weeks, floorDiv(left - 1, cal.weekMinutes));
      left -= taken * cal.weekMinutes;
      return taken;
    },
  );
  if (!found) throw new OutOfRangeError('the answer lies past the supported instants', 'instant');
  return answer;
}

function opensAfter(cal: CompiledCalendar, day: number): boolean {
  for (let d = nextSpecialDay(cal, day); d !== Infinity; d = nextSpecialDay(cal, d + 1)) if (cal.special.get(d)!.length) return true;
  return false;
}

/** Merged, sorted pauses clipped to [a, b). */
function clipPauses(a: number, b: number, pauses: [number, number][]): [number, number][] {
  const clipped = pauses
    .map(([s, e]): [number, number] => [Math.max(s, a), Math.min(e, b)])
    .filter(([s, e]) => e > s)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const p of clipped) {
    const last = merged[merged.length - 1];
    if (last && p[0] <= last[1]) last[1] = Math.max(last[1], p[1]);
    else merged.push([...p]);
  }
  return merged;
}

/** Business minutes in [a, b) outside every [pausedFrom, pausedTo) (an SLA clock held while pending). */
export function minutesBetweenExcludingPauses(cal: CompiledCalendar, a: number, b: number, pauses: [number, number][]): number {
  if (b <= a) return 0;
  return clipPauses(a, b, pauses).reduce((left, [s, e]) => left - minutesBetween(cal, s, e), minutesBetween(cal, a, b));
}

// The same answers for Date values (read to the minute).
const minuteOf = (d: Date, name: string) => {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  return Math.floor(ms / 60000);
};

export const businessMinutesBetween = (cal: CompiledCalendar, a: Date, b: Date) => minutesBetween(cal, minuteOf(a, 'a'), minuteOf(b, 'b'));

export const addBusinessMinutes = (cal: CompiledCalendar, start: Date, minutes: number) =>
  new Date(addMinutes(cal, minuteOf(start, 'start'), minutes) * 60000);

export const businessMinutesExcludingPauses = (cal: CompiledCalendar, a: Date, b: Date, pauses: [Date, Date][]) =>
  minutesBetweenExcludingPauses(
    cal,
    minuteOf(a, 'a'),
    minuteOf(b, 'b'),
    pauses.map(([s, e]) => [minuteOf(s, 'pause start'), minuteOf(e, 'pause end')]),
  );
