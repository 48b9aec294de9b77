// Permissions in the read path: a caller's scopes as SQL conditions and its hidden fields as
// 403s, applied by every list, get, include, relation filter, count and search.
import { sql, type SQL } from 'drizzle-orm';
import {
  bindVariables,
  denied,
  objectPermissions,
  userFieldProblem,
  type Caller,
  type Condition,
  type ObjectPermissions,
  type Scope,
  type Verb,
} from '../auth/index.ts';
import { fieldOf, systemFields, type FieldModel, type ObjectModel } from '../model/index.ts';
import { forbidden, ProblemError } from '../problems/index.ts';
import { logEvent } from '../log/index.ts';

export interface QueryAccess {
  caller: Caller;
  perms(model: ObjectModel): ObjectPermissions;
}

const cache = new WeakMap<Caller, WeakMap<ObjectModel, ObjectPermissions>>();

export function accessFor(caller: Caller): QueryAccess {
  let byModel = cache.get(caller);
  if (!byModel) cache.set(caller, (byModel = new WeakMap()));
  const models = byModel;
  return {
    caller,
    perms(model) {
      let p = models.get(model);
      if (!p) models.set(model, (p = objectPermissions(caller, model)));
      return p;
    },
  };
}

/** Compiles a scope filter; passed in to keep this module below the filter compiler. */
export type ScopeFilterCompiler = (model: ObjectModel, filter: unknown, alias: string) => SQL;

/**
 * A role scope the metadata no longer fits (its field deleted or retyped, a filter naming a
 * field that is gone): it grants nothing. When nothing else grants the verb, the request is a
 * 403 naming the role and the problem — never a 500 from comparing text with a user id, nor a
 * 400 blaming the caller's request for the admin's role. Admins see it in GET /api/roles.
 */
function brokenScope(model: ObjectModel, s: Exclude<Scope, { kind: 'all' }>, message: string): ProblemError {
  const where = s.from ? `role ${s.from.role}, ${s.from.path}` : `a role's ${model.name} scope`;
  logEvent({
    level: 'warn',
    msg: 'role scope does not fit the metadata',
    object: model.name,
    role: s.from?.role,
    path: s.from?.path,
    problem: message,
  });
  return forbidden(`Your access to ${model.name} cannot be evaluated: ${where} is broken (${message}); an admin must fix the role`, [
    { field: s.from ? `roles.${s.from.role}.${s.from.path}` : model.name, message },
  ]);
}

export function conditionSql(
  model: ObjectModel,
  cond: Condition | undefined,
  alias: string,
  access: QueryAccess,
  compile: ScopeFilterCompiler,
): SQL {
  if (cond === undefined) return sql`true`;
  const caller = access.caller;
  const ands = cond.map((any) => {
    if (any.length === 0) return sql`false`;
    if (any.some((s) => s.kind === 'all')) return sql`true`;
    let broken: ProblemError | undefined;
    const ors = any.flatMap((s): SQL[] => {
      if (s.kind === 'all') return [sql`true`];
      if (s.kind === 'filter') {
        try {
          return [compile(model, bindVariables(s.filter, caller), alias)];
        } catch (e) {
          if (!(e instanceof ProblemError) || e.status >= 500) throw e;
          const first = e.errors?.[0];
          broken ??= brokenScope(model, s, first ? `${first.field}: ${first.message}` : (e.detail ?? e.title));
          return [];
        }
      }
      const problem = userFieldProblem(model, s.field);
      if (problem) {
        broken ??= brokenScope(model, s, problem);
        return [];
      }
      if (!caller.userId) return [sql`false`];
      const col = fieldOf(model, s.field)!.col(alias)();
      const users = s.team ? [...new Set([caller.userId, ...caller.teamUserIds])] : [caller.userId];
      return [users.length === 1 ? sql`${col} = ${users[0]}::uuid` : sql`${col} = any(string_to_array(${users.join(',')}, ',')::uuid[])`];
    });
    // A broken scope beside working ones only takes its own part away.
    if (!ors.length && broken) throw broken;
    return ors.length ? sql`(${sql.join(ors, sql` or `)})` : sql`false`;
  });
  return sql`(${sql.join(ands, sql` and `)})`;
}

/** The records of `model` the caller may `verb`, as a condition on `alias`. */
export function scopeSql(
  model: ObjectModel,
  verb: Verb,
  alias: string,
  access: QueryAccess | undefined,
  compile: ScopeFilterCompiler,
): SQL {
  if (!access) return sql`true`;
  return conditionSql(model, access.perms(model).verbs[verb], alias, access, compile);
}

export function assertObject(model: ObjectModel, verb: Verb, access: QueryAccess | undefined): void {
  if (!access) return;
  if (denied(access.perms(model).verbs[verb])) {
    throw forbidden(`You may not ${verb} ${model.name} records`, [{ field: model.name, message: `${verb} is not permitted` }]);
  }
}

export function fieldLevel(model: ObjectModel, name: string, access: QueryAccess | undefined) {
  if (!access || systemFields.has(name)) return 'write' as const;
  return access.perms(model).field(name);
}

/** A field used in fields/sort/filter/include: hidden → 403 naming it (never an empty result). */
export function assertReadableField(model: ObjectModel, name: string, access: QueryAccess | undefined, param: string): void {
  if (fieldLevel(model, name, access) === 'hidden') {
    throw forbidden(`${model.name}.${name} is not readable for you`, [
      { field: param === name ? name : `${param}.${name}`, message: `${model.name}.${name} is not readable` },
    ]);
  }
}

export function readableFields(model: ObjectModel, access: QueryAccess | undefined): FieldModel[] {
  return access ? model.fieldList.filter((f) => access.perms(model).field(f.name) !== 'hidden') : model.fieldList;
}
