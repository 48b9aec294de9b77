// A role checked against the metadata: every object, scope and field permission it names must
// exist and fit, or its holders would get 500s (an own scope on a text field compared with a
// user id) or 400s blaming them for the admin's role. Used when a role is saved and, since
// metadata can change under a saved role, to list a role's problems and to refuse a broken
// scope at request time with a 403 naming it.
import { fieldOf, type ObjectModel } from '../model/index.ts';
import { ProblemError, type FieldProblem } from '../problems/index.ts';
import { bindVariables, verbs, type Caller, type RoleDef, type ScopeSpec } from './permissions.ts';

/**
 * Compiles a scope filter for a model, throwing the query layer's problem for an unknown
 * field, operator or value; passed in to keep this module below the filter compiler.
 */
export type ScopeFilterCheck = (model: ObjectModel, filter: unknown) => void;

/** Stand-ins for $me and $my_teams: a filter is checked with values of the right type. */
const SOMEONE = '00000000-0000-7000-8000-000000000000';
const CHECKER: Caller = { userId: SOMEONE, admin: false, teamIds: [], teamUserIds: [SOMEONE], roles: [] };

/** Why an own/team scope's field cannot hold the caller (a user id), or undefined when it can. */
export function userFieldProblem(model: ObjectModel, name: string): string | undefined {
  const field = fieldOf(model, name);
  if (!field) return `"${name}" is not a field of ${model.name}`;
  // Team scopes compare the field with the ids of the caller's teammates, so both need a user field.
  if (field.spec.type !== 'user')
    return `${model.name}.${name} is a ${field.spec.type} field; own and team scopes need a user field (like owner)`;
  return undefined;
}

/** Why a scope filter cannot be evaluated on a model, or undefined when it can. */
export function filterProblem(model: ObjectModel, filter: unknown, check: ScopeFilterCheck): string | undefined {
  try {
    check(model, bindVariables(filter, CHECKER));
    return undefined;
  } catch (e) {
    if (!(e instanceof ProblemError) || e.status >= 500) throw e;
    const first = e.errors?.[0];
    return first ? `${first.field}: ${first.message}` : (e.detail ?? e.title);
  }
}

function scopeProblem(
  model: ObjectModel,
  spec: ScopeSpec | undefined,
  check: ScopeFilterCheck,
): { key: string; message: string } | undefined {
  if (spec === undefined || typeof spec === 'string') return undefined; // "own"/"team" pick a user field themselves
  if ('own' in spec || 'team' in spec) {
    const key = 'own' in spec ? 'own' : 'team';
    const message = userFieldProblem(model, (spec as Record<string, string>)[key]);
    return message ? { key, message } : undefined;
  }
  const message = filterProblem(model, spec.filter, check);
  return message ? { key: 'filter', message } : undefined;
}

/**
 * Every problem of a role against the current objects, each at the path of what is wrong
 * (`objects.contact.read.own`). A `"*"` grant's scopes are checked on every object it applies
 * to (those the role does not list); its field permissions apply where the field exists.
 */
export function roleProblems(role: RoleDef, models: Map<string, ObjectModel>, check: ScopeFilterCheck): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [object, grant] of Object.entries(role.objects ?? {})) {
    const at = `objects.${object}`;
    if (object !== '*' && !models.has(object)) {
      problems.push({ field: at, message: `no object named "${object}"` });
      continue;
    }
    const targets = object === '*' ? [...models.values()].filter((m) => !(m.name in role.objects)) : [models.get(object)!];
    for (const verb of verbs) {
      for (const model of targets) {
        const p = scopeProblem(model, grant[verb], check);
        if (p) {
          problems.push({ field: `${at}.${verb}.${p.key}`, message: object === '*' ? `on ${model.name}: ${p.message}` : p.message });
          break; // one object is enough to show a "*" scope is wrong
        }
      }
    }
    if (object === '*') continue;
    const model = models.get(object)!;
    for (const name of Object.keys(grant.fields ?? {})) {
      if (!fieldOf(model, name)) problems.push({ field: `${at}.fields.${name}`, message: `"${name}" is not a field of ${object}` });
    }
  }
  return problems;
}
