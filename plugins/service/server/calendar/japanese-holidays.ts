// Japanese public holidays (祝日, 振替休日, 国民の休日) from @holiday-jp/holiday_jp, a maintained
// data package generated from the Cabinet Office's list. It covers 1970–2050; a calendar that
// uses it cannot answer for days outside those years (the engine refuses rather than treating
// them as working days).
import holidayJp from '@holiday-jp/holiday_jp';
import { parseIsoDate } from './civil.ts';

export interface JapaneseHolidays {
  /** First and last day (day numbers) the package has data for. */
  from: number;
  to: number;
  /** Day number → the holiday's names. */
  days: Map<number, { ja: string; en: string }>;
}

let cached: JapaneseHolidays | undefined;

export function japaneseHolidays(): JapaneseHolidays {
  if (cached) return cached;
  const days = new Map<number, { ja: string; en: string }>();
  let first = Infinity;
  let last = -Infinity;
  for (const h of Object.values(holidayJp.holidays) as { date: string; name: string; name_en: string }[]) {
    const day = parseIsoDate(h.date);
    if (day === undefined) continue;
    days.set(day, { ja: h.name, en: h.name_en });
    first = Math.min(first, day);
    last = Math.max(last, day);
  }
  // The package lists whole years: from the first holiday's Jan 1 to the last one's Dec 31.
  const yearOf = (day: number) => new Date(day * 86400000).getUTCFullYear();
  cached = {
    from: parseIsoDate(`${yearOf(first)}-01-01`)!,
    to: parseIsoDate(`${yearOf(last)}-12-31`)!,
    days,
  };
  return cached;
}
