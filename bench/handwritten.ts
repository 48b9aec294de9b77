// The baseline: a hand-written Hono + postgres.js server for exactly the benchmark's workloads,
// sending the same SQL the generated API sends (copied from what the platform renders) and
// answering the same JSON. What it leaves out is what the platform adds: metadata lookups, the
// filter/sort compiler, ajv validation, drizzle, the request-id middleware and problem details.
// postgres.js is used as one normally would: named prepared statements (its default).
import { Hono } from 'hono';
import postgres from 'postgres';
import { uuidv7 } from '../platform/db/uuid.ts';
import { randomUUID } from 'node:crypto';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const sys = (a: string) =>
  `"${a}"."id"::text as id, to_char("${a}"."created_at" at time zone 'UTC', ${ISO}) as created_at, ` +
  `to_char("${a}"."updated_at" at time zone 'UTC', ${ISO}) as updated_at, "${a}"."version" as version, ` +
  `"${a}"."created_by"::text as created_by, "${a}"."updated_by"::text as updated_by`;

const CONTACT_COLS = (a: string) =>
  `${sys(a)}, "${a}"."last_name" as "last_name", "${a}"."first_name" as "first_name", "${a}"."last_name_kana" as "last_name_kana", ` +
  `"${a}"."first_name_kana" as "first_name_kana", "${a}"."email" as "email", "${a}"."phone" as "phone", "${a}"."mobile" as "mobile", ` +
  `"${a}"."title" as "title", "${a}"."company"::text as "company", "${a}"."lifecycle" as "lifecycle", "${a}"."source" as "source", ` +
  `"${a}"."tags" as "tags", "${a}"."owner"::text as "owner", "${a}"."postal_code" as "postal_code", "${a}"."region" as "region", ` +
  `"${a}"."city" as "city", "${a}"."street" as "street", "${a}"."country" as "country", "${a}"."do_not_contact" as "do_not_contact", ` +
  `"${a}"."notes" as "notes", "${a}"."score" as "score"`;

const COMPANY_COLS = (a: string) =>
  `${sys(a)}, "${a}"."name" as "name", "${a}"."name_kana" as "name_kana", "${a}"."industry" as "industry", "${a}"."website" as "website", ` +
  `"${a}"."phone" as "phone", "${a}"."email" as "email", "${a}"."employees" as "employees", "${a}"."size" as "size", ` +
  `case when "${a}"."annual_revenue" is null then null else json_build_object('amount', "${a}"."annual_revenue"::text, 'currency', "${a}"."annual_revenue__currency") end as "annual_revenue", ` +
  `"${a}"."postal_code" as "postal_code", "${a}"."region" as "region", "${a}"."city" as "city", "${a}"."street" as "street", ` +
  `"${a}"."country" as "country", "${a}"."owner"::text as "owner", "${a}"."primary_contact"::text as "primary_contact"`;

const SEARCH_DOC =
  `kizuna_norm(coalesce("t"."last_name", '') || coalesce("t"."first_name", '') || coalesce("t"."last_name_kana", '') || ` +
  `coalesce("t"."first_name_kana", '') || coalesce("t"."email", '') || coalesce("t"."phone", '') || coalesce("t"."mobile", '') || ` +
  `coalesce("t"."title", '') || coalesce("t"."postal_code", '') || coalesce("t"."region", '') || coalesce("t"."city", '') || ` +
  `coalesce("t"."street", '') || coalesce("t"."country", ''))`;

