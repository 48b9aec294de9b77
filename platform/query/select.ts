// The SELECT list of a record in API shape: every value cast in SQL to a JSON-friendly,
// driver-independent form (ISO timestamps, decimal strings, uuid text).
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { FieldModel, ObjectModel } from '../model/index.ts';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const a = (alias: string, col: string) => sql`${sql.identifier(alias)}.${sql.identifier(col)}`;
const iso = (e: SQL) => sql`to_char(${e} at time zone 'UTC', ${sql.raw(ISO)})`;

export function systemColumns(alias: string, opts: { trashed?: boolean } = {}): SQL[] {
  const cols = [
    sql`${a(alias, 'id')}::text as id`,
    sql`${iso(a(alias, 'created_at'))} as created_at`,
    sql`${iso(a(alias, 'updated_at'))} as updated_at`,
    sql`${a(alias, 'version')} as version`,
    sql`${a(alias, 'created_by')}::text as created_by`,
    sql`${a(alias, 'updated_by')}::text as updated_by`,
  ];
  if (opts.trashed) cols.push(sql`${iso(a(alias, 'deleted_at'))} as deleted_at`);
  return cols;
}

// Built once per compiled model (so per metadata version), alias and field set: every get and
// list of an object asks for the same few lists.
const cache = new WeakMap<ObjectModel, Map<string, SQL>>();
const dialect = new PgDialect();

export function selectList(model: ObjectModel, alias: string, fields?: FieldModel[], opts: { trashed?: boolean } = {}): SQL {
  const list = fields ?? model.fieldList;
  const key = `${alias}|${opts.trashed ? 1 : 0}|${list === model.fieldList ? '*' : list.map((f) => f.name).join(',')}`;
  let byKey = cache.get(model);
  if (!byKey) cache.set(model, (byKey = new Map()));
  let built = byKey.get(key);
  if (!built) {
    const parts = [...systemColumns(alias, opts)];
    for (const f of list) parts.push(sql`${f.type.read(f.col(alias))} as ${sql.identifier(f.name)}`);
    built = sql.join(parts, sql`, `);
    // Rendered once: a select list binds no values (identifiers and casts only), and walking
    // its ~30 fragments on every request was a quarter of a get's server CPU.
    const rendered = dialect.sqlToQuery(built);
    if (rendered.params.length === 0) built = sql.raw(rendered.sql);
    if (byKey.size < 200) byKey.set(key, built);
  }
  return built;
}
