// After a policy, calendar or calendar exception changes: every open case on the policies it
// touches gets its due times computed again, a page (200) per statement (records.mark), each
// case written only at the version read (a case changed meanwhile was recomputed by its own
// write's hook and is left as it is).
import type { PluginContext } from 'kizuna/plugin';
import { loadCalendar } from '../calendars.ts';
import { clockOf } from './case-hooks.ts';
import { clockState } from './clock-state.ts';
import { categoryOf } from './lifecycle.ts';
import { policyById } from './policies.ts';

export async function recomputeForPolicies(ctx: PluginContext, policyIds: string[]): Promise<number> {
  let done = 0;
  for (const id of policyIds) {
    const policy = await policyById(ctx.records, id).catch(() => null);
    if (!policy) continue;
    const { calendar } = await loadCalendar(ctx.records, policy.calendar);
    let cursor: string | undefined;
    do {
      const page = await ctx.records.list('case', {
        filter: JSON.stringify({ sla_policy: id, status_category: { nin: ['resolved', 'closed'] } }),
        limit: '200',
        ...(cursor ? { cursor } : {}),
      });
      const now = Math.floor(Date.now() / 60000);
      const rows = page.data.map((row) => {
        // sla_policy left out: it does not change here.
        const { sla_policy: _policy, ...values } = clockState(clockOf(row), policy, calendar, categoryOf(row.status, ctx.settings), now);
        return { id: row.id as string, version: Number(row.version), values: values as Record<string, unknown> };
      });
      done += (await ctx.records.mark('case', rows)).length;
      cursor = page.page.next_cursor ?? undefined;
    } while (cursor);
  }
  return done;
}

/** The policies on a calendar. */
export async function policiesOnCalendar(ctx: PluginContext, calendar: string): Promise<string[]> {
  const page = await ctx.records.list('sla_policy', { filter: JSON.stringify({ calendar }), fields: 'id', limit: '500' });
  return page.data.map((r) => r.id as string);
}
