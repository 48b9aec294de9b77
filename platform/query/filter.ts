// The records filter language → a parameterized WHERE condition. Field names are looked up
// in the compiled metadata (unknown → 400 naming it); values are always bound.
import { sql, type SQL } from 'drizzle-orm';
import { allOperators, fieldOf, resolveOption, type FieldModel, type ObjectModel, type Operator } from '../model/index.ts';
import { badRequest } from '../problems/index.ts';
import { assertObject, assertReadableField, scopeSql, type QueryAccess } from './access.ts';

export interface FilterContext {
  models: Map<string, ObjectModel>;
  /** The caller's permissions; none for policy filters (role scopes) and internal callers. */
  access?: QueryAccess;
}

/** Role scope filters are policy: compiled without the caller's field restrictions. */
export const policyCompiler = (ctx: FilterContext) => (model: ObjectModel, filter: unknown, alias: string) =>
  compileFilter(model, filter, alias, { models: ctx.models });

/** Checks a role's scope filter as the read path will compile it (unknown field or operator → its problem). */
export const scopeFilterCheck = (models: Map<string, ObjectModel>) => (model: ObjectModel, filter: unknown) => {
  compileFilter(model, filter, 't', { models });
};

const MAX_NODES = 200;
const MAX_DEPTH = 12;
const MAX_LIST = 1000;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function compileFilter(model: ObjectModel, filter: unknown, alias: string, ctx: FilterContext): SQL {
  const state = { nodes: 0 };
  return node(model, filter, alias, ctx, state, 0, 'filter');
}

function node(model: ObjectModel, f: unknown, alias: string, ctx: FilterContext, state: { nodes: number }, depth: number, at: string): SQL {
  if (++state.nodes > MAX_NODES) throw badRequest(`The filter is too large (at most ${MAX_NODES} conditions)`);
  if (depth > MAX_DEPTH) throw badRequest(`The filter is nested too deeply (at most ${MAX_DEPTH} levels)`);
  if (!isPlainObject(f)) throw badRequest(`${at} must be a JSON object`, [{ field: at, message: 'must be a JSON object' }]);
  const parts: SQL[] = [];
  for (const [key, value] of Object.entries(f)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value) || value.length === 0)
        throw badRequest(`"${key}" takes a non-empty array of filters`, [{ field: key, message: 'must be a non-empty array' }]);
      const subs = value.map((v, i) => node(model, v, alias, ctx, state, depth + 1, `${at}.${key}[${i}]`));
      parts.push(sql`(${sql.join(subs, key === 'and' ? sql` and ` : sql` or `)})`);
    } else if (key === 'not') {
      // "not" means "the condition is not true": a record with NULL in the field is included.
      parts.push(sql`not coalesce((${node(model, value, alias, ctx, state, depth + 1, `${at}.not`)}), false)`);
    } else {
      parts.push(fieldCondition(model, key, value, alias, ctx, state, depth));
    }
  }
  return parts.length === 0 ? sql`true` : parts.length === 1 ? parts[0] : sql`(${sql.join(parts, sql` and `)})`;
}

function fieldCondition(
  model: ObjectModel,
  path: string,
  value: unknown,
  alias: string,
  ctx: FilterContext,
  state: { nodes: number },
  depth: number,
): SQL {
  const dot = path.indexOf('.');
  if (dot > 0) return pathCondition(model, path.slice(0, dot), path.slice(dot + 1), value, alias, ctx, state, depth);
  const field = fieldOf(model, path);
  if (!field) throw badRequest(`Unknown field "${path}" on ${model.name}`, [{ field: path, message: `is not a field of ${model.name}` }]);
  assertReadableField(model, path, ctx.access, 'filter');
  const shorthand = !isPlainObject(value);
  const ops: Record<string, unknown> = shorthand ? { eq: value } : (value as Record<string, unknown>);
  // A bare value ({ "country": "Narnia" }) is named by the path the caller wrote, not path.eq.
  const conds = Object.entries(ops).map(([op, v]) => operatorCondition(field, op, v, alias, path, shorthand ? path : `${path}.${op}`));
  if (conds.length === 0) throw badRequest(`No operator given for "${path}"`, [{ field: path, message: 'needs an operator' }]);
  return conds.length === 1 ? conds[0] : sql`(${sql.join(conds, sql` and `)})`;
}

/** `company.industry`: through a many-to-one relation; `contacts.email`: through an inverse (any of). */
function pathCondition(
  model: ObjectModel,
  head: string,
  rest: string,
  value: unknown,
  alias: string,
  ctx: FilterContext,
  state: { nodes: number },
  depth: number,
): SQL {
  const next = `${alias}_${depth + 1}`;
  const rel = model.fields.get(head);
  // Through a relation the caller sees only what it may read: the related object's read scope
  // joins the subquery, and hidden fields on either side are a 403 — never an oracle.
  if (rel?.spec.type === 'relation') {
    assertReadableField(model, head, ctx.access, 'filter');
    const target = ctx.models.get(rel.spec.target!)!;
    assertObject(target, 'read', ctx.access);
    const inner = fieldCondition(target, rest, value, next, ctx, state, depth + 1);
    const scope = scopeSql(target, 'read', next, ctx.access, policyCompiler(ctx));
    return sql`${rel.col(alias)()} in (select ${sql.identifier(next)}.id from ${sql.identifier(target.table)} as ${sql.identifier(next)} where ${sql.identifier(next)}.deleted_at is null and ${scope} and ${inner})`;
  }
  const inverse = model.inverses.get(head);
  if (inverse) {
    const source = ctx.models.get(inverse.object)!;
    assertObject(source, 'read', ctx.access);
    assertReadableField(source, inverse.field, ctx.access, 'filter');
    const inner = fieldCondition(source, rest, value, next, ctx, state, depth + 1);
    const scope = scopeSql(source, 'read', next, ctx.access, policyCompiler(ctx));
    return sql`${sql.identifier(alias)}.id in (select ${sql.identifier(next)}.${sql.identifier(inverse.field)} from ${sql.identifier(source.table)} as ${sql.identifier(next)} where ${sql.identifier(next)}.deleted_at is null and ${scope} and ${inner})`;
  }
  throw badRequest(`"${head}" in "${head}.${rest}" is not a relation of ${model.name}`, [
    { field: `${head}.${rest}`, message: `${head} is not a relation of ${model.name}` },
  ]);
}

