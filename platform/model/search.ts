// Full-text search that works for Japanese as well as English, including 1–2 character
// queries (田中) that pg_trgm's trigram index cannot serve (see STACK.md).
//
// Each object gets one GIN expression index over the unigrams and bigrams of a normalized
// "search document" (its searchable fields concatenated). A query is normalized the same way,
// its bigrams (or its one character) must all be in the row's grams (index), and the row is
// rechecked with strpos on the document, so results are exact substring matches.
// Normalization: NFKC (ｶﾀｶﾅ → カタカナ, ＡＢＣ → ABC), lower case, hiragana → katakana so やまだ
// finds ヤマダ, and white space removed so "山田 太郎" and "yamada taro" find 山田太郎 / YamadaTaro
// across the last-name/first-name boundary; hyphens, dashes, dots and brackets between digits
// are removed too, so a phone number is found as typed with or without them (7777-6666,
// 77776666, 03(7777)6666 all find 03-7777-6666). It is an expression index, so no column is
// added and changing the searchable fields rebuilds only the index, never the table.
import { sql, type SQL } from 'drizzle-orm';
import type { FieldModel } from './compile.ts';

const HIRAGANA =
  'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ';
const KATAKANA =
  'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ';

/**
 * What joins the digits of a phone number or a code (after NFKC: a full-width hyphen or
 * bracket is ASCII by then): hyphen-minus, the Unicode hyphens and dashes, the minus sign,
 * dots and brackets — never the katakana long vowel mark ー. Removed between two digits only.
 */
const DIGIT_JOINERS = '([0-9])[-\u2010-\u2015\u2212().]+(?=[0-9])';

/** Idempotent DDL for the search functions (IMMUTABLE, so usable in index expressions). */
export const searchFunctionsDdl: string[] = [
  `create or replace function kizuna_norm(t text) returns text
language sql immutable parallel safe as $$
  select regexp_replace(regexp_replace(translate(lower(normalize(coalesce(t, ''), NFKC)), '${HIRAGANA}', '${KATAKANA}'), '\\s+', '', 'g'),
    '${DIGIT_JOINERS}', '\\1', 'g')
$$`,
  `create or replace function kizuna_grams(t text) returns text[]
language sql immutable parallel safe as $$
  select coalesce(array_agg(distinct g), '{}') from (
    select substr(t, i, 1) as g from generate_series(1, length(t)) as i
    union all
    select substr(t, i, 2) from generate_series(1, length(t) - 1) as i
  ) s
$$`,
  `create or replace function kizuna_query_grams(t text) returns text[]
language sql immutable parallel safe as $$
  select case when length(t) <= 1 then array[t]
    else (select array_agg(distinct substr(t, i, 2)) from generate_series(1, length(t) - 1) as i) end
$$`,
];

/**
 * The grams as the index keeps them now: bigrams of the whole document, unigrams only of its
 * non-ASCII characters. ASCII unigrams were half of all keys of a contact (its email and phone)
 * and serve only one-character ASCII queries ("a", "7"), which match most rows anyway; those
 * now ask for no gram (kizuna_query_grams) and are answered by the exact strpos recheck alone.
 * With half the keys, and keys compared bytewise (the index is COLLATE "C", see searchSql),
 * maintaining the index costs about half as much (bench/RESULTS.md). An index built with the
 * earlier grams holds a superset of these keys, so it answers every query correctly until
 * upgradeLayouts rebuilds it. The bigrams go into a preallocated array (an append per
 * character copied the whole array: 22 → 14 µs per contact document).
 */
export const searchGramsDdl = `create or replace function kizuna_grams(t text) returns text[]
language plpgsql immutable parallel safe as $$
declare
  u text[];
  b text[];
  n int;
begin
  if t is null then return '{}'; end if;
  u := string_to_array(t, null);
  n := cardinality(u);
  if n < 2 then return case when t ~ '^[\\x01-\\x7f]?$' then '{}' else u end; end if;
  b := array_fill(null::text, array[n - 1]);
  for i in 1 .. n - 1 loop b[i] := u[i] || u[i + 1]; end loop;
  return string_to_array(regexp_replace(t, '[\\x01-\\x7f]+', '', 'g'), null) || b;
end $$`;

