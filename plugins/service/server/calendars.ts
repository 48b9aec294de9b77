// A calendar record and its exceptions, read through the SDK and compiled for the engine.
// Compiled calendars are kept per calendar, keyed by the versions they were built from, so a
// route pays one list query and no recompile while nothing changed.
import { validation, type PluginRecords } from 'kizuna/plugin';
import {
  compileCalendar,
  InvalidCalendarError,
  type CalendarException,
  type CompiledCalendar,
  type HoursRange,
  type WeeklyHours,
} from './calendar/index.ts';

const MAX_EXCEPTIONS = 5000;
const compiled = new Map<string, { key: string; calendar: CompiledCalendar }>();

/** A calendar's exceptions as stored: `date` (YYYY-MM-DD), `kind`, `hours`, `label_en`, `label_ja`. */
export type ExceptionRow = Record<string, unknown>;

/** The calendar compiled, with its exception rows (for their labels). */
export async function loadCalendar(
  records: PluginRecords,
  id: string,
): Promise<{ calendar: CompiledCalendar; exceptions: ExceptionRow[] }> {
  const row = await records.get('calendar', id); // a 404 problem when there is none
  const exceptions: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list('calendar_exception', {
      filter: JSON.stringify({ calendar: id }),
      fields: 'date,kind,hours,label_en,label_ja',
      sort: 'date',
      limit: '500',
      ...(cursor ? { cursor } : {}),
    });
    exceptions.push(...page.data);
    cursor = page.page.next_cursor ?? undefined;
    // A bound on what one answer reads, said rather than cut silently (13 years of daily exceptions).
    if (cursor && exceptions.length >= MAX_EXCEPTIONS)
      throw validation(
        [{ field: 'calendar', message: `has more than ${MAX_EXCEPTIONS} exceptions; remove past ones` }],
        `calendar ${id} has more than ${MAX_EXCEPTIONS} exceptions`,
      );
  } while (cursor);
  const key = [row.version, ...exceptions.map((e) => `${e.id}:${e.version}`)].join(',');
  const known = compiled.get(id);
  if (known?.key === key) return { calendar: known.calendar, exceptions };
  try {
    const calendar = compileCalendar({
      time_zone: row.time_zone as string,
      weekly_hours: (row.weekly_hours ?? {}) as WeeklyHours,
      use_japanese_holidays: row.use_japanese_holidays !== false,
      exceptions: exceptions.map((e): CalendarException => ({
        date: e.date as string,
        kind: e.kind as CalendarException['kind'],
        hours: (e.hours ?? undefined) as HoursRange[] | undefined,
      })),
    });
    if (compiled.size > 1000) compiled.clear(); // calendars are few; a bound, not an LRU
    compiled.set(id, { key, calendar });
    return { calendar, exceptions };
  } catch (e) {
    // Only a calendar written around the hooks' checks gets here (two exceptions written at
    // once for one day): say what is wrong with it rather than answer from a guess.
    if (e instanceof InvalidCalendarError)
      throw validation(
        e.problems.map((p) => ({ field: `calendar.${p.field}`, message: p.message })),
        `calendar ${id} cannot be used as it is stored`,
      );
    throw e;
  }
}
