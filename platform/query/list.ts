// A records list: parameters → one page query (+ optional count) → includes, each include
// level in one query (`id = any(...)`), never one query per row.
import { sql, type SQL } from 'drizzle-orm';
import { planPerCall, type Executor } from '../db/index.ts';
import { searchSql, type FieldModel, type ObjectModel } from '../model/index.ts';
import { badRequest } from '../problems/index.ts';
import { compileFilter, policyCompiler, type FilterContext } from './filter.ts';
import { assertObject, assertReadableField, readableFields, scopeSql, type QueryAccess } from './access.ts';
import { afterCursor, cursorColumns, decodeCursor, encodeCursor, orderBy, parseSort, type SortKey } from './sort.ts';
import { selectList } from './select.ts';
import { decodeRelevanceCursor, encodeRelevanceCursor, rankSql, relevancePage, type RelevanceCursor } from './relevance.ts';
import { parseSums, runSums, type Sum } from './sums.ts';

export interface ListParams {
  filter?: string;
  sort?: string;
  limit?: string;
  cursor?: string;
  fields?: string;
  include?: string;
  q?: string;
  count?: string;
  sum?: string;
  trashed?: string;
}

export const listParamNames: (keyof ListParams)[] = [
  'filter',
  'sort',
  'limit',
  'cursor',
  'fields',
  'include',
  'q',
  'count',
  'sum',
  'trashed',
];

export interface ListQuery {
  filter?: unknown;
  sort: SortKey[];
  /** `q` without an explicit `sort`: the list is ordered by relevance (relevance.ts), not by `sort`. */
  relevance: boolean;
  limit: number;
  cursor?: (string | null)[];
  relevanceCursor?: RelevanceCursor;
  fields?: FieldModel[];
  include: string[];
  q?: string;
  /** 'capped': exact up to COUNT_CAP matching rows, else the planner's estimate; 'exact': always exact. */
  count: false | 'capped' | 'exact';
  /** Number and currency fields to total over every matching record (`page.sums`). */
  sum: FieldModel[];
  trashed: boolean;
}

export interface Page {
  data: Record<string, unknown>[];
  page: { next_cursor: string | null; has_more: boolean; total?: number; total_is_estimate?: boolean; sums?: Record<string, Sum[]> };
}

/**
 * How many matching rows `count=true` counts before it estimates instead: counting a million
 * rows reads a million rows (80 ms and more on every list load), while a list only needs to say
 * "about 120,000" (issue 17). `count=exact` counts them all.
 */
export const COUNT_CAP = 10_000;

export const INVERSE_INCLUDE_LIMIT = 20;
const MAX_LIMIT = 500;

const bool = (name: string, v: string | undefined) => {
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw badRequest(`${name} must be true or false`, [{ field: name, message: 'must be true or false' }]);
};

const countMode = (v: string | undefined): ListQuery['count'] =>
  v === 'exact' ? 'exact' : v !== undefined && bool('count', v) ? 'capped' : false;

