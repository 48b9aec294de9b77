// Saved views and the filter builder keep "moving" values as tokens — $me, $today,
// $today-30d, $today+7d, $now — and resolve them when the view is applied, because the
// server's filter language knows only fixed values (and "today" is the viewer's today).
const DAY = /^\$today([+-]\d+)d$/;

export type FilterNode = Record<string, unknown>;

export interface ResolveContext {
  me: string | null;
  now?: Date;
  /** Fields of type date (YYYY-MM-DD) rather than datetime (ISO instant). */
  dateFields?: Set<string>;
}

function startOfDay(now: Date, offsetDays: number): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + offsetDays);
  return d;
}

const ymd = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function resolveToken(value: unknown, field: string, ctx: ResolveContext): unknown {
  if (typeof value !== 'string' || !value.startsWith('$')) return value;
  const now = ctx.now ?? new Date();
  if (value === '$me') return ctx.me;
  if (value === '$now') return now.toISOString();
  const m = value === '$today' ? ['', '+0'] : DAY.exec(value);
  if (!m) return value;
  const day = startOfDay(now, Number(m[1]));
  return ctx.dateFields?.has(field) ? ymd(day) : day.toISOString();
}

/** A copy of the filter with every token replaced by its value now. */
export function resolveFilter(filter: unknown, ctx: ResolveContext, field = ''): unknown {
  if (Array.isArray(filter)) return filter.map((x) => resolveFilter(x, ctx, field));
  if (filter && typeof filter === 'object') {
    return Object.fromEntries(
      Object.entries(filter as FilterNode).map(([k, v]) => {
        const isLogic = k === 'and' || k === 'or' || k === 'not';
        const isOp = !isLogic && /^[a-z_]+$/.test(k) && field !== '';
        return [k, resolveFilter(v, ctx, isLogic ? '' : isOp ? field : k)];
      }),
    );
  }
  return resolveToken(filter, field, ctx);
}

/** One row of the filter builder: field path, operator, value (tokens allowed). */
export interface Condition {
  field: string;
  op: string;
  value: unknown;
}

/** Builder rows → the records filter language. `not_null` is `is_null: false`; `between` is `gte` and `lte` (either may be left empty). */
export function toFilter(conditions: Condition[]): FilterNode | null {
  const parts = conditions
    .filter((c) => c.field && c.op)
    .map((c): FilterNode => {
      if (c.op === 'is_null') return { [c.field]: { is_null: true } };
      if (c.op === 'not_null') return { [c.field]: { is_null: false } };
      if (c.op === 'between') {
        const [from, to] = Array.isArray(c.value) ? (c.value as unknown[]) : [];
        const given = (v: unknown) => v !== null && v !== undefined && v !== '';
        return { [c.field]: { ...(given(from) && { gte: from }), ...(given(to) && { lte: to }) } };
      }
      return { [c.field]: { [c.op]: c.value } };
    });
  if (!parts.length) return null;
  return parts.length === 1 ? parts[0] : { and: parts };
}

/** The records filter language → builder rows, for the simple shapes the builder writes. */
export function fromFilter(filter: unknown): Condition[] {
  if (!filter || typeof filter !== 'object') return [];
  const f = filter as FilterNode;
  if (Array.isArray(f.and)) return f.and.flatMap(fromFilter);
  return Object.entries(f).flatMap(([field, spec]): Condition[] => {
    if (field === 'or' || field === 'not') return [];
    if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
      const ops = Object.keys(spec);
      if (ops.length === 2 && ops.includes('gte') && ops.includes('lte')) {
        const range = spec as { gte: unknown; lte: unknown };
        return [{ field, op: 'between', value: [range.gte, range.lte] }];
      }
      return Object.entries(spec as FilterNode).map(([op, value]) =>
        op === 'is_null' ? { field, op: value ? 'is_null' : 'not_null', value: null } : { field, op, value },
      );
    }
    return [{ field, op: 'eq', value: spec }];
  });
}
