// A policy's conditions are a records filter (docs/API.md "Filter JSON"), checked by the platform
// when the policy is saved, and matched here against a case's values *before* it is written
// (a before-hook cannot ask SQL about a row that does not exist yet). Only the operators below
// are matched in code; a policy using another is refused on save rather than misread.
import { ProblemError, validation, type PluginRecords } from 'kizuna/plugin';

type Filter = Record<string, unknown>;
export type Values = Record<string, unknown>;

const OPS = new Set(['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'is_null']);

/** The relation fields a filter reads through (`company` for `company.size`). */
export function relationsOf(filter: unknown, out = new Set<string>()): Set<string> {
  if (!filter || typeof filter !== 'object') return out;
  for (const [key, value] of Object.entries(filter as Filter)) {
    if (key === 'and' || key === 'or') for (const f of (value as unknown[]) ?? []) relationsOf(f, out);
    else if (key === 'not') relationsOf(value, out);
    else if (key.includes('.')) out.add(key.split('.')[0]);
  }
  return out;
}

/** Problems with operators or paths the code matcher does not take (the platform checks the rest). */
function unsupported(filter: unknown, path: string, problems: { field: string; message: string }[]): void {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) {
    problems.push({ field: path, message: 'must be a filter object' });
    return;
  }
  for (const [key, value] of Object.entries(filter as Filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) problems.push({ field: `${path}.${key}`, message: 'must be a list of filters' });
      else value.forEach((f, i) => unsupported(f, `${path}.${key}[${i}]`, problems));
    } else if (key === 'not') unsupported(value, `${path}.not`, problems);
    else if (key.split('.').length > 2) problems.push({ field: `${path}.${key}`, message: 'may go through one relation only' });
    else if (value && typeof value === 'object' && !Array.isArray(value))
      for (const op of Object.keys(value))
        if (!OPS.has(op))
          problems.push({ field: `${path}.${key}.${op}`, message: `is not an operator SLA conditions take (${[...OPS].join(', ')})` });
  }
}

/**
 * Checks a policy's conditions: the platform's filter compiler on `case` (unknown fields,
 * operators a type does not take, bad values: its 400 becomes a 422 naming `conditions`), then
 * the operators this matcher takes.
 */
export async function checkConditions(records: PluginRecords, conditions: unknown): Promise<void> {
  if (conditions === null || conditions === undefined) return;
  const problems: { field: string; message: string }[] = [];
  unsupported(conditions, 'conditions', problems);
  if (problems.length) throw validation(problems);
  try {
    await records.list('case', { filter: JSON.stringify(conditions), limit: '1', fields: 'id' });
  } catch (e) {
    if (e instanceof ProblemError && e.status < 500)
      throw validation(
        (e.errors?.length ? e.errors : [{ field: '', message: e.detail ?? e.title }]).map((p) => ({
          field: p.field ? `conditions.${p.field}` : 'conditions',
          message: p.message,
        })),
        `conditions: ${e.detail ?? e.title}`,
      );
    throw e;
  }
}

// Values compare as text: a select's value, a number sent as 3 or "3", a relation's id.
const same = (a: unknown, b: unknown) => (a == null ? b == null : b != null && String(a) === String(b));
const order = (a: unknown, b: unknown) => {
  if (a == null || b == null) return NaN;
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y) && typeof a !== 'string') return x - y;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
};

function test(value: unknown, cond: unknown): boolean {
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) return cond === null ? value == null : same(value, cond);
  return Object.entries(cond as Filter).every(([op, arg]) => {
    switch (op) {
      case 'eq':
        return arg === null ? value == null : same(value, arg);
      case 'neq':
        return arg === null ? value != null : !same(value, arg); // neq includes empty values (API.md)
      case 'in':
        return (arg as unknown[]).some((a) => same(value, a));
      case 'nin':
        return !(arg as unknown[]).some((a) => same(value, a));
      case 'is_null':
        return (value == null || value === '') === Boolean(arg);
      case 'gt':
        return order(value, arg) > 0;
      case 'gte':
        return order(value, arg) >= 0;
      case 'lt':
        return order(value, arg) < 0;
      case 'lte':
        return order(value, arg) <= 0;
      default:
        return false;
    }
  });
}

/** Whether the case (values, with each relation the filter reads through in `related`) matches. */
export function matches(filter: unknown, values: Values, related: Record<string, Values | undefined>): boolean {
  if (filter === null || filter === undefined) return true;
  return Object.entries(filter as Filter).every(([key, cond]) => {
    if (key === 'and') return (cond as unknown[]).every((f) => matches(f, values, related));
    if (key === 'or') return (cond as unknown[]).some((f) => matches(f, values, related));
    if (key === 'not') return !matches(cond, values, related);
    const [head, tail] = key.split('.');
    const value = tail === undefined ? values[head] : related[head]?.[tail];
    return test(value, cond);
  });
}
