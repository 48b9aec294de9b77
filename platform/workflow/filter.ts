// Conditions of condition, branch and wait steps: the records filter language, where a key is
// either a field of the record (checked in SQL against the record as it is now) or a path into
// the run's context (trigger., input., vars., steps., loop.) checked on the value in memory.
import { lookup } from './template.ts';

const CONTEXT_ROOTS = ['trigger.', 'input.', 'vars.', 'steps.', 'loop.'];
const LOGICAL = new Set(['and', 'or', 'not']);

export const isContextPath = (key: string) => CONTEXT_ROOTS.some((r) => key.startsWith(r));

/** Whether any leaf of the filter is a record field (so a record is needed to decide it). */
export function needsRecord(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  if (Array.isArray(filter)) return filter.some(needsRecord);
  return Object.entries(filter).some(([k, v]) => (LOGICAL.has(k) ? needsRecord(v) : !isContextPath(k)));
}

/**
 * Decides a filter: record-field parts go to `matchRecord` (one SQL query per record-only
 * subtree), context paths are compared here. A filter with no context path is one query.
 */
export async function evaluateFilter(
  filter: unknown,
  context: unknown,
  matchRecord: (f: Record<string, unknown>) => Promise<boolean>,
): Promise<boolean> {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw new FilterError('A filter must be a JSON object');
  const f = filter as Record<string, unknown>;
  if (!hasContextPath(f)) return Object.keys(f).length === 0 ? true : matchRecord(f);
  for (const [key, cond] of Object.entries(f)) {
    let ok: boolean;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(cond)) throw new FilterError(`"${key}" takes a list of filters`);
      const parts = [];
      for (const c of cond) parts.push(await evaluateFilter(c, context, matchRecord));
      ok = key === 'and' ? parts.every(Boolean) : parts.some(Boolean);
    } else if (key === 'not') {
      ok = !(await evaluateFilter(cond, context, matchRecord));
    } else if (isContextPath(key)) {
      ok = compare(lookup(context, key), cond, key);
    } else {
      ok = await matchRecord({ [key]: cond });
    }
    if (!ok) return false;
  }
  return true;
}

function hasContextPath(f: unknown): boolean {
  if (!f || typeof f !== 'object') return false;
  if (Array.isArray(f)) return f.some(hasContextPath);
  return Object.entries(f).some(([k, v]) => (LOGICAL.has(k) ? hasContextPath(v) : isContextPath(k)));
}

export class FilterError extends Error {}

const isOps = (c: unknown): c is Record<string, unknown> =>
  !!c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length > 0 && Object.keys(c).every((k) => OPS.has(k));
const OPS = new Set([
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'icontains',
  'starts_with',
  'is_null',
  'has_any',
  'has_all',
]);

/** Numbers compare as numbers (also numeric strings, e.g. decimals), everything else as text. */
function order(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  const na = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
  const nb = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const same = (a: unknown, b: unknown) =>
  typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a) === JSON.stringify(b) : order(a, b) === 0 || a === b;

function compare(value: unknown, cond: unknown, key: string): boolean {
  if (!isOps(cond)) return same(value ?? null, cond ?? null);
  for (const [op, arg] of Object.entries(cond)) {
    const list = () => {
      if (!Array.isArray(arg)) throw new FilterError(`${key}: "${op}" takes a list`);
      return arg;
    };
    const o = order(value, arg);
    const ok = (() => {
      switch (op) {
        case 'eq':
          return same(value ?? null, arg ?? null);
        case 'neq':
          return !same(value ?? null, arg ?? null);
        case 'gt':
          return o !== undefined && o > 0;
        case 'gte':
          return o !== undefined && o >= 0;
        case 'lt':
          return o !== undefined && o < 0;
        case 'lte':
          return o !== undefined && o <= 0;
        case 'in':
          return list().some((x) => same(value, x));
        case 'nin':
          return !list().some((x) => same(value, x));
        case 'contains':
          return Array.isArray(value) ? value.some((x) => same(x, arg)) : typeof value === 'string' && value.includes(String(arg));
        case 'icontains':
          return typeof value === 'string' && value.toLowerCase().includes(String(arg).toLowerCase());
        case 'starts_with':
          return typeof value === 'string' && value.startsWith(String(arg));
        case 'is_null':
          return (value === null || value === undefined) === Boolean(arg);
        case 'has_any':
          return Array.isArray(value) && list().some((x) => value.some((v) => same(v, x)));
        case 'has_all':
          return Array.isArray(value) && list().every((x) => value.some((v) => same(v, x)));
        default:
          throw new FilterError(`${key}: unknown operator "${op}"`);
      }
    })();
    if (!ok) return false;
  }
  return true;
}
