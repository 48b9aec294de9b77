// A business-hours calendar as its metadata says it (the calendar record and its exceptions),
// and the checks that name what is wrong by field, so a bad calendar is a 422, never a crash.
import { parseIsoDate, WEEKDAYS, type Weekday } from './civil.ts';
import { canonicalZone, isTimeZone } from './zone.ts';

/** ["09:00", "18:00"]: wall-clock start and end; "24:00" only as an end (midnight after). */
export type HoursRange = [string, string];
export type WeeklyHours = Partial<Record<Weekday, HoursRange[]>>;

export interface CalendarException {
  /** "YYYY-MM-DD", a day of the calendar's own time zone. */
  date: string;
  /** closed: no business hours that day; open: exactly `hours` (replacing the weekday's and a holiday's). */
  kind: 'closed' | 'open';
  hours?: HoursRange[];
}

export interface CalendarSpec {
  time_zone: string;
  weekly_hours: WeeklyHours;
  use_japanese_holidays: boolean;
  exceptions: CalendarException[];
}

export interface Problem {
  field: string;
  message: string;
}

const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** Minutes after midnight of "HH:MM" (00:00–24:00), or undefined. */
export function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TIME.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : undefined;
}

/**
 * A day's ranges as [start, end) minute pairs, checked: each "HH:MM"–"HH:MM" within
 * 00:00–24:00, start before end, in order and not overlapping (touching is allowed).
 */
export function checkRanges(value: unknown, field: string, problems: Problem[]): [number, number][] {
  if (!Array.isArray(value)) {
    problems.push({ field, message: 'must be a list of ["HH:MM", "HH:MM"] ranges' });
    return [];
  }
  if (value.length > 24) problems.push({ field, message: 'must have at most 24 ranges' });
  const ranges: [number, number][] = [];
  value.slice(0, 24).forEach((r, i) => {
    const at = `${field}[${i}]`;
    if (!Array.isArray(r) || r.length !== 2) return void problems.push({ field: at, message: 'must be a ["HH:MM", "HH:MM"] pair' });
    const start = parseTime(r[0]);
    const end = parseTime(r[1]);
    if (start === undefined || start === 1440)
      return void problems.push({ field: at, message: 'must start at a time from 00:00 to 23:59 (HH:MM)' });
    if (end === undefined) return void problems.push({ field: at, message: 'must end at a time from 00:01 to 24:00 (HH:MM)' });
    if (end <= start) return void problems.push({ field: at, message: 'must end after it starts' });
    const prev = ranges[ranges.length - 1];
    if (prev && start < prev[1])
      return void problems.push({ field: at, message: 'must start after the previous range ends (in order, not overlapping)' });
    ranges.push([start, end]);
  });
  return ranges;
}

/** Weekly hours: { "mon": [["09:00","18:00"]], … }; a weekday left out is closed. */
export function checkWeeklyHours(value: unknown, field: string, problems: Problem[]): [number, number][][] {
  const week: [number, number][][] = WEEKDAYS.map(() => []);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field, message: 'must be an object of weekdays (mon … sun), each a list of ["HH:MM", "HH:MM"] ranges' });
    return week;
  }
  for (const [key, ranges] of Object.entries(value)) {
    const i = WEEKDAYS.indexOf(key as Weekday);
    if (i < 0) problems.push({ field: `${field}.${key}`, message: `is not a weekday (${WEEKDAYS.join(', ')})` });
    else week[i] = checkRanges(ranges, `${field}.${key}`, problems);
  }
  return week;
}

export function checkTimeZone(value: unknown, field: string, problems: Problem[]): string | undefined {
  // Intl also takes offsets ("+09:00") in newer engines; a calendar wants a zone with its rules.
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value) || !isTimeZone(value)) {
    problems.push({ field, message: 'must be an IANA time zone, such as Asia/Tokyo or America/New_York' });
    return undefined;
  }
  return canonicalZone(value);
}

/** An exception's own fields: a real date, and hours exactly when it is open. */
export function checkException(e: Partial<CalendarException>, field: (name: string) => string, problems: Problem[]) {
  if (typeof e.date !== 'string' || parseIsoDate(e.date) === undefined)
    problems.push({ field: field('date'), message: 'must be a date (YYYY-MM-DD)' });
  if (e.kind !== 'closed' && e.kind !== 'open') problems.push({ field: field('kind'), message: 'must be closed or open' });
  if (e.kind === 'open') {
    const ranges = checkRanges(e.hours ?? null, field('hours'), problems);
    if (Array.isArray(e.hours) && e.hours.length === 0 && ranges.length === 0)
      problems.push({ field: field('hours'), message: 'must have at least one range on an open day (a day without hours is closed)' });
  } else if (e.kind === 'closed' && e.hours != null && !(Array.isArray(e.hours) && e.hours.length === 0)) {
    problems.push({ field: field('hours'), message: 'must be empty on a closed day' });
  }
}