export const SQL = {
  get: `select ${CONTACT_COLS('t')} from "contact" as t where t.id = $1::uuid and t.deleted_at is null`,
  listSorted: `select ${CONTACT_COLS('t')}, "t"."score"::text as "__k0", "t"."id"::text as "__k1"
    from "contact" as "t"
    where "t".deleted_at is null and ("t"."lifecycle" = $1::text and "t"."score" >= $2::integer)
    order by "t"."score" desc, "t"."id"
    limit $3`,
  listFiltered: `select ${CONTACT_COLS('t')}, "t"."id"::text as "__k0"
    from "contact" as "t"
    where "t".deleted_at is null and ("t"."lifecycle" = $1::text and "t"."score" >= $2::integer)
    order by "t"."id" desc
    limit $3`,
  countFiltered: `select count(*)::int as n from "contact" as "t" where "t".deleted_at is null and ("t"."lifecycle" = $1::text and "t"."score" >= $2::integer)`,
  listAll: `select ${CONTACT_COLS('t')}, "t"."id"::text as "__k0"
    from "contact" as "t"
    where "t".deleted_at is null
    order by "t"."id" desc
    limit $1`,
  companies: `select ${COMPANY_COLS('r')} from "company" as r where r.id = any(string_to_array($1, ',')::uuid[])`,
  search: `select ${CONTACT_COLS('t')}, "t"."id"::text as "__k0"
    from "contact" as "t"
    where "t".deleted_at is null and (kizuna_grams(${SEARCH_DOC}) @> kizuna_query_grams(kizuna_norm($1::text)) and strpos(${SEARCH_DOC}, kizuna_norm($2::text)) > 0)
    order by "t"."id" desc
    limit $3`,
  insert: `with w as (
      insert into "contact" as t (id, created_by, updated_by, "last_name", "first_name", "last_name_kana", "first_name_kana", "email", "phone", "lifecycle", "score", "company", "do_not_contact") values ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::integer, $12::uuid, $13::boolean)
      returning ${CONTACT_COLS('t')}
    ), h as (insert into kizuna_history (object, record_id, version, action, changes, actor, request_id)
      select $14, w.id::uuid, w.version, $15, $16::jsonb, $17::uuid, $18 from w w),
    e as (insert into kizuna_events (topic, object, record_id, payload)
      select $19, $20, w.id::uuid, jsonb_build_object('id', w.id, 'version', w.version, 'actor', $21::text) from w w)
    select * from w`,
};

// The same time-ordered ids as the platform (a different id scheme would change index locality).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LIFECYCLES = new Set(['lead', 'prospect', 'customer', 'churned']);

