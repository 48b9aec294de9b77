// A list's (and a board's) state in the address, so a link reproduces it, back steps through
// changes and a reload keeps them: ?view=key&q=text&sort=-created_at,name&columns=a,b
// &filter=status:eq:open;amount:gte:100;tags:has_any:vip|new. Only what differs from the
// open view is written; a parameter present (even empty) overrides the view. What a link asks
// for is checked against the metadata on read: an unknown field or operator is left out and
// named, never sent to the server.
import type { FieldSpec, ObjectDef } from '../api/types.ts';
import { operatorsOf, sortableOf } from './field-kinds.ts';
import type { Condition } from './filter-values.ts';

const MANY = ['in', 'nin', 'has_any', 'has_all'];
// Two values joined by `|` like a list: `amount:between:100|500` (an empty side is open: `|500`).
const RANGE = ['between'];
const NO_VALUE = ['is_null', 'not_null'];
const NUMERIC = ['integer', 'number', 'percent', 'currency'];

// Only the separators the encoding uses (and % itself) are escaped inside values, so most
// values stay readable in the address.
const escape = (v: string) => v.replace(/[%;|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const unescape = (v: string) => v.replace(/%(25|3B|7C)/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Builder rows → the compact `field:op:value;…` form (list values joined by `|`). */
export function encodeConditions(conditions: Condition[]): string {
  return conditions
    .filter((c) => c.field && c.op)
    .map((c) => {
      if (NO_VALUE.includes(c.op)) return `${c.field}:${c.op}`;
      const value = Array.isArray(c.value) ? c.value.map((x) => escape(String(x ?? ''))).join('|') : escape(String(c.value ?? ''));
      return `${c.field}:${c.op}:${value}`;
    })
    .join(';');
}

/** A field path as the filter builder offers it: an own field, or one step through a relation. */
export function fieldAtPath(path: string, fields: FieldSpec[], objects: Map<string, ObjectDef>): FieldSpec | undefined {
  const [head, tail, ...rest] = path.split('.');
  const own = fields.find((f) => f.name === head);
  if (!own || rest.length) return undefined;
  if (tail === undefined) return own;
  const target = own.type === 'relation' && own.target ? objects.get(own.target) : undefined;
  const x = target?.properties[tail]?.['x-kizuna'];
  return x && !x.system && !x.internal && x.type !== 'relation' ? ({ name: tail, ...x } as FieldSpec) : undefined;
}

function typed(raw: string, field: FieldSpec): unknown {
  const v = unescape(raw);
  if (v.startsWith('$')) return v; // $me, $today-30d: resolved when the list loads
  if (NUMERIC.includes(field.type)) return v.trim() === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
  if (field.type === 'boolean') return v === 'true' ? true : v === 'false' ? false : undefined;
  return v;
}

/** The compact form → builder rows; each part naming an unknown field, operator or value is left out and returned. */
export function decodeConditions(
  text: string,
  fieldAt: (path: string) => FieldSpec | undefined,
): { conditions: Condition[]; dropped: string[] } {
  const conditions: Condition[] = [];
  const dropped: string[] = [];
  for (const part of text.split(';').filter(Boolean)) {
    const [path, op = '', ...rest] = part.split(':');
    const field = fieldAt(path);
    if (!field || !operatorsOf(field).includes(op as never)) {
      dropped.push(path || part);
      continue;
    }
    const raw = rest.join(':');
    if (NO_VALUE.includes(op)) conditions.push({ field: path, op, value: null });
    else if (RANGE.includes(op)) {
      const [from = '', to = ''] = raw.split('|');
      const values = [from, to].map((x) => (x === '' ? null : typed(x, field)));
      if (values.some((x) => x === undefined) || values.every((x) => x === null)) dropped.push(path);
      else conditions.push({ field: path, op, value: values });
    } else if (MANY.includes(op)) {
      const values = raw === '' ? [] : raw.split('|').map((x) => typed(x, field));
      if (values.some((x) => x === undefined)) dropped.push(path);
      else conditions.push({ field: path, op, value: values });
    } else {
      const value = typed(raw, field);
      if (value === undefined) dropped.push(path);
      else conditions.push({ field: path, op, value });
    }
  }
  return { conditions, dropped };
}

/** What a list shows, as the address says it: null where the address leaves it to the view. */
export interface ListAddress {
  view: string | null;
  q: string;
  sort: string[] | null;
  columns: string[] | null;
  conditions: Condition[] | null;
}

type Query = Record<string, string | null | undefined | (string | null)[]>;
const one = (v: Query[string]) => (Array.isArray(v) ? (v[0] ?? undefined) : (v ?? undefined));
const names = (v: string) => v.split(',').filter(Boolean);

/** Reads and checks the address: `dropped` names each field, sort or column the object does not offer. */
export function readListAddress(
  query: Query,
  fields: FieldSpec[],
  objects: Map<string, ObjectDef>,
): { address: ListAddress; dropped: string[] } {
  const dropped: string[] = [];
  const sortRaw = one(query.sort);
  const sort =
    sortRaw === undefined
      ? null
      : names(sortRaw).filter((s) => {
          const f = fields.find((x) => x.name === s.replace(/^-/, ''));
          if (f && sortableOf(f)) return true;
          dropped.push(s.replace(/^-/, ''));
          return false;
        });
  const columnsRaw = one(query.columns);
  const columns =
    columnsRaw === undefined ? null : names(columnsRaw).filter((c) => fields.some((f) => f.name === c) || (dropped.push(c), false));
  const filterRaw = one(query.filter);
  let conditions: Condition[] | null = null;
  if (filterRaw !== undefined) {
    const decoded = decodeConditions(filterRaw, (p) => fieldAtPath(p, fields, objects));
    conditions = decoded.conditions;
    dropped.push(...decoded.dropped);
  }
  const address = { view: one(query.view) ?? null, q: one(query.q) ?? '', sort: sort?.slice(0, 5) ?? null, columns, conditions };
  return { address, dropped };
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The address of a list: the view, then only what differs from it (`base`). */
export function listQuery(
  state: { view: string | null; q: string; sort: string[]; columns: string[]; conditions: Condition[] },
  base: { sort: string[]; columns: string[]; conditions: Condition[] },
): Record<string, string> {
  const out: Record<string, string> = {};
  if (state.view) out.view = state.view;
  if (state.q.trim()) out.q = state.q;
  const filter = encodeConditions(state.conditions);
  if (filter !== encodeConditions(base.conditions)) out.filter = filter;
  if (!same(state.sort, base.sort)) out.sort = state.sort.join(',');
  if (!same(state.columns, base.columns)) out.columns = state.columns.join(',');
  return out;
}

/** Whether two addresses' queries say the same (the order of parameters aside). */
export function sameQuery(a: Query, b: Query): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => one(a[k]) === one(b[k]));
}
