// Business-minute math (plugins/service): µs per call of addMinutes and minutesBetween over
// 100,000 random calls each, on a Tokyo calendar (Japanese holidays, 年末年始, an open Saturday)
// and a New York one (DST), against a minute-by-minute walk of the same calendar as baseline.
// Run: npx tsx bench/calendar.ts
import { execSync } from 'node:child_process';
import {
  addMinutes,
  compileCalendar,
  minutesBetween,
  type CalendarSpec,
  type HoursRange,
} from '../plugins/service/server/calendar/index.ts';

const CALLS = 100_000;
const BASELINE_CALLS = 200;
const day: HoursRange[] = [
  ['09:00', '12:00'],
  ['13:00', '18:00'],
];
const weekly = { mon: day, tue: day, wed: day, thu: day, fri: day };
const specs: Record<string, CalendarSpec> = {
  'Asia/Tokyo + 祝日': {
    time_zone: 'Asia/Tokyo',
    weekly_hours: weekly,
    use_japanese_holidays: true,
    exceptions: [
      ...['12-29', '12-30', '12-31', '01-02', '01-03'].flatMap((d) =>
        ['2026', '2027'].map((y) => ({ date: `${d < '06' ? Number(y) + 1 : y}-${d}`, kind: 'closed' as const })),
      ),
      ...['08-13', '08-14', '08-15'].map((d) => ({ date: `2026-${d}`, kind: 'closed' as const })),
      { date: '2026-12-26', kind: 'open', hours: [['10:00', '15:00']] },
    ],
  },
  'America/New_York': { time_zone: 'America/New_York', weekly_hours: weekly, use_japanese_holidays: false, exceptions: [] },
};

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const from = Date.parse('2026-01-01T00:00:00Z') / 60000;
const span = 2 * 365 * 1440;

/** The baseline: walk minute by minute, asking the compiled calendar one minute at a time. */
const minuteWalkAdd = (cal: ReturnType<typeof compileCalendar>, t: number, n: number) => {
  while (n > 0) n -= minutesBetween(cal, t, ++t);
  return t;
};

const timed = (fn: () => void, calls: number) => {
  const t0 = performance.now();
  fn();
  return ((performance.now() - t0) * 1000) / calls;
};

console.log(`load: ${execSync('uptime').toString().trim()}`);
console.log('| calendar | call | calls | µs per call | minute-walk baseline µs | ratio |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [name, spec] of Object.entries(specs)) {
  const cal = compileCalendar(spec);
  const rnd = mulberry32(42);
  const adds = Array.from({ length: CALLS }, () => [from + Math.floor(rnd() * span), Math.floor(rnd() * 20_000)]);
  const betweens = Array.from({ length: CALLS }, () => {
    const a = from + Math.floor(rnd() * span);
    return [a, a + Math.floor(rnd() * 30 * 1440)];
  });
  minutesBetween(cal, from, from + span); // read the zone's years once, outside the timing
  let sink = 0;
  const add = timed(() => adds.forEach(([t, n]) => (sink += addMinutes(cal, t, n))), CALLS);
  const between = timed(() => betweens.forEach(([a, b]) => (sink += minutesBetween(cal, a, b))), CALLS);
  const big = timed(() => adds.slice(0, 10_000).forEach(([t]) => (sink += addMinutes(cal, t, 10_000))), 10_000);
  const addBase = timed(() => adds.slice(0, BASELINE_CALLS).forEach(([t, n]) => (sink += minuteWalkAdd(cal, t, n))), BASELINE_CALLS);
  const bigBase = timed(() => adds.slice(0, BASELINE_CALLS).forEach(([t]) => (sink += minuteWalkAdd(cal, t, 10_000))), BASELINE_CALLS);
  const row = (call: string, calls: number, us: number, base?: number) =>
    console.log(
      `| ${name} | ${call} | ${calls.toLocaleString('en')} | ${us.toFixed(2)} | ${base ? base.toFixed(0) : '–'} | ${base ? `${(base / us).toFixed(0)}×` : '–'} |`,
    );
  row('add 0–20,000 min', CALLS, add, addBase);
  row('between, spans 0–30 days', CALLS, between);
  row('add 10,000 min', 10_000, big, bigBase);
  if (sink === 0.5) console.log(sink); // keep the results alive
}
