// The service desk plugin: business-hours calendars (metadata: calendar and calendar_exception)
// and the business-minute math over HTTP; the case lifecycle and SLA policies whose clock is
// kept in the case's own fields (sla/).
import { definePlugin, validation, type ObjectHooks } from 'kizuna/plugin';
import { addAnswer, betweenAnswer, daysAnswer, elapsedAnswer, elapsedBody } from './api-schemas.ts';
import { calendarHooks } from './calendar-hooks.ts';
import {
  addMinutes,
  dayPlans,
  MAX_INSTANT,
  MIN_INSTANT,
  minutesBetween,
  minutesBetweenExcludingPauses,
  OutOfRangeError,
  parseIsoDate,
} from './calendar/index.ts';
import { loadCalendar } from './calendars.ts';
import { caseHooks } from './sla/case-hooks.ts';
import { clockTurn } from './sla/clock.ts';
import { slaHooks } from './sla/hooks.ts';

const MAX_DAYS = 366;
const MAX_MINUTES = 10_000_000; // 19 years around the clock: beyond any SLA
const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * Epoch minutes of an RFC 3339 timestamp (offset required: a bare local time is ambiguous).
 * Checked by its parts first: Date.parse rolls 2026-02-30 and 24:00 over instead of refusing.
 */
function instantOf(value: unknown, field: string, problems: { field: string; message: string }[]): number {
  const m = typeof value === 'string' ? RFC3339.exec(value) : null;
  const sane =
    m !== null &&
    parseIsoDate(m[1]) !== undefined &&
    Number(m[2]) < 24 &&
    Number(m[3]) < 60 &&
    Number(m[4] ?? 0) < 60 &&
    Number(m[5] ?? 0) < 24 &&
    Number(m[6] ?? 0) < 60;
  const minute = sane ? Math.floor(Date.parse(value as string) / 60000) : NaN;
  if (!Number.isFinite(minute))
    problems.push({ field, message: 'must be an RFC 3339 timestamp with an offset, such as 2026-12-28T17:30:00+09:00' });
  else if (minute < MIN_INSTANT || minute >= MAX_INSTANT) problems.push({ field, message: 'must be from 1970 to 2199' });
  return minute;
}

function minutesOf(value: unknown, problems: { field: string; message: string }[]): number {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n <= MAX_MINUTES)) problems.push({ field: 'minutes', message: `must be a whole number from 0 to ${MAX_MINUTES}` });
  return n;
}

const instantParam = (description: string) => ({ required: true, description, schema: { type: 'string', format: 'date-time' } });

const isoOf = (minute: number) => new Date(minute * 60000).toISOString();

/** The engine's refusals (a day past the holiday data, no hours left) as a 422 on the field that asked. */
function answering<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OutOfRangeError) throw validation([{ field, message: e.message }], e.message);
    throw e;
  }
}

/** The hooks of each part, merged per object (calendar has checks and a recompute). */
function mergeHooks(...parts: Record<string, ObjectHooks>[]): Record<string, ObjectHooks> {
  const out: Record<string, ObjectHooks> = {};
  for (const part of parts) for (const [object, hooks] of Object.entries(part)) out[object] = { ...out[object], ...hooks };
  return out;
}