const problem = (status: number, title: string, detail?: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

const cursorOf = (sort: string, values: unknown[]) => Buffer.from(JSON.stringify({ s: sort, v: values })).toString('base64url');

export interface HandwrittenOptions {
  url: string;
  schema: string;
  token: string;
  /** The user the API key belongs to (created_by of new rows). */
  actor: string;
  max?: number;
  /** postgres.js prepared statements (default true, as postgres.js itself defaults). */
  prepare?: boolean;
  /**
   * Experiment: set two headers after the handler, as the platform's request-id middleware
   * does; Hono then rebuilds the finished Response (see RESULTS.md).
   */
  lateHeaders?: boolean;
}

export function createHandwritten(opts: HandwrittenOptions) {
  const sql = postgres(opts.url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    connection: { search_path: `${opts.schema},public`, TimeZone: 'UTC' },
  });
  const prepare = opts.prepare ?? true;
  const q = (text: string, params: unknown[]) => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare });
  const app = new Hono();
  const expected = `Bearer ${opts.token}`;

  if (opts.lateHeaders) {
    app.use('*', async (c, next) => {
      await next();
      c.header('x-request-id', randomUUID());
      c.header('x-content-type-options', 'nosniff');
    });
  }

  app.use('/api/*', async (c, next) => {
    if (c.req.header('authorization') !== expected) return problem(401, 'Unauthorized');
    await next();
  });

  app.get('/api/records/contact/:id', async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) return problem(404, 'Not found');
    const [row] = await q(SQL.get, [id]);
    if (!row) return problem(404, 'Not found');
    c.header('ETag', `"${row.version}"`);
    return c.json(row);
  });

  app.get('/api/records/contact', async (c) => {
    const p = c.req.query();
    const limit = p.limit === undefined ? 50 : Number(p.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) return problem(400, 'Bad request', 'limit must be 1-500');
    let lifecycle: string | undefined;
    let minScore: number | undefined;
    if (p.filter) {
      let f: { lifecycle?: unknown; score?: { gte?: unknown } };
      try {
        f = JSON.parse(p.filter);
      } catch {
        return problem(400, 'Bad request', 'filter is not valid JSON');
      }
      if (typeof f.lifecycle !== 'string' || typeof f.score?.gte !== 'number' || !Number.isInteger(f.score.gte)) {
        return problem(400, 'Bad request', 'this server filters on lifecycle and score.gte only');
      }
      lifecycle = f.lifecycle;
      minScore = f.score.gte;
    }
    const search = p.q?.trim();
    let rows: Record<string, unknown>[];
    let sortSig = '-id';
    if (search) {
      if (search.length > 200) return problem(400, 'Bad request', 'q is too long');
      rows = await q(SQL.search, [search, search, limit + 1]);
    } else if (lifecycle !== undefined && p.sort === '-score') {
      rows = await q(SQL.listSorted, [lifecycle, minScore, limit + 1]);
      sortSig = '-score,id';
    } else if (lifecycle !== undefined && !p.sort) {
      rows = await q(SQL.listFiltered, [lifecycle, minScore, limit + 1]);
    } else if (!p.sort) {
      rows = await q(SQL.listAll, [limit + 1]);
    } else {
      return problem(400, 'Bad request', 'unsupported sort');
    }
    const hasMore = rows.length > limit;
    const data = hasMore ? rows.slice(0, limit) : rows;
    const last = data[data.length - 1];
    const keys = sortSig === '-id' ? ['__k0'] : ['__k0', '__k1'];
    const next =
      hasMore && last
        ? cursorOf(
            sortSig,
            keys.map((k) => last[k] ?? null),
          )
        : null;
    for (const r of data) for (const k of keys) delete r[k];
    let total: number | undefined;
    if (p.count === 'exact') {
      const [cnt] = await q(SQL.countFiltered, [lifecycle, minScore]);
      total = Number(cnt.n);
    }
    if (p.include === 'company' && data.length) {
      const ids = [...new Set(data.map((r) => r.company).filter((v): v is string => typeof v === 'string'))];
      if (ids.length) {
        const found = await q(SQL.companies, [ids.join(',')]);
        const byId = new Map(found.map((f) => [f.id as string, f]));
        for (const r of data) if (typeof r.company === 'string') r.company = byId.get(r.company) ?? r.company;
      }
    }
    return c.json({ data, page: { next_cursor: next, has_more: hasMore, ...(total !== undefined && { total }) } });
  });

  app.post('/api/records/contact', async (c) => {
    let b: Record<string, unknown>;
    try {
      b = await c.req.json();
    } catch {
      return problem(400, 'Bad request', 'body is not JSON');
    }
    const str = (v: unknown, max: number) => v === undefined || v === null || (typeof v === 'string' && v.length <= max);
    const ok =
      typeof b === 'object' &&
      b !== null &&
      typeof b.last_name === 'string' &&
      b.last_name.length > 0 &&
      b.last_name.length <= 255 &&
      str(b.first_name, 255) &&
      str(b.last_name_kana, 255) &&
      str(b.first_name_kana, 255) &&
      str(b.phone, 40) &&
      (b.email === undefined || b.email === null || (typeof b.email === 'string' && b.email.length <= 254 && EMAIL.test(b.email))) &&
      (b.lifecycle === undefined || (typeof b.lifecycle === 'string' && LIFECYCLES.has(b.lifecycle))) &&
      (b.score === undefined || b.score === null || Number.isInteger(b.score)) &&
      (b.company === undefined || b.company === null || (typeof b.company === 'string' && UUID.test(b.company)));
    if (!ok) return problem(422, 'Validation failed');
    const values = {
      last_name: b.last_name,
      first_name: b.first_name ?? null,
      last_name_kana: b.last_name_kana ?? null,
      first_name_kana: b.first_name_kana ?? null,
      email: b.email ?? null,
      phone: b.phone ?? null,
      lifecycle: b.lifecycle ?? 'lead',
      score: b.score ?? null,
      company: b.company ?? null,
      do_not_contact: false,
    };
    const id = uuidv7();
    const actor = opts.actor;
    try {
      const [row] = await q(SQL.insert, [
        id,
        actor,
        actor,
        values.last_name,
        values.first_name,
        values.last_name_kana,
        values.first_name_kana,
        values.email,
        values.phone,
        values.lifecycle,
        values.score,
        values.company,
        values.do_not_contact,
        'contact',
        'create',
        JSON.stringify(values),
        actor,
        randomUUID(),
        'record.created',
        'contact',
        actor,
      ]);
      c.header('ETag', `"${row.version}"`);
      c.header('Location', `/api/records/contact/${row.id}`);
      return c.json(row, 201);
    } catch (e) {
      if ((e as { code?: string }).code === '23503') return problem(422, 'Validation failed', 'no such company');
      throw e;
    }
  });

  app.notFound(() => problem(404, 'Not found'));
  app.onError((e) => {
    console.error(e);
    return problem(500, 'Internal server error');
  });

  return { app, close: () => sql.end({ timeout: 5 }) };
}
