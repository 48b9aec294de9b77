// One object's part of the global search (GET /api/search): the records list's `q` match under
// the caller's read scope, ranked so that a record named exactly what was typed comes first,
// then names and searchable values that start with it, then the other substring matches.
import { sql, type SQL } from 'drizzle-orm';
import { planPerCall, type Executor } from '../db/index.ts';
import type { FieldModel, ObjectModel } from '../model/index.ts';
import type { FilterContext } from './filter.ts';
import { readableFields } from './access.ts';
import { listConditions } from './list.ts';
import { selectList } from './select.ts';
import { rankSql, RELEVANCE_WINDOW, type SearchRank } from './relevance.ts';

export type { SearchRank };

export interface SearchHit {
  row: Record<string, unknown>;
  rank: SearchRank;
}

/** Ranking sorts every candidate, so it looks at the newest matches only (see relevance.ts). */
export const SEARCH_CANDIDATES = RELEVANCE_WINDOW;

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
  const rows = await planPerCall(db).query(sql`select * from (
      select ${selectList(model, 'c', visible)}, ${rankSql(model, readable, 'c', q)} as __rank
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