/**
 * The grams a query needs: its bigrams, or its one character — none for one ASCII character.
 * At most 8 bigrams, evenly spaced from the start: every bigram a GIN scan is given costs a walk
 * of its posting list, and a whole e-mail address's 35 included ones in nearly every row ("co",
 * "jp", digits of phones) — 160–200 ms on 1M contacts against 30–60 ms for 7–10 of them. Fewer
 * grams only widen the candidates; the strpos recheck keeps the answer exact.
 */
export const queryGramsDdl = `create or replace function kizuna_query_grams(t text) returns text[]
language sql immutable parallel safe as $$
  select case when length(t) <= 1 then case when t ~ '^[\\x01-\\x7f]?$' then '{}'::text[] else array[t] end
    else (select array_agg(distinct substr(t, i, 2)) from generate_series(1, length(t) - 1) as i
      where length(t) <= 9 or (i - 1) % ceil((length(t) - 1) / 8.0)::int = 0) end
$$`;

/**
 * kizuna_norm again, in PL/pgSQL, with the same result: translate() walks its 90-character
 * kana lists for every character of the text (~20 µs per contact, most of a contact insert's
 * search cost), so it runs only when there is hiragana to convert; normalize() runs only on
 * text not already in NFKC. 21 → 4 µs per document on this machine (bench/RESULTS.md).
 * search.test.ts checks it against the SQL definition above on real Japanese text.
 */
export const fastNormDdl = `create or replace function kizuna_norm(t text) returns text
language plpgsql immutable parallel safe as $$
declare
  k text;
begin
  if t is null then return ''; end if;
  k := lower(case when t is nfkc normalized then t else normalize(t, NFKC) end);
  if k ~ '[${HIRAGANA[0]}-${HIRAGANA[HIRAGANA.length - 1]}]' then k := translate(k, '${HIRAGANA}', '${KATAKANA}'); end if;
  k := regexp_replace(k, '\\s+', '', 'g');
  if k ~ '[0-9][^0-9]+[0-9]' then k := regexp_replace(k, '${DIGIT_JOINERS}', '\\1', 'g'); end if;
  return k;
end $$`;

/** The normalized search document of a row; `col` qualifies columns (or not, for the index). */
function searchDocument(fields: FieldModel[], col: (f: FieldModel) => SQL): SQL {
  const parts = fields.map((f) => sql`coalesce(${col(f)}, '')`);
  return sql`kizuna_norm(${sql.join(parts, sql` || `)})`;
}

/**
 * The normalized document is a stored generated column, so the exact-substring recheck of
 * each candidate row is a strpos on stored text instead of re-normalizing every field (which
 * made q take seconds on a million rows). Changing the searchable fields rewrites that column;
 * adding a field to an object leaves the search alone unless asked (see metaOps.addField).
 */
export const SEARCH_COLUMN = '__search';

export const searchSql = {
  /** The generated column's type and expression, columns unqualified. */
  columnType: (fields: FieldModel[]) =>
    sql`text generated always as (${searchDocument(fields, (f) => sql`${sql.identifier(f.name)}`)}) stored`,
  /** Index expression: grams of the stored document, compared bytewise (no collation rules to apply per key). */
  indexExpression: () => sql`(kizuna_grams(${sql.identifier(SEARCH_COLUMN)}) collate "C")`,
  /** WHERE condition for q on table alias `alias`. */
  condition(_fields: FieldModel[], alias: string, q: string, recheckFields?: FieldModel[]): SQL {
    const doc = sql`${sql.identifier(alias)}.${sql.identifier(SEARCH_COLUMN)}`;
    const recheck = recheckFields ? searchDocument(recheckFields, (f) => f.col(alias)()) : doc;
    // A one-character ASCII query asks for no gram, and `grams @> '{}'` is true of every row but
    // still computes each row's grams (14 µs a contact): said as `'{}' = grams(q) or …`, it is
    // folded away when the statement is planned with its value (query/planPerCall).
    const grams = sql`kizuna_query_grams(kizuna_norm(${q}::text))`;
    return sql`((${grams} = '{}' or (kizuna_grams(${doc}) collate "C") @> ${grams}) and strpos(${recheck}, kizuna_norm(${q}::text)) > 0)`;
  },
};
