// The engine against a brute-force reference that walks minute by minute and reads each
// minute's wall clock from Intl on its own (no offset table, no day arithmetic of the engine's),
// over thousands of random calendars, holidays, exceptions, pauses and time zones (two with
// DST). Seeded: a failure names its seed and case, and reproduces.
import holidayJp from '@holiday-jp/holiday_jp';
import { describe, expect, it } from 'vitest';
import { addMinutes, compileCalendar, minutesBetween, minutesBetweenExcludingPauses, type CalendarSpec, type HoursRange } from './index.ts';

const SEED = 20261208;
const CASES = 2000;
// America/Santiago changes its clocks at midnight: a day without 00:00, and a date that comes back.
const ZONES = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'UTC', 'America/Santiago'];
// Days that test something: 年末年始, Golden Week with a 振替休日 (2026-05-06), Silver Week with
// a 国民の休日 (2026-09-22), a year's end, an ordinary week; and each DST zone's own changes
// (half of its windows start near one).
const BASES = ['2026-12-29', '2027-01-01', '2026-05-03', '2026-09-21', '2025-02-24', '2026-07-15'];
const CHANGES: Record<string, string[]> = {
  'America/New_York': ['2026-03-08', '2026-11-01'],
  'Europe/London': ['2026-03-29', '2026-10-25'],
  'America/Santiago': ['2026-04-05', '2026-09-06'],
};
const SUN_FIRST = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

function randomRanges(rnd: () => number): HoursRange[] {
  const count = 1 + Math.floor(rnd() * 3);
  const points = new Set<number>();
  while (points.size < count * 2) {
    const r = rnd();
    // Often on the hour, often in the small hours (where DST changes happen), sometimes at the day's ends.
    const m =
      r < 0.1
        ? rnd() < 0.5
          ? 0
          : 1440
        : r < 0.4
          ? 60 * Math.floor(rnd() * 4) + Math.floor(rnd() * 4) * 15
          : r < 0.7
            ? 60 * Math.floor(rnd() * 25)
            : Math.floor(rnd() * 1441);
    points.add(m);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const ranges: HoursRange[] = [];
  for (let i = 0; i < sorted.length; i += 2) ranges.push([hhmm(sorted[i]), hhmm(sorted[i + 1])]);
  return ranges;
}

const dayMs = 86400000;
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function randomCase(rnd: () => number) {
  const time_zone = ZONES[Math.floor(rnd() * ZONES.length)];
  const allClosed = rnd() < 0.05;
  const weekly_hours: CalendarSpec['weekly_hours'] = {};
  for (const d of SUN_FIRST) if (!allClosed && rnd() < 0.75) weekly_hours[d] = randomRanges(rnd);
  const days = CHANGES[time_zone] && rnd() < 0.5 ? CHANGES[time_zone] : BASES;
  const base = Date.parse(days[Math.floor(rnd() * days.length)] + 'T00:00:00Z');
  const long = rnd() < 0.3;
  const span = Math.floor(rnd() * (long ? 25 : 3) * 1440) + 1;
  const a = Math.floor(base / 60000) - Math.floor(rnd() * 4 * 1440);
  const exceptions: CalendarSpec['exceptions'] = [];
  const used = new Set<string>();
  const count = Math.floor(rnd() * (allClosed ? 6 : 4));
  for (let i = 0; i < count; i++) {
    const date = isoOf((a + Math.floor(rnd() * span)) * 60000 + (rnd() - 0.5) * 2 * dayMs);
    if (used.has(date)) continue;
    used.add(date);
    exceptions.push(rnd() < 0.5 ? { date, kind: 'closed' } : { date, kind: 'open', hours: randomRanges(rnd) });
  }
  const spec: CalendarSpec = { time_zone, weekly_hours, use_japanese_holidays: rnd() < 0.5, exceptions };
  return { spec, a, b: a + span };
}

/** open[i]: is minute a + i business time, by reading the wall clock of each minute. */
function referenceMinutes(spec: CalendarSpec, a: number, b: number): Uint8Array {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: spec.time_zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const wallClock = (minute: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(minute * 60000)).map((x) => [x.type, x.value]));
    return { date: `${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')}`, minute: Number(p.hour) * 60 + Number(p.minute) };
  };
  const toMin = (t: string) => Number(t.split(':')[0]) * 60 + Number(t.split(':')[1]);
  const exceptions = new Map(spec.exceptions.map((e) => [e.date, e]));
  // A date's ranges in minutes, worked out once per date (the walk asks for each minute).
  const byDate = new Map<string, number[][]>();
  const rangesOn = (date: string) => {
    const e = exceptions.get(date);
    const ranges = e
      ? e.kind === 'open'
        ? e.hours
        : []
      : spec.use_japanese_holidays && date in holidayJp.holidays
        ? []
        : spec.weekly_hours[SUN_FIRST[new Date(date + 'T00:00:00Z').getUTCDay()]];
    return (ranges ?? []).map(([s, t]) => [toMin(s), toMin(t)]);
  };
  const openAt = (date: string, m: number) => {
    let ranges = byDate.get(date);
    if (!ranges) byDate.set(date, (ranges = rangesOn(date)));
    return ranges.some(([s, e]) => s <= m && m < e);
  };
  const open = new Uint8Array(b - a);
  // The wall clock is read at every UTC hour; within an hour whose two ends disagree by other
  // than 60 minutes (an offset change inside it), at every minute.
  for (let h = Math.floor(a / 60) * 60; h < b; h += 60) {
    const start = wallClock(h);
    const end = wallClock(h + 60);
    const steady = Date.parse(end.date) - Date.parse(start.date) + (end.minute - start.minute) * 60000 === 3600000;
    for (let m = Math.max(h, a); m < Math.min(h + 60, b); m++) {
      const clock = steady
        ? { date: start.minute + (m - h) < 1440 ? start.date : end.date, minute: (start.minute + (m - h)) % 1440 }
        : wallClock(m);
      open[m - a] = openAt(clock.date, clock.minute) ? 1 : 0;
    }
  }
  return open;
}

