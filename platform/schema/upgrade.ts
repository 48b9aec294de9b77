// Brings tables made by earlier versions of the layout up to date on start: the stored search
// document (before it, the search index was an expression over the fields), and the search
// index in its COLLATE "C" form over the grams without ASCII unigrams (search.ts). Each runs
// once per table: what it looks for is gone afterwards.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { indexNames, searchSql, SEARCH_COLUMN, type ObjectModel } from '../model/index.ts';
import { layoutOf } from './layout.ts';
import { METADATA_LOCK } from './lock.ts';

export async function upgradeLayouts(db: Database, models: Iterable<ObjectModel>): Promise<string[]> {
  const all = [...models];
  const upgraded: string[] = [];
  const wanting = all.filter((m) => m.searchFields.length > 0);
  const present = new Set(
    (
      await db.query<{ table: string }>(sql`select c.table_name as table from information_schema.columns c
      where c.table_schema = current_schema() and c.column_name = ${SEARCH_COLUMN}`)
    ).map((r) => r.table),
  );
  for (const m of wanting) {
    if (present.has(m.table)) continue;
    await db.transaction(async (tx) => {
      await tx.query(sql`select pg_advisory_xact_lock(${METADATA_LOCK}::int, hashtext(current_schema()))`);
      const t = sql.identifier(m.table);
      const idx = sql.identifier(indexNames.search(m.table));
      await tx.query(sql`drop index if exists ${idx}`);
      await tx.query(
        sql`alter table ${t} add column if not exists ${sql.identifier(SEARCH_COLUMN)} ${searchSql.columnType(m.searchFields)}`,
      );
      await tx.query(sql`create index if not exists ${idx} on ${t} using gin ((${searchSql.indexExpression()}))`);
    });
    upgraded.push(m.table);
  }
  for (const table of await addMissingIndexes(db, all)) if (!upgraded.includes(table)) upgraded.push(table);
  // Search indexes of the earlier form answer correctly (their keys are a superset) but cost
  // twice as much to maintain: rebuilt once, under the metadata lock (writes to the table wait
  // for the build — about 45 s for a million contacts on a small machine, once).
  const stale = new Set(
    // Only this schema's indexes reach pg_get_indexdef (the materialized CTE keeps the planner
    // from testing the definition first): on another schema's index dropped meanwhile it fails
    // with "could not open relation" — seen when tests start and drop schemas side by side.
    (
      await db.query<{ name: string }>(sql`with mine as materialized (
        select c.oid, c.relname from pg_class c where c.relnamespace = current_schema()::regnamespace and c.relkind = 'i' and c.relname like '%search_idx'
      ) select relname as name from mine where pg_get_indexdef(oid) not like '%COLLATE "C"%'`)
    ).map((r) => r.name),
  );
  for (const m of wanting) {
    const name = indexNames.search(m.table);
    if (!stale.has(name)) continue;
    await db.transaction(async (tx) => {
      await tx.query(sql`select pg_advisory_xact_lock(${METADATA_LOCK}::int, hashtext(current_schema()))`);
      const idx = sql.identifier(name);
      await tx.query(sql`drop index if exists ${idx}`);
      await tx.query(sql`create index ${idx} on ${sql.identifier(m.table)} using gin ((${searchSql.indexExpression()}))`);
    });
    if (!upgraded.includes(m.table)) upgraded.push(m.table);
  }
  return upgraded;
}

/**
 * Indexes a newer layout has that a table made earlier lacks (e.g. an email field's
 * lower(btrim()) index): built once on start, under the metadata lock.
 */
async function addMissingIndexes(db: Database, models: ObjectModel[]): Promise<string[]> {
  const present = new Set(
    (await db.query<{ name: string }>(sql`select indexname as name from pg_indexes where schemaname = current_schema()`)).map(
      (r) => r.name,
    ),
  );
  const added: string[] = [];
  for (const m of models) {
    const missing = layoutOf(m).indexes.filter((i) => !present.has(i.name));
    if (!missing.length) continue;
    await db.transaction(async (tx) => {
      await tx.query(sql`select pg_advisory_xact_lock(${METADATA_LOCK}::int, hashtext(current_schema()))`);
      for (const i of missing) await tx.query(i.create);
    });
    added.push(m.table);
  }
  return added;
}
