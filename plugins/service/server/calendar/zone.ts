// A time zone's UTC offsets as a table of transitions, read once per zone and year from Intl
// (Node's ICU tzdata), so the engine asks "offset here, next change when" without calling Intl
// per day. Offsets are whole minutes (every IANA zone since 1972; older seconds are floored).
import { civilDate, dayNumber, floorDiv, MINUTES_PER_DAY } from './civil.ts';

/** Instants the engine answers for: 1970-01-01T00:00Z up to 2200-01-01T00:00Z (epoch minutes). */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2199;
export const MIN_INSTANT = 0;
export const MAX_INSTANT = dayNumber(LAST_YEAR + 1, 1, 1) * MINUTES_PER_DAY;

export class OutOfRangeError extends Error {
  constructor(
    message: string,
    readonly reason: 'instant' | 'holidays' | 'never',
  ) {
    super(message);
  }
}

interface Transition {
  /** The first minute (epoch minutes) with the new offset. */
  at: number;
  offset: number;
}

interface YearTable {
  /** Offset at the year's first instant (Jan 1 00:00 UTC). */
  first: number;
  transitions: Transition[];
}

export interface Zone {
  name: string;
  /** Minutes to add to an instant to read the local wall clock. */
  offsetAt(instant: number): number;
  /**
   * The next instant after `instant` at which the offset may change: a transition, or the next
   * year's start (the table is read a year at a time). The offset is constant until then.
   */
  nextBoundary(instant: number): number;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling ICU gives a zone name ("utc" → "UTC"). */
export const canonicalZone = (name: string) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;

/** The offset at one instant, straight from Intl (used to build the table). */
export function intlOffset(format: Intl.DateTimeFormat, instant: number): number {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant * 60000))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = dayNumber(p.year, p.month, p.day) * MINUTES_PER_DAY + p.hour * 60 + p.minute;
  return local - instant;
}

export const offsetFormat = (zone: string) =>
  new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });

function readYear(format: Intl.DateTimeFormat, year: number): YearTable {
  const start = dayNumber(year, 1, 1) * MINUTES_PER_DAY;
  const end = dayNumber(year + 1, 1, 1) * MINUTES_PER_DAY;
  const first = intlOffset(format, start);
  const transitions: Transition[] = [];
  // Sampled daily: a zone changing its offset twice within one day is not seen (none does).
  let before = first;
  for (let t = start; t < end; t += MINUTES_PER_DAY) {
    const next = Math.min(t + MINUTES_PER_DAY, end);
    const after = intlOffset(format, next);
    if (after === before) continue;
    let lo = t; // offset(lo) === before
    let hi = next; // offset(hi) === after
    while (hi - lo > 1) {
      const mid = floorDiv(lo + hi, 2);
      if (intlOffset(format, mid) === before) lo = mid;
      else hi = mid;
    }
    if (hi < end) transitions.push({ at: hi, offset: after });
    before = after;
  }
  return { first, transitions };
}

const zones = new Map<string, Zone>();

/** The zone's table (one per process and zone, years read on first use). */
export function zoneOf(name: string): Zone {
  const known = zones.get(name);
  if (known) return known;
  const format = offsetFormat(name);
  const years = new Map<number, YearTable>();
  const yearOf = (instant: number) => {
    if (instant < MIN_INSTANT || instant >= MAX_INSTANT)
      throw new OutOfRangeError(`instants before 1970 or from ${LAST_YEAR + 1} on are not supported`, 'instant');
    const y = civilDate(floorDiv(instant, MINUTES_PER_DAY)).y;
    let table = years.get(y);
    if (!table) years.set(y, (table = readYear(format, y)));
    return { y, table };
  };
  const zone: Zone = {
    name,
    offsetAt(instant) {
      const { table } = yearOf(instant);
      let offset = table.first;
      for (const tr of table.transitions) {
        if (tr.at > instant) break;
        offset = tr.offset;
      }
      return offset;
    },
    nextBoundary(instant) {
      const { y, table } = yearOf(instant);
      for (const tr of table.transitions) if (tr.at > instant) return tr.at;
      return dayNumber(y + 1, 1, 1) * MINUTES_PER_DAY;
    },
  };
  zones.set(name, zone);
  return zone;
}