describe('business time against a minute-walking reference', () => {
  it(`agrees to the minute on ${CASES} random calendars (seed ${SEED}): between, add, round trips and pauses`, () => {
    const rnd = mulberry32(SEED);
    let checked = 0;
    let crossedDst = 0;
    for (let n = 0; n < CASES; n++) {
      const { spec, a, b } = randomCase(rnd);
      const where = `case ${n}: ${JSON.stringify({ spec, a, b })}`;
      const cal = compileCalendar(spec);
      const open = referenceMinutes(spec, a, b);
      const prefix = new Int32Array(open.length + 1);
      for (let i = 0; i < open.length; i++) prefix[i + 1] = prefix[i] + open[i];
      if (cal.zone.offsetAt(a) !== cal.zone.offsetAt(b)) crossedDst++;
      for (let q = 0; q < 3; q++) {
        const x = a + Math.floor(rnd() * (b - a));
        const y = x + Math.floor(rnd() * (b - x + 1));
        const expected = prefix[y - a] - prefix[x - a];
        expect(minutesBetween(cal, x, y), `${where} between ${x} ${y}`).toBe(expected);
        expect(minutesBetween(cal, y, x), `${where} between reversed`).toBe(0 - expected);
        // add: the earliest T with `k` business minutes in [x, T).
        const available = prefix[b - a] - prefix[x - a];
        const k = q === 0 ? available : Math.floor(rnd() * (available + 1));
        let t = x;
        if (k > 0) {
          let seen = 0;
          while (seen < k) seen += open[t++ - a];
        }
        expect(addMinutes(cal, x, k), `${where} add ${x} ${k}`).toBe(t);
        // Round trips both ways.
        expect(minutesBetween(cal, x, addMinutes(cal, x, expected)), `${where} between(add)`).toBe(expected);
        const back = addMinutes(cal, x, expected);
        expect(back <= y && minutesBetween(cal, back, y) === 0, `${where} add(between)`).toBe(true);
        // Pauses: up to three, overlapping or not, some reaching outside [x, y).
        const pauses: [number, number][] = [];
        for (let p = Math.floor(rnd() * 4); p > 0; p--) {
          const s = x - 60 + Math.floor(rnd() * (y - x + 120));
          pauses.push([s, s + Math.floor(rnd() * 2 * 1440)]);
        }
        let held = 0;
        for (let m = x; m < y; m++) if (open[m - a] && !pauses.some(([s, e]) => s <= m && m < e)) held++;
        expect(minutesBetweenExcludingPauses(cal, x, y, pauses), `${where} pauses ${JSON.stringify(pauses)}`).toBe(held);
        checked++;
      }
    }
    expect(checked).toBe(CASES * 3);
    // The random windows did cross offset changes (else the DST part would test nothing).
    expect(crossedDst).toBeGreaterThan(CASES / 10);
  });
});
