// A role's scope (role.schema.json) ↔ what the role editor shows: a kind, the user field an
// own/team scope compares (empty: the object's default), or the filter builder's rows. The
// builder offers $my_teams as a value of a user field; the filter language wants it as `in`.
import type { RoleScope } from '../api/types.ts';
import { fromFilter, toFilter, type Condition } from './filter-values.ts';

export type ScopeKind = 'none' | 'all' | 'own' | 'team' | 'filter';

export interface ScopeForm {
  kind: ScopeKind;
  field: string;
  conditions: Condition[];
}

export function scopeForm(scope: RoleScope | undefined): ScopeForm {
  if (scope === undefined || scope === 'none') return { kind: 'none', field: '', conditions: [] };
  if (typeof scope === 'string') return { kind: scope, field: '', conditions: [] };
  if ('own' in scope) return { kind: 'own', field: scope.own, conditions: [] };
  if ('team' in scope) return { kind: 'team', field: scope.team, conditions: [] };
  const conditions = fromFilter(scope.filter).map((c) =>
    c.op === 'in' && c.value === '$my_teams' ? { ...c, op: 'eq', value: '$my_teams' } : c,
  );
  return { kind: 'filter', field: '', conditions };
}

export function scopeOf(form: ScopeForm): RoleScope {
  if (form.kind === 'own' || form.kind === 'team') return form.field ? ({ [form.kind]: form.field } as RoleScope) : form.kind;
  if (form.kind !== 'filter') return form.kind;
  const rows = form.conditions.map((c) => (c.op === 'eq' && c.value === '$my_teams' ? { ...c, op: 'in', value: '$my_teams' } : c));
  // The generated type reads the schema's bare `type: object` as an empty record.
  return { filter: toFilter(rows) ?? {} } as RoleScope;
}
