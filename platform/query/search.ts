// One object's part of the global search (GET /api/search): the records list's `q` match under
// the caller's read scope, ranked so that a record named exactly what was typed comes first,
// then names and searchable values that start with it, then the other substring matches.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { displayFieldNames, type FieldModel, type ObjectModel } from '../model/index.ts';
import type { FilterContext } from './filter.ts';
import { readableFields } from './access.ts';
import { listConditions } from './list.ts';
import { selectList } from './select.ts';

/** How good a hit is: 0 exact, 1 prefix, 2 substring. */
export type SearchRank = 0 | 1 | 2;

export interface SearchHit {
  row: Record<string, unknown>;
  rank: SearchRank;
}

/**
 * Ranking sorts every candidate, so it looks at the newest matches only: a one-letter query
 * matches most rows, and the ranking must not make it a scan of the whole table.
 */
export const SEARCH_CANDIDATES = 1000;

const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,62})\}/g;

/** The normalized text of a display template (its fields in its order), over readable fields only. */
function templateDoc(template: string, fields: Map<string, FieldModel>, alias: string): SQL | undefined {
  const parts = [...template.matchAll(PLACEHOLDER)].flatMap((m) => {
    const f = fields.get(m[1]);
    return f ? [sql`coalesce(${f.col(alias)()}::text, '')`] : [];
  });
  return parts.length ? sql`kizuna_norm(${sql.join(parts, sql` || `)})` : undefined;
}

/** The normalized texts a hit is ranked on: the record's name in each language and each searchable value. */
function rankedTexts(model: ObjectModel, readable: FieldModel[], alias: string): SQL[] {
  const byName = new Map(readable.map((f) => [f.name, f]));
  const names = model.spec.display
    ? [templateDoc(model.spec.display.en, byName, alias), templateDoc(model.spec.display.ja, byName, alias)]
    : displayFieldNames(model.spec).map((n) => templateDoc(`{${n}}`, byName, alias));
  const values = readable.filter((f) => f.spec.searchable).map((f) => sql`kizuna_norm(${f.col(alias)()}::text)`);
  return [...names.filter((n): n is SQL => n !== undefined), ...values];
}

function rankSql(texts: SQL[], q: string): SQL {
  const nq = sql`kizuna_norm(${q}::text)`;
  if (!texts.length) return sql`2`;
  const any = (test: (t: SQL) => SQL) => sql.join(texts.map(test), sql` or `);
  return sql`case when ${any((t) => sql`${t} = ${nq}`)} then 0 when ${any((t) => sql`starts_with(${t}, ${nq})`)} then 1 else 2 end`;
}

/**
 * Up to `limit` hits of `q` in one object the caller may read (checked by the caller), best
 * first, newest first within a rank; one more is asked for to tell whether there are more.
 * Only the given fields are selected (the display fields), and only those the caller may read.
 */
export async function searchObject(
  db: Executor,
  model: ObjectModel,
  q: string,
  limit: number,
  ctx: FilterContext,
  fields: FieldModel[],
): Promise<{ hits: SearchHit[]; hasMore: boolean }> {
  const readable = readableFields(model, ctx.access);
  const visible = fields.filter((f) => readable.includes(f));
  const where = sql.join(listConditions(model, { q, trashed: false }, 'c', ctx), sql` and `);
  const rows = await db.query(sql`select * from (
      select ${selectList(model, 'c', visible)}, ${rankSql(rankedTexts(model, readable, 'c'), q)} as __rank
      from ${sql.identifier(model.table)} as c where ${where}
      order by c.id desc limit ${SEARCH_CANDIDATES}
    ) s order by s.__rank, s.id desc limit ${limit + 1}`);
  const hits = rows.slice(0, limit).map((row) => {
    const rank = Number(row.__rank) as SearchRank;
    delete row.__rank;
    return { row, rank };
  });
  return { hits, hasMore: rows.length > limit };
}
