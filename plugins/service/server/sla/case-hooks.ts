// The case's hooks: status category, the resolution a resolve needs, and the SLA clock
// (policy chosen by conditions, due times on the policy's calendar, pause and resume) kept in
// the case's own fields on every write; a message's hooks record the first response and
// reopen a resolved case on a customer's reply.
import { validation, type BeforeEvent, type ObjectHooks, type PluginContext } from 'kizuna/plugin';
import { loadCalendar } from '../calendars.ts';
import { CLOCK_FIELDS, clockState, minuteOf, noClock, type ClockFields } from './clock-state.ts';
import { categoryOf, isDone, resolutionProblems } from './lifecycle.ts';
import { activePolicies, choosePolicy, policyById } from './policies.ts';

type Values = Record<string, unknown>;

/** Fields whose change may change the policy or the clock. */
const DRIVERS = ['status', 'priority', 'company', 'contact', 'channel', 'category', 'sla_policy', 'first_responded_at'];
/** Clock fields a person may write: the policy (by hand) and, on create, when the case was received. */
const WRITABLE = new Set(['sla_policy', 'sla_started_at']);

const nowMinute = () => Math.floor(Date.now() / 60000);

export const clockOf = (row: Values): ClockFields =>
  Object.fromEntries(CLOCK_FIELDS.map((f) => [f, row[f] ?? null])) as unknown as ClockFields;

async function onCaseWrite(e: BeforeEvent, ctx: PluginContext, creating: boolean): Promise<Values> {
  const byPlugin = e.actor !== null && e.actor === ctx.actor;
  if (!byPlugin) {
    const problems: { field: string; message: string }[] = CLOCK_FIELDS.filter(
      (f) => f in e.values && !(WRITABLE.has(f) && (creating || f === 'sla_policy')),
    ).map((f) => ({
      field: f,
      message: 'is kept by the SLA clock and cannot be written',
    }));
    if ('status_category' in e.values) problems.push({ field: 'status_category', message: 'follows the status and cannot be written' });
    if (problems.length) throw validation(problems);
  }
  if (!creating && !DRIVERS.some((f) => f in e.values)) return e.values; // the clock's own flags, a subject edit…
  const current = creating ? {} : await ctx.records.get('case', e.id!);
  const merged: Values = { ...current, ...e.values };
  const out: Values = { ...e.values };
  const category = categoryOf(merged.status ?? 'open', ctx.settings);
  const wasCategory = creating ? null : categoryOf(current.status, ctx.settings);
  out.status_category = category;
  if (isDone(category) && (wasCategory === null || !isDone(wasCategory))) {
    const problems = resolutionProblems(merged, ctx.settings);
    if (problems.length) throw validation(problems, 'a case is resolved with a resolution code and note');
    if (merged.resolved_at == null) out.resolved_at = new Date().toISOString();
  }
  if (!isDone(category) && wasCategory !== null && isDone(wasCategory) && !('resolved_at' in e.values)) out.resolved_at = null;

  // The policy: the one the write names, else the first whose conditions match.
  const prev = creating ? noClock() : clockOf(current);
  let policyId = (e.values.sla_policy as string | null | undefined) ?? undefined;
  if (policyId === undefined) {
    const chosen = await choosePolicy(ctx.records, await activePolicies(ctx.records), merged);
    policyId = chosen?.id ?? prev.sla_policy ?? undefined;
  }
  if (!policyId) return { ...out, ...(creating ? {} : noClock()), first_responded_at: merged.first_responded_at ?? null };
  const policy = await policyById(ctx.records, policyId);
  const { calendar } = await loadCalendar(ctx.records, policy.calendar);
  // A case that gets its first policy later counts from when it was received (created).
  const startedAt =
    (creating ? minuteOf(e.values.sla_started_at as string | undefined) : minuteOf(current.created_at as string)) ?? undefined;
  const state = clockState(
    { ...prev, first_responded_at: (merged.first_responded_at as string | null) ?? null },
    policy,
    calendar,
    category,
    nowMinute(),
    startedAt,
  );
  return { ...out, ...state };
}

/** An outbound message answers the case (its first response); an inbound one on a resolved case reopens it. */
async function onMessage(e: BeforeEvent, ctx: PluginContext): Promise<void> {
  const caseId = e.values.case;
  if (typeof caseId !== 'string') return;
  const c = await ctx.records.get('case', caseId);
  if (e.values.direction === 'outbound' && c.first_responded_at == null) {
    await ctx.records.update('case', caseId, { first_responded_at: new Date().toISOString() });
  } else if (e.values.direction === 'inbound' && ctx.settings.reopen_on_reply !== false && isDone(categoryOf(c.status, ctx.settings))) {
    await ctx.records.update(
      'case',
      caseId,
      { status: (ctx.settings.reopen_status as string | undefined) ?? 'open' },
      { note: { en: 'Reopened by a customer reply', ja: 'お客様の返信で再オープン' } },
    );
  }
}

export const caseHooks: Record<string, ObjectHooks> = {
  case: {
    beforeCreate: (e, ctx) => onCaseWrite(e, ctx, true),
    beforeUpdate: (e, ctx) => onCaseWrite(e, ctx, false),
  },
  message: {
    beforeCreate: async (e, ctx) => {
      await onMessage(e, ctx);
    },
  },
};
