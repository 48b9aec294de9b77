// The physical layout an object needs: columns, indexes, foreign keys, sequences. The
// migrator diffs two layouts; it never looks at metadata any other way.
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { indexNames, matchKeys, physicalName, searchSql, SEARCH_COLUMN, type ColumnSpec, type ObjectModel } from '../model/index.ts';

export interface IndexLayout {
  name: string;
  field?: string;
  /** A composite index's fields (spec.indexes): rebuilt when a formula among them is recomputed. */
  fields?: string[];
  unique: boolean;
  create: SQL;
  /** The same index built without blocking writes (outside a transaction, PostgreSQL only). */
  createConcurrently: SQL;
  /** Rendered create statement: two layouts agree on an index when the keys are equal. */
  key: string;
}

export interface ForeignKeyLayout {
  name: string;
  field: string;
  column: string;
  references: string;
}

export interface TableLayout {
  table: string;
  columns: (ColumnSpec & { field: string })[];
  indexes: IndexLayout[];
  foreignKeys: ForeignKeyLayout[];
  sequences: { name: string; field: string }[];
}

const dialect = new PgDialect();
export const renderSql = (q: SQL) => dialect.sqlToQuery(q).sql;
const id = sql.identifier;

/** `body` is everything after `on`: `"table" using gin (...)`. */
function index(name: string, body: SQL, opts: { field?: string; fields?: string[]; unique?: boolean } = {}): IndexLayout {
  const unique = opts.unique ?? false;
  const kind = sql.raw(unique ? 'create unique index' : 'create index');
  const create = sql`${kind} if not exists ${id(name)} on ${body}`;
  return {
    name,
    field: opts.field,
    ...(opts.fields && { fields: opts.fields }),
    unique,
    create,
    createConcurrently: sql`${kind} concurrently if not exists ${id(name)} on ${body}`,
    key: renderSql(create),
  };
}

export function layoutOf(model: ObjectModel): TableLayout {
  const t = model.table;
  const layout: TableLayout = { table: t, columns: [], indexes: [], foreignKeys: [], sequences: [] };
  for (const f of model.fieldList) {
    for (const c of f.type.columns(f.spec)) layout.columns.push({ ...c, field: f.name });
    const s = f.spec;
    if (s.unique) {
      // Unique among live records: a record in the trash does not hold its value hostage.
      const name = indexNames.unique(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} (${id(f.name)}) where deleted_at is null`, { field: f.name, unique: true }));
    }
    if (s.type === 'relation' || s.type === 'user') {
      const name = indexNames.btree(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} (${id(f.name)})`, { field: f.name }));
      layout.foreignKeys.push({
        name: indexNames.foreignKey(t, f.name),
        field: f.name,
        column: f.name,
        references: s.type === 'user' ? 'kizuna_users' : s.target!,
      });
    } else if (s.type === 'multi_select') {
      // Left with the default fastupdate: changing it would rebuild every existing multi_select
      // index, and nothing looks option values up while an import writes them.
      const name = indexNames.btree(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} using gin (${id(f.name)})`, { field: f.name }));
    } else if (s.type === 'tags' || (s.type === 'json' && s.indexed)) {
      // Keys looked up while they are written (a plugin checking an import batch against the
      // rows before it): without fastupdate every insert goes into the tree at once. With it,
      // imports (gin_pending_list_limit raised) leave them in GIN's pending list, which each
      // look-up reads whole — the planner then prefers a full scan (measured: 7 ms against
      // 0.05 ms on 12k contacts, growing with the import). Tags are always indexed: has_any is
      // their look-up, and text[]'s && is answered by the index without a row recheck.
      const name = indexNames.btree(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} using gin (${id(f.name)}) with (fastupdate = off)`, { field: f.name }));
    } else if ((s.indexed || s.type === 'autonumber') && !s.unique) {
      const name = indexNames.btree(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} (${id(f.name)})`, { field: f.name }));
    }
    if (s.type === 'email' && (s.indexed || s.unique)) {
      // Emails match without case or surrounding spaces (an import's upsert_on, the single
      // upsert): without this index each lookup reads the whole table. Not partial: with stale
      // statistics (right after a bulk load) the planner took a small `where deleted_at is null`
      // index as the cheap way to every live row, and sorted the table for each page.
      const name = indexNames.emailKey(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} (${matchKeys.email.sql(sql`${id(f.name)}`)})`, { field: f.name }));
    }
    if (s.type === 'phone' && (s.indexed || s.unique)) {
      // Phones match as E.164 (model/match-keys.ts): the same lookup by the key's expression.
      const name = indexNames.phoneKey(t, f.name);
      layout.indexes.push(index(name, sql`${id(t)} (${matchKeys.phone.sql(sql`${id(f.name)}`)})`, { field: f.name }));
    }
    if (s.type === 'autonumber' && s.sequence) layout.sequences.push({ name: s.sequence, field: f.name });
  }
  for (const ix of model.spec.indexes ?? []) {
    // Live records only, with the id tie-break every sort ends with, so a filtered, sorted
    // page is an index range scan in order: no sort step, no reading past the page.
    const names = ix.fields.map((f) => f.replace(/^-/, ''));
    const cols = ix.fields.map((f) => sql`${id(f.replace(/^-/, ''))}${sql.raw(f.startsWith('-') ? ' desc' : '')}`);
    const name = physicalName([t, ...ix.fields.map((f) => (f.startsWith('-') ? `${f.slice(1)}_desc` : f))], 'ix');
    layout.indexes.push(
      index(name, sql`${id(t)} (${sql.join(names.includes('id') ? cols : [...cols, sql`id`], sql`, `)}) where deleted_at is null`, {
        fields: names,
      }),
    );
  }
  if (model.searchFields.length > 0) {
    layout.columns.push({ name: SEARCH_COLUMN, type: renderSql(searchSql.columnType(model.searchFields)), field: SEARCH_COLUMN });
    const name = indexNames.search(t);
    layout.indexes.push(index(name, sql`${id(t)} using gin ((${searchSql.indexExpression()}))`, { field: SEARCH_COLUMN }));
  }
  return layout;
}

/** The system columns every record table starts with. */
export const createTableSql = (table: string) => sql`create table if not exists ${id(table)} (
  id uuid primary key,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  version integer not null default 1,
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz(3),
  deleted_by uuid
)`;
