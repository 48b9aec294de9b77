// The SLA clock of one case as stored fields, computed from its previous fields, its policy,
// the policy's calendar, the case's status category and the time now. Pure: the case hooks,
// the recompute after a policy or calendar change and the tests all call this one function.
//
// The clock runs in segments: `sla_elapsed_minutes` business minutes were used before the
// current segment, which started at `sla_resumed_at` (null while pending, resolved or closed).
// A due time is then addMinutes(calendar, segment start, target − used), so a recompute (a new
// priority, policy or calendar) needs no history of pauses.
import { addMinutes, minutesBetween, type CompiledCalendar } from '../calendar/index.ts';

export type Category = 'new' | 'open' | 'pending' | 'resolved' | 'closed';
export type SlaStatus = 'on_track' | 'warning' | 'breached' | 'met' | 'paused';

export interface Policy {
  id: string;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  warn_at_percent: number;
}

/** The case's clock fields as stored (ISO timestamps). */
export interface ClockFields {
  sla_policy: string | null;
  sla_started_at: string | null;
  sla_elapsed_minutes: number | null;
  sla_resumed_at: string | null;
  sla_paused_at: string | null;
  sla_remaining_minutes: number | null;
  first_response_due: string | null;
  resolution_due: string | null;
  sla_warning_at: string | null;
  first_responded_at: string | null;
  first_response_breached: boolean | null;
  resolution_breached: boolean | null;
  /** Set by the clock when it first flags a breach; kept by every recompute. */
  sla_breached_at: string | null;
  sla_status: SlaStatus | null;
}

export const CLOCK_FIELDS: (keyof ClockFields)[] = [
  'sla_policy',
  'sla_started_at',
  'sla_elapsed_minutes',
  'sla_resumed_at',
  'sla_paused_at',
  'sla_remaining_minutes',
  'first_response_due',
  'resolution_due',
  'sla_warning_at',
  'first_responded_at',
  'first_response_breached',
  'resolution_breached',
  'sla_breached_at',
  'sla_status',
];

export const minuteOf = (iso: string | null | undefined): number | null => (iso ? Math.floor(Date.parse(iso) / 60000) : null);
const isoOf = (minute: number) => new Date(minute * 60000).toISOString();

const RUNNING = new Set<Category>(['new', 'open']);
const STOPPED = new Set<Category>(['resolved', 'closed']);

/** No policy: the clock fields cleared (a case no policy matches has no SLA). */
export function noClock(): ClockFields {
  return Object.fromEntries(CLOCK_FIELDS.map((f) => [f, null])) as unknown as ClockFields;
}

/**
 * The clock's fields after this write. `prev` is the case's clock as stored (noClock() on
 * create), `now` epoch minutes. A policy change keeps the minutes used and the breach flags
 * already raised (a breach that fired stays fired: its event went out).
 */
export function clockState(
  prev: ClockFields,
  policy: Policy,
  calendar: CompiledCalendar,
  category: Category,
  now: number,
  startedAt?: number,
): ClockFields {
  const started = minuteOf(prev.sla_started_at) ?? Math.min(startedAt ?? now, now);
  let used = prev.sla_elapsed_minutes ?? 0;
  let segment = prev.sla_policy === null && prev.sla_started_at === null ? started : minuteOf(prev.sla_resumed_at);
  let pausedAt = minuteOf(prev.sla_paused_at);
  const running = RUNNING.has(category);
  if (segment !== null && !running) {
    used += Math.max(0, minutesBetween(calendar, segment, now)); // the clock stops: bank what the segment used
    segment = null;
    pausedAt = category === 'pending' ? now : null;
  } else if (segment === null && running) {
    segment = now; // resumed (from pending, or a reopened case)
    pausedAt = null;
  }
  const responded = prev.first_responded_at !== null;
  const frBreached = prev.first_response_breached === true;
  const resBreached = prev.resolution_breached === true;
  const dueOf = (target: number | null) =>
    target === null || segment === null ? null : addMinutes(calendar, segment, Math.max(0, target - used));
  const warnOf = (target: number | null) =>
    target === null || segment === null
      ? null
      : addMinutes(calendar, segment, Math.max(0, Math.ceil((target * policy.warn_at_percent) / 100) - used));
  const frDue = responded ? null : dueOf(policy.first_response_minutes);
  const resDue = dueOf(policy.resolution_minutes);
  // The earliest warning still to come: first response until answered, then resolution.
  const warnings = [
    !responded && !frBreached ? warnOf(policy.first_response_minutes) : null,
    !resBreached ? warnOf(policy.resolution_minutes) : null,
  ].filter((w): w is number => w !== null);
  const warnAt = warnings.length ? Math.min(...warnings) : null;
  let status: SlaStatus;
  if (STOPPED.has(category)) status = resBreached || (frBreached && !responded) ? 'breached' : 'met';
  else if (category === 'pending') status = 'paused';
  else if (resBreached || (frBreached && !responded)) status = 'breached';
  // A warning that fired stays until the target it warned of is met (its time still passed).
  else if (prev.sla_status === 'warning' && warnAt !== null && warnAt <= now) status = 'warning';
  else status = 'on_track';
  return {
    sla_policy: policy.id,
    sla_started_at: isoOf(started),
    sla_elapsed_minutes: used,
    sla_resumed_at: segment === null ? null : isoOf(segment),
    sla_paused_at: pausedAt === null ? null : isoOf(pausedAt),
    sla_remaining_minutes: segment === null && policy.resolution_minutes !== null ? policy.resolution_minutes - used : null,
    first_response_due: frDue === null ? (prev.first_response_due && responded ? prev.first_response_due : null) : isoOf(frDue),
    resolution_due: resDue === null ? null : isoOf(resDue),
    sla_warning_at: warnAt === null ? null : isoOf(warnAt),
    first_responded_at: prev.first_responded_at,
    first_response_breached: frBreached,
    resolution_breached: resBreached,
    sla_breached_at: prev.sla_breached_at,
    sla_status: status,
  };
}
