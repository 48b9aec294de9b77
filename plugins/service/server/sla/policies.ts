// SLA policies as the hooks use them: the active ones in order, each with its conditions, and
// the one a case's values match (reading through the relations the conditions name).
import type { PluginRecords } from 'kizuna/plugin';
import { matches, relationsOf, type Values } from './conditions.ts';
import type { Policy } from './clock-state.ts';

export interface PolicyRow extends Policy {
  calendar: string;
  conditions: unknown;
  order: number;
}

const rowOf = (r: Values): PolicyRow => ({
  id: r.id as string,
  calendar: r.calendar as string,
  conditions: r.conditions ?? null,
  order: Number(r.order ?? 100),
  first_response_minutes: r.first_response_minutes == null ? null : Number(r.first_response_minutes),
  resolution_minutes: r.resolution_minutes == null ? null : Number(r.resolution_minutes),
  warn_at_percent: Number(r.warn_at_percent ?? 80),
});

/** Active policies, lowest order first (ties: oldest first, so the choice is stable). */
export async function activePolicies(records: PluginRecords): Promise<PolicyRow[]> {
  const page = await records.list('sla_policy', {
    filter: JSON.stringify({ active: { neq: false } }),
    sort: 'order,created_at',
    limit: '500',
  });
  return page.data.map(rowOf);
}

export async function policyById(records: PluginRecords, id: string): Promise<PolicyRow> {
  return rowOf(await records.get('sla_policy', id));
}

/** The first policy whose conditions the case (its values after this write) matches. */
export async function choosePolicy(records: PluginRecords, policies: PolicyRow[], values: Values): Promise<PolicyRow | null> {
  const related: Record<string, Values | undefined> = {};
  for (const p of policies) {
    for (const rel of relationsOf(p.conditions)) {
      if (rel in related) continue;
      const id = values[rel];
      // Case's relations are named after their targets (company, contact): read the record as the plugin.
      related[rel] = typeof id === 'string' ? await records.get(rel, id).catch(() => undefined) : undefined;
    }
    if (matches(p.conditions, values, related)) return p;
  }
  return null;
}
