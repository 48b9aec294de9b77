// The checks a calendar and its exceptions get on every write (form, API, import): a bad time
// zone, weekly hours or exception is a 422 naming the field, before anything is stored.
import { conflict, validation, type ObjectHooks, type PluginContext } from 'kizuna/plugin';
import { checkException, checkTimeZone, checkWeeklyHours, type CalendarException } from './calendar/index.ts';

type Values = Record<string, unknown>;

function checkCalendar(values: Values): Values {
  const problems: { field: string; message: string }[] = [];
  const out = { ...values };
  if ('time_zone' in values) {
    const zone = checkTimeZone(values.time_zone, 'time_zone', problems);
    if (zone) out.time_zone = zone;
  }
  if ('weekly_hours' in values) checkWeeklyHours(values.weekly_hours, 'weekly_hours', problems);
  if (problems.length) throw validation(problems);
  return out;
}

async function checkExceptionWrite(values: Values, ctx: PluginContext, id?: string): Promise<Values> {
  const current = id ? await ctx.records.get('calendar_exception', id) : {};
  const merged = { ...current, ...values };
  const problems: { field: string; message: string }[] = [];
  const hours = merged.hours ?? undefined;
  checkException(
    { date: merged.date as string, kind: merged.kind as CalendarException['kind'], hours: hours as CalendarException['hours'] },
    (f) => f,
    problems,
  );
  if (problems.length) throw validation(problems);
  // One exception a day per calendar: which of two would win is no question an admin should meet.
  if ('date' in values || 'calendar' in values) {
    const same = await ctx.records.list('calendar_exception', {
      filter: JSON.stringify({ calendar: merged.calendar, date: merged.date }),
      fields: 'date',
      limit: '2',
    });
    if (same.data.some((r) => r.id !== id))
      throw conflict(`the calendar already has an exception on ${String(merged.date)}`, [
        { field: 'date', message: 'has another exception on the same day' },
      ]);
  }
  return values;
}

export const calendarHooks: Record<string, ObjectHooks> = {
  calendar: {
    beforeCreate: (e) => checkCalendar(e.values),
    beforeUpdate: (e) => checkCalendar(e.values),
  },
  calendar_exception: {
    beforeCreate: (e, ctx) => checkExceptionWrite(e.values, ctx),
    beforeUpdate: (e, ctx) => checkExceptionWrite(e.values, ctx, e.id),
  },
};