const names = (param: string, v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

export function parseListParams(model: ObjectModel, p: ListParams, access?: QueryAccess): ListQuery {
  assertObject(model, 'read', access);
  let filter: unknown;
  if (p.filter !== undefined && p.filter !== '') {
    try {
      filter = JSON.parse(p.filter);
    } catch {
      throw badRequest('filter is not valid JSON', [{ field: 'filter', message: 'must be URL-encoded JSON' }]);
    }
  }
  let limit = 50;
  if (p.limit !== undefined) {
    limit = Number(p.limit);
    if (!/^\d+$/.test(p.limit) || limit < 1 || limit > MAX_LIMIT) {
      throw badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`, [{ field: 'limit', message: `must be 1–${MAX_LIMIT}` }]);
    }
  }
  let fields: FieldModel[] | undefined;
  const fieldNames = names('fields', p.fields);
  if (fieldNames) {
    fields = [];
    for (const n of fieldNames) {
      if (['id', 'created_at', 'updated_at', 'version', 'created_by', 'updated_by'].includes(n)) continue;
      const f = model.fields.get(n);
      if (!f) throw badRequest(`Unknown field "${n}" in fields`, [{ field: 'fields', message: `"${n}" is not a field of ${model.name}` }]);
      assertReadableField(model, n, access, 'fields');
      if (!fields.includes(f)) fields.push(f);
    }
  }
  const include = names('include', p.include) ?? [];
  for (const n of include) {
    const f = model.fields.get(n);
    if (!(f?.spec.type === 'relation') && !model.inverses.has(n)) {
      throw badRequest(`"${n}" cannot be included: it is not a relation of ${model.name}`, [
        { field: 'include', message: `"${n}" is not a relation of ${model.name}` },
      ]);
    }
    if (f) assertReadableField(model, n, access, 'include');
    if (f && fields && !fields.includes(f)) fields.push(f);
  }
  const sort = parseSort(model, p.sort);
  for (const k of sort) assertReadableField(model, k.field.name, access, 'sort');
  const q = p.q?.trim() ? p.q.trim() : undefined;
  if (q !== undefined) {
    if (q.length > 200) throw badRequest('q is too long (at most 200 characters)', [{ field: 'q', message: 'at most 200 characters' }]);
    if (q.includes('\u0000'))
      throw badRequest('q must not contain NUL characters', [{ field: 'q', message: 'must not contain NUL characters' }]);
    if (model.searchFields.length === 0 || readableFields(model, access).every((f) => !f.spec.searchable)) {
      throw badRequest(`${model.name} has no searchable fields${model.searchFields.length ? ' you can read' : ''}`, [
        { field: 'q', message: `${model.name} has no searchable fields` },
      ]);
    }
  }
  const relevance = q !== undefined && !p.sort;
  return {
    filter,
    sort,
    relevance,
    limit,
    cursor: p.cursor && !relevance ? decodeCursor(sort, p.cursor) : undefined,
    relevanceCursor: p.cursor && relevance ? decodeRelevanceCursor(p.cursor) : undefined,
    fields,
    include,
    q,
    count: countMode(p.count),
    sum: parseSums(model, p.sum, access),
    trashed: bool('trashed', p.trashed),
  };
}

/** The WHERE of a list without its cursor (also used for count). */
export function listConditions(
  model: ObjectModel,
  query: Pick<ListQuery, 'filter' | 'q' | 'trashed'>,
  alias: string,
  ctx: FilterContext,
  extra: SQL[] = [],
): SQL[] {
  const conds: SQL[] = [
    query.trashed ? sql`${sql.identifier(alias)}.deleted_at is not null` : sql`${sql.identifier(alias)}.deleted_at is null`,
  ];
  if (ctx.access) conds.push(scopeSql(model, 'read', alias, ctx.access, policyCompiler(ctx)));
  if (query.filter !== undefined) conds.push(compileFilter(model, query.filter, alias, ctx));
  if (query.q) {
    // With hidden searchable fields the index still narrows the rows, and the match is
    // checked on the fields the caller can read only: a search is never an oracle.
    const visible = readableFields(model, ctx.access).filter((f) => f.spec.searchable);
    conds.push(searchSql.condition(model.searchFields, alias, query.q, visible.length === model.searchFields.length ? undefined : visible));
  }
  return [...conds, ...extra];
}

export async function runList(base: Executor, model: ObjectModel, query: ListQuery, ctx: FilterContext): Promise<Page> {
  const t = 't';
  // How a search is best read depends on what is searched: q=a matches most rows, q=田中 a few.
  const db = query.q ? planPerCall(base) : base;
  const conds = listConditions(model, query, t, ctx);
  const where = sql.join(conds, sql` and `);
  const { pageRows, hasMore, next } = query.relevance
    ? await relevanceRows(db, model, query, ctx, where)
    : await sortedRows(db, model, query, ctx, where);

  const counted = query.count
    ? await countRows(db, sql`from ${sql.identifier(model.table)} as ${sql.identifier(t)} where ${where}`, query.count)
    : undefined;
  const sums = query.sum.length ? await runSums(db, model, query.sum, where, t) : undefined;
  if (query.include.length) await expandIncludes(db, model, pageRows, query.include, ctx);
  return { data: pageRows, page: { next_cursor: next, has_more: hasMore, ...counted, ...(sums && { sums }) } };
}

interface PageRows {
  pageRows: Record<string, unknown>[];
  hasMore: boolean;
  next: string | null;
}

async function sortedRows(db: Executor, model: ObjectModel, query: ListQuery, ctx: FilterContext, where: SQL): Promise<PageRows> {
  const t = 't';
  const pageWhere = query.cursor ? sql`${where} and ${afterCursor(query.sort, query.cursor, t)}` : where;
  const rows =
    await db.query(sql`select ${selectList(model, t, query.fields ?? readableFields(model, ctx.access), { trashed: query.trashed })}, ${sql.join(cursorColumns(query.sort, t), sql`, `)}
    from ${sql.identifier(model.table)} as ${sql.identifier(t)}
    where ${pageWhere}
    order by ${orderBy(query.sort, t)}
    limit ${query.limit + 1}`);
  const hasMore = rows.length > query.limit;
  const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const next = hasMore && last ? encodeCursor(query.sort, last) : null;
  for (const r of pageRows) for (let i = 0; i < query.sort.length; i++) delete r[`__k${i}`];
  return { pageRows, hasMore, next };
}

/** A page in relevance order (q without sort); the rank is taken over the fields the caller may read. */
async function relevanceRows(db: Executor, model: ObjectModel, query: ListQuery, ctx: FilterContext, where: SQL): Promise<PageRows> {
  const t = 't';
  const readable = readableFields(model, ctx.access);
  const { rows, window } = await relevancePage(
    (q) => db.query(q),
    {
      table: sql.identifier(model.table),
      alias: t,
      where,
      select: selectList(model, t, query.fields ?? readable, { trashed: query.trashed }),
      rank: rankSql(model, readable, t, query.q!),
    },
    query.limit,
    query.relevanceCursor,
  );
  const hasMore = rows.length > query.limit;
  const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const next = hasMore && last ? encodeRelevanceCursor({ window, rank: Number(last.__rank), id: String(last.id) }) : null;
  for (const r of rows) delete r.__rank;
  return { pageRows, hasMore, next };
}

/**
 * The rows `from` names, counted. Capped: a count that stops at COUNT_CAP + 1 rows, and past the
 * cap the planner's row estimate (never less than the rows seen), flagged as an estimate.
 */
async function countRows(db: Executor, from: SQL, mode: 'capped' | 'exact'): Promise<{ total: number; total_is_estimate?: true }> {
  if (mode === 'exact') {
    const [c] = await db.query<{ n: number }>(sql`select count(*)::int as n ${from}`);
    return { total: Number(c.n) };
  }
  const [c] = await db.query<{ n: number }>(sql`select count(*)::int as n from (select 1 ${from} limit ${COUNT_CAP + 1}) capped`);
  if (Number(c.n) <= COUNT_CAP) return { total: Number(c.n) };
  const [plan] = await db.query<{ 'QUERY PLAN': unknown }>(sql`explain (format json) select 1 ${from}`);
  const doc = plan['QUERY PLAN'];
  const rows = Number((typeof doc === 'string' ? JSON.parse(doc) : doc)[0]?.Plan?.['Plan Rows']);
  return { total: Math.max(Number.isFinite(rows) ? Math.round(rows) : 0, COUNT_CAP + 1), total_is_estimate: true };
}

const uuidArray = (ids: string[]) => sql`string_to_array(${ids.join(',')}, ',')::uuid[]`;

export async function expandIncludes(
  db: Executor,
  model: ObjectModel,
  rows: Record<string, unknown>[],
  include: string[],
  ctx: FilterContext,
): Promise<void> {
  if (rows.length === 0) return;
  for (const name of include) {
    const rel = model.fields.get(name);
    if (rel?.spec.type === 'relation') {
      const target = ctx.models.get(rel.spec.target!)!;
      assertObject(target, 'read', ctx.access);
      const ids = [...new Set(rows.map((r) => r[name]).filter((v): v is string => typeof v === 'string'))];
      if (ids.length === 0) continue;
      // A related record outside the caller's read scope stays an id: the id is the field's value.
      const found =
        await db.query(sql`select ${selectList(target, 'r', readableFields(target, ctx.access))} from ${sql.identifier(target.table)} as r
        where r.id = any(${uuidArray(ids)}) and ${scopeSql(target, 'read', 'r', ctx.access, policyCompiler(ctx))}`);
      const byId = new Map(found.map((f) => [f.id as string, f]));
      for (const r of rows) if (typeof r[name] === 'string') r[name] = byId.get(r[name] as string) ?? r[name];
      continue;
    }
    const inverse = model.inverses.get(name)!;
    const source = ctx.models.get(inverse.object)!;
    assertObject(source, 'read', ctx.access);
    assertReadableField(source, inverse.field, ctx.access, 'include');
    const ids = rows.map((r) => r.id as string);
    const fk = sql.identifier(inverse.field);
    // The newest few per parent, in one query.
    const found = await db.query(sql`select * from (
        select ${selectList(source, 'r', readableFields(source, ctx.access))}, r.${fk}::text as __parent, row_number() over (partition by r.${fk} order by r.id desc) as __n
        from ${sql.identifier(source.table)} as r where r.${fk} = any(${uuidArray(ids)}) and r.deleted_at is null
          and ${scopeSql(source, 'read', 'r', ctx.access, policyCompiler(ctx))}
      ) s where s.__n <= ${INVERSE_INCLUDE_LIMIT} order by s.id desc`);
    const byParent = new Map<string, Record<string, unknown>[]>();
    for (const f of found) {
      const parent = f.__parent as string;
      delete f.__parent;
      delete f.__n;
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent)!.push(f);
    }
    for (const r of rows) r[name] = byParent.get(r.id as string) ?? [];
  }
}