export default definePlugin({
  hooks: mergeHooks(calendarHooks, caseHooks, slaHooks),
  jobs: {
    // Warnings and breaches fire within this many seconds of their business minute.
    sla_clock: { everySeconds: 30, run: async (ctx) => void (await clockTurn(ctx.records, new Date().toISOString())) },
  },
  routes: {
    'POST /sla/clock': {
      summary: 'Runs a turn of the SLA clock now (it also runs every 30 seconds): flags warnings and breaches that are due, each once',
      response: {
        type: 'object',
        required: ['warned', 'breached'],
        properties: { warned: { type: 'integer' }, breached: { type: 'integer' } },
      },
      handler: async (c) => c.json(await clockTurn(c.env.kizuna.asPlugin, new Date().toISOString())),
    },
    'GET /calendars/:id/add': {
      access: { object: 'calendar', permission: 'read' },
      summary: 'The instant `minutes` business minutes after `from` on the calendar (a due date)',
      query: {
        from: instantParam('Where to start: an RFC 3339 timestamp with its offset'),
        minutes: {
          required: true,
          description: `Business minutes to add, 0–${MAX_MINUTES}`,
          schema: { type: 'string', pattern: '^[0-9]{1,9}$' },
        },
      },
      response: addAnswer,
      handler: async (c) => {
        const problems: { field: string; message: string }[] = [];
        const from = instantOf(c.req.query('from'), 'from', problems);
        const minutes = minutesOf(c.req.query('minutes'), problems);
        if (problems.length) throw validation(problems);
        const id = c.req.param('id')!;
        const { calendar } = await loadCalendar(c.env.kizuna.records, id);
        const due = answering('minutes', () => addMinutes(calendar, from, minutes));
        return c.json({ calendar: id, from: isoOf(from), minutes, due: isoOf(due) });
      },
    },
    'GET /calendars/:id/between': {
      access: { object: 'calendar', permission: 'read' },
      summary: 'Business minutes in [from, to) on the calendar',
      query: { from: instantParam('Start, included'), to: instantParam('End, excluded') },
      response: betweenAnswer,
      handler: async (c) => {
        const problems: { field: string; message: string }[] = [];
        const from = instantOf(c.req.query('from'), 'from', problems);
        const to = instantOf(c.req.query('to'), 'to', problems);
        if (problems.length) throw validation(problems);
        const id = c.req.param('id')!;
        const { calendar } = await loadCalendar(c.env.kizuna.records, id);
        const minutes = answering('to', () => minutesBetween(calendar, from, to));
        return c.json({ calendar: id, from: isoOf(from), to: isoOf(to), minutes });
      },
    },
    'GET /calendars/:id/days': {
      access: { object: 'calendar', permission: 'read' },
      summary: "Each day's business hours and what decided them (weekday, public holiday, exception), to check a calendar",
      query: {
        from: {
          required: true,
          description: 'First day (YYYY-MM-DD) in the calendar’s time zone',
          schema: { type: 'string', format: 'date' },
        },
        days: { description: `How many days, 1–${MAX_DAYS} (default 14)`, schema: { type: 'string', pattern: '^[0-9]{1,3}$' } },
      },
      response: daysAnswer,
      handler: async (c) => {
        const problems: { field: string; message: string }[] = [];
        const first = parseIsoDate(c.req.query('from') ?? '');
        if (first === undefined) problems.push({ field: 'from', message: 'must be a date (YYYY-MM-DD)' });
        const days = Number(c.req.query('days') ?? 14);
        if (!/^[0-9]{1,3}$/.test(c.req.query('days') ?? '14') || days < 1 || days > MAX_DAYS)
          problems.push({ field: 'days', message: `must be a whole number from 1 to ${MAX_DAYS}` });
        if (problems.length) throw validation(problems);
        const id = c.req.param('id')!;
        const { calendar, exceptions } = await loadCalendar(c.env.kizuna.records, id);
        const labels = new Map(exceptions.map((e) => [e.date, { en: e.label_en ?? null, ja: e.label_ja ?? null }]));
        const plans = answering('from', () => dayPlans(calendar, first!, days));
        return c.json({
          calendar: id,
          time_zone: calendar.zone.name,
          days: plans.map((p) => (p.source === 'exception' ? { ...p, label: labels.get(p.date) ?? { en: null, ja: null } } : p)),
        });
      },
    },
    'POST /calendars/:id/elapsed': {
      access: { object: 'calendar', permission: 'read' },
      summary: 'Business minutes in [from, to) outside the pauses (an SLA clock held while pending)',
      request: elapsedBody,
      response: elapsedAnswer,
      handler: async (c) => {
        const body = c.env.body as { from: string; to: string; pauses?: { from: string; to: string }[] };
        const problems: { field: string; message: string }[] = [];
        const from = instantOf(body.from, 'from', problems);
        const to = instantOf(body.to, 'to', problems);
        const pauses = (body.pauses ?? []).map((p, i): [number, number] => [
          instantOf(p.from, `pauses[${i}].from`, problems),
          instantOf(p.to, `pauses[${i}].to`, problems),
        ]);
        if (to < from) problems.push({ field: 'to', message: 'must not be before from' });
        if (problems.length) throw validation(problems);
        const id = c.req.param('id')!;
        const { calendar } = await loadCalendar(c.env.kizuna.records, id);
        const minutes = answering('to', () => minutesBetweenExcludingPauses(calendar, from, to, pauses));
        const all = answering('to', () => minutesBetween(calendar, from, to));
        return c.json({ calendar: id, from: isoOf(from), to: isoOf(to), minutes, paused_minutes: all - minutes });
      },
    },
  },
});
