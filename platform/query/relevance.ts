// Relevance order for `q` (issue 17): a record whose name or a searchable value equals the
// query (normalized) first, then one where such a text starts with it, then the other substring
// matches, newest first within a rank. Shared by the records list (no explicit `sort`) and the
// global search, so both rank the same way.
//
// Ranking sorts its candidates, and a common query ("a", 田) matches most of a table: ranks are
// taken among the newest RELEVANCE_WINDOW matches only (one index-ordered read that stops there),
// and the matches older than that window follow, newest first. A list's cursor names the window's
// oldest id, so every page of one listing sees the same window and every match comes once.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { displayFieldNames, type FieldModel, type ObjectModel } from '../model/index.ts';
import { badRequest } from '../problems/index.ts';

/** How good a hit is: 0 exact, 1 prefix, 2 substring. */
export type SearchRank = 0 | 1 | 2;

/** How many of the newest matches are ranked; older ones follow unranked, newest first. */
export const RELEVANCE_WINDOW = 1000;

/** Past the window: the rank a cursor carries for the unranked rest. */
export const UNRANKED = 3;

const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,62})\}/g;

/** The raw text of a display template (its fields in its order), over readable fields only. */
function templateText(template: string, fields: Map<string, FieldModel>, alias: string): SQL | undefined {
  const parts = [...template.matchAll(PLACEHOLDER)].flatMap((m) => {
    const f = fields.get(m[1]);
    return f ? [sql`coalesce(${f.col(alias)()}::text, '')`] : [];
  });
  return parts.length ? sql.join(parts, sql` || `) : undefined;
}

/** The texts a hit is ranked on, not yet normalized: the record's name in each language and each searchable value. */
function rankedTexts(model: ObjectModel, readable: FieldModel[], alias: string): SQL[] {
  const byName = new Map(readable.map((f) => [f.name, f]));
  const names = model.spec.display
    ? [templateText(model.spec.display.en, byName, alias), templateText(model.spec.display.ja, byName, alias)]
    : displayFieldNames(model.spec).map((n) => templateText(`{${n}}`, byName, alias));
  const values = readable.filter((f) => f.spec.searchable).map((f) => sql`coalesce(${f.col(alias)()}::text, '')`);
  return [...names.filter((n): n is SQL => n !== undefined), ...values];
}

/**
 * The rank of a row on `alias` for `q`, over the fields the caller may read. The texts are
 * normalized in one call, joined by U+0001 and split again: kizuna_norm is a PL/pgSQL call, and
 * nine calls per contact (two display names, seven searchable fields) were most of the cost of
 * ranking 1,000 candidates. U+0001 survives the normalization (NFKC leaves it alone, it is not
 * white space, not a digit joiner, and no mark composes across it); a value that holds U+0001
 * itself is split there, which can only rank its parts, never hide the row.
 */
export function rankSql(model: ObjectModel, readable: FieldModel[], alias: string, q: string): SQL {
  const texts = rankedTexts(model, readable, alias);
  if (!texts.length) return sql`2`;
  const nq = sql`kizuna_norm(${q}::text)`;
  return sql`(select coalesce(min(case when x = ${nq} then 0 when starts_with(x, ${nq}) then 1 else 2 end), 2)
    from unnest(string_to_array(kizuna_norm(concat_ws(chr(1), ${sql.join(texts, sql`, `)})), chr(1))) as x)`;
}

/** Where the next page of a relevance-ordered list starts. */
export interface RelevanceCursor {
  /** The oldest id of the ranked window, or null when every match was ranked. */
  window: string | null;
  /** The last row's rank (UNRANKED past the window). */
  rank: number;
  id: string;
}

const SIGNATURE = '~relevance';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeRelevanceCursor = (c: RelevanceCursor): string =>
  Buffer.from(JSON.stringify({ s: SIGNATURE, w: c.window, r: c.rank, v: c.id })).toString('base64url');