function scalar(field: FieldModel, v: unknown, at: string): unknown {
  const value = resolveOption(field.spec, v);
  if (typeof value === 'string' && value.includes('\u0000'))
    throw badRequest(`${at}: text must not contain NUL characters`, [{ field: at, message: 'must not contain NUL characters' }]);
  const problem = field.type.checkValue(value, field.spec);
  if (problem) throw badRequest(`${at}: ${problem}`, [{ field: at, message: problem }]);
  return value;
}

function list(field: FieldModel, v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw badRequest(`${at} takes an array`, [{ field: at, message: 'must be an array' }]);
  if (v.length > MAX_LIST)
    throw badRequest(`${at} takes at most ${MAX_LIST} values`, [{ field: at, message: `at most ${MAX_LIST} values` }]);
  return v.map((x) => scalar(field, x, at));
}

/** The values of has_any/has_all on a json field: strings, as its array elements are compared. */
function strings(v: unknown, at: string): string[] {
  if (!Array.isArray(v)) throw badRequest(`${at} takes an array`, [{ field: at, message: 'must be an array' }]);
  if (v.length > MAX_LIST)
    throw badRequest(`${at} takes at most ${MAX_LIST} values`, [{ field: at, message: `at most ${MAX_LIST} values` }]);
  for (const x of v)
    if (typeof x !== 'string' || x.includes('\u0000'))
      throw badRequest(`${at} takes an array of strings`, [{ field: at, message: 'must be an array of strings' }]);
  return v as string[];
}

function operatorCondition(field: FieldModel, op: string, v: unknown, alias: string, path: string, at: string): SQL {
  if (!(allOperators as readonly string[]).includes(op)) {
    throw badRequest(`Unknown operator "${op}" for "${path}"`, [
      { field: path, message: `unknown operator "${op}" (known: ${allOperators.join(', ')})` },
    ]);
  }
  if (!field.type.operators.includes(op as Operator)) {
    throw badRequest(`Operator "${op}" does not apply to ${field.spec.type} field "${path}"`, [
      { field: path, message: `operator "${op}" is not available for ${field.spec.type} (available: ${field.type.operators.join(', ')})` },
    ]);
  }
  const col = field.col(alias);
  const key = field.type.key(col);
  const bind = (x: unknown) => field.type.bind(x);
  switch (op as Operator) {
    case 'eq':
      return v === null ? sql`${key} is null` : sql`${key} = ${bind(scalar(field, v, at))}`;
    case 'neq':
      return v === null ? sql`${key} is not null` : sql`${key} is distinct from ${bind(scalar(field, v, at))}`;
    case 'gt':
      return sql`${key} > ${bind(scalar(field, v, at))}`;
    case 'gte':
      return sql`${key} >= ${bind(scalar(field, v, at))}`;
    case 'lt':
      return sql`${key} < ${bind(scalar(field, v, at))}`;
    case 'lte':
      return sql`${key} <= ${bind(scalar(field, v, at))}`;
    case 'in': {
      const values = list(field, v, at);
      return values.length === 0 ? sql`false` : sql`${key} in (${sql.join(values.map(bind), sql`, `)})`;
    }
    case 'nin': {
      const values = list(field, v, at);
      return values.length === 0 ? sql`true` : sql`(${key} is null or ${key} not in (${sql.join(values.map(bind), sql`, `)}))`;
    }
    case 'contains':
      return sql`strpos(${key}, ${textValue(v, at)}) > 0`;
    case 'icontains':
      return sql`strpos(lower(${key}), lower(${textValue(v, at)})) > 0`;
    case 'starts_with':
      return sql`starts_with(${key}, ${textValue(v, at)})`;
    case 'is_null':
      if (typeof v !== 'boolean') throw badRequest(`${at} takes true or false`, [{ field: at, message: 'must be true or false' }]);
      return field.type.list
        ? v
          ? sql`coalesce(cardinality(${key}), 0) = 0`
          : sql`cardinality(${key}) > 0`
        : v
          ? sql`${key} is null`
          : sql`${key} is not null`;
    case 'has_any':
    case 'has_all': {
      const values = field.spec.type === 'json' ? strings(v, at) : list(field, v, at);
      const arr = sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
      // A json field holds a list of strings (keys a plugin maintains, tags): jsonb's ?| and ?&
      // test its elements, and an indexed json field has a GIN index that serves both.
      if (field.spec.type === 'json') return op === 'has_any' ? sql`${key} ?| ${arr}` : sql`${key} ?& ${arr}`;
      return op === 'has_any' ? sql`${key} && ${arr}` : sql`${key} @> ${arr}`;
    }
  }
}

function textValue(v: unknown, at: string): SQL {
  if (typeof v !== 'string') throw badRequest(`${at} takes a string`, [{ field: at, message: 'must be a string' }]);
  if (v.includes('\u0000'))
    throw badRequest(`${at}: text must not contain NUL characters`, [{ field: at, message: 'must not contain NUL characters' }]);
  return sql`${v}::text`;
}