export function decodeRelevanceCursor(cursor: string): RelevanceCursor {
  let p: { s?: unknown; w?: unknown; r?: unknown; v?: unknown } | undefined;
  try {
    p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('The cursor is not valid', [{ field: 'cursor', message: 'is not a cursor this API issued' }]);
  }
  const ok =
    p?.s === SIGNATURE &&
    (p.w === null || (typeof p.w === 'string' && UUID.test(p.w))) &&
    typeof p.r === 'number' &&
    Number.isInteger(p.r) &&
    p.r >= 0 &&
    p.r <= UNRANKED &&
    typeof p.v === 'string' &&
    UUID.test(p.v);
  if (!ok)
    throw badRequest('The cursor does not belong to this sort', [
      { field: 'cursor', message: 'was issued for a search ordered by relevance with no sort, or is damaged' },
    ]);
  return { window: p!.w as string | null, rank: p!.r as number, id: p!.v as string };
}

/** What a relevance page needs from the list: the table, its WHERE (filter, scope, q) and the select list. */
export interface RelevanceSource {
  table: SQLWrapper;
  alias: string;
  where: SQL;
  select: SQL;
  rank: SQL;
}

type Row = Record<string, unknown>;
type Query = (q: SQL) => Promise<Row[]>;

/**
 * One page (`limit` + 1 rows, to tell whether there are more) in relevance order, each row with
 * its `__rank`, and the window it was taken from. The first page reads the newest
 * RELEVANCE_WINDOW matches by id (the index order the list already had) and ranks those; later
 * pages continue in the same window (`id >= window`) and then past it, by id.
 */
export async function relevancePage(
  query: Query,
  src: RelevanceSource,
  limit: number,
  cursor: RelevanceCursor | undefined,
  windowSize = RELEVANCE_WINDOW,
): Promise<{ rows: Row[]; window: string | null }> {
  const a = sql.identifier(src.alias);
  const want = limit + 1;
  // Ids and ranks first, the select list only for the page's rows (formatting the whole window
  // was a fifth of a common query's time).
  const ranked = sql`select ${a}.id as __id, ${src.rank} as __rank from ${src.table} as ${a} where ${src.where}`;
  const page = (ids: SQL, extra: SQL = sql``) =>
    query(sql`select ${src.select}, p.__rank ${extra} from (${ids}) p join ${src.table} as ${a} on ${a}.id = p.__id
      order by p.__rank, p.__id desc`);
  let rows: Row[];
  let window: string | null;
  let after: string | null; // where the unranked rest continues (an id), when the window is full
  if (!cursor) {
    rows = await page(
      sql`select w.*, count(*) over () as __n, min(w.__id::text collate "C") over () as __w from (
        ${ranked} order by ${a}.id desc limit ${windowSize}
      ) w order by w.__rank, w.__id desc limit ${want}`,
      sql`, p.__n, p.__w`,
    );
    window = rows.length > 0 && Number(rows[0].__n) >= windowSize ? String(rows[0].__w) : null;
    after = window;
    for (const r of rows) {
      delete r.__n;
      delete r.__w;
    }
  } else {
    window = cursor.window;
    after = cursor.rank < UNRANKED ? window : cursor.id;
    rows =
      cursor.rank < UNRANKED
        ? await page(sql`select * from (
            ${ranked} ${window === null ? sql`` : sql`and ${a}.id >= ${window}::uuid`}
          ) w where w.__rank > ${cursor.rank} or (w.__rank = ${cursor.rank} and w.__id < ${cursor.id}::uuid)
          order by w.__rank, w.__id desc limit ${want}`)
        : [];
  }
  if (rows.length < want && window !== null && after !== null) {
    const rest = await query(sql`select ${src.select}, ${UNRANKED}::int as __rank from ${src.table} as ${a}
      where ${src.where} and ${a}.id < ${after}::uuid order by ${a}.id desc limit ${want - rows.length}`);
    rows = [...rows, ...rest];
  }
  return { rows, window };
}
