// How a key of upsert_on is compared with live records: as people mean the value, the way the
// dedupe plugin normalizes the same kinds of value. Emails: no case, no surrounding spaces
// (full-width forms were folded by NFKC when written or imported). Phones: the number in
// E.164 form, read as a Japanese number when written without a country code, so
// "03-1234-5678", "０３（１２３４）５６７８" and "+81 3-1234-5678" are one key. Each kind has a
// SQL twin over the stored column, so a batch's keys match in one statement, and an index on
// that expression (schema/layout.ts, for indexed or unique fields) serves the lookup.
// Other field types match by equality.
import { sql, type SQL } from 'drizzle-orm';

export interface MatchKey {
  /** The key of a value given in a request or a file; null when it has none. */
  of(value: unknown): string | null;
  /** The same key computed from a stored column. */
  sql(column: SQL): SQL;
  /**
   * A cheap condition every stored value with this key meets, for one lookup on an unindexed
   * field: PostgreSQL checks it before the key (cheaper qualifications first), so the key is
   * computed for a few candidate rows instead of the whole table.
   */
  narrow?(column: SQL, key: string): SQL | undefined;
}

/** E.164 of a phone number as written; Japanese (+81) when it has no country code. */
export function phoneKey(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // "+81 (0)3…": the trunk prefix in brackets is written after a country code, not dialled.
  const text = value.normalize('NFKC').trim().replaceAll('(0)', '');
  const digits = text.replace(/[^0-9]/g, '');
  if (!digits) return null;
  if (text.startsWith('+')) return `+${digits}`;
  return `+81${digits.startsWith('0') ? digits.slice(1) : digits}`;
}

export const matchKeys: Record<string, MatchKey> = {
  email: { of: (v) => (typeof v === 'string' ? v.normalize('NFKC').trim().toLowerCase() : null), sql: (col) => sql`lower(btrim(${col}))` },
  phone: {
    of: phoneKey,
    sql: (col) => sql`kizuna_phone_key(${col})`,
    // Text of only ASCII digits and + - ( ) . space, without "(0)", has its key's digits in
    // order after the separators are dropped: so its last four digits are the key's. Anything
    // else (full-width digits, other characters, "(0)") is left to the key itself.
    narrow: (col, key) =>
      key.length >= 8
        ? sql`(${col} ~ '[^0-9 ()+.-]' or strpos(${col}, '(0)') > 0 or right(translate(${col}, ' -().+', ''), 4) = ${key.slice(-4)})`
        : undefined,
  },
};

/**
 * phoneKey in SQL (IMMUTABLE, for expression indexes; the same result for every text:
 * match-keys.test.ts). PL/pgSQL, not a SQL function: a SQL function with a FROM clause is not
 * inlined and costs ~6 µs a call, this ~1.4 µs — what a match on an unindexed phone field pays
 * for every row of the table. NFKC only for non-ASCII text, regexp only for unusual characters.
 */
export const phoneKeyDdl = `create or replace function kizuna_phone_key(p text) returns text
language plpgsql immutable parallel safe as $$
declare t text; d text;
begin
  if p is null then return null; end if;
  t := case when p ~ '[^\x01-\x7f]' then normalize(p, NFKC) else p end;
  t := replace(btrim(t, E' \t\n\r'), '(0)', '');
  d := translate(t, ' -().+', '');
  if d !~ '^[0-9]*$' then d := regexp_replace(t, '[^0-9]', '', 'g'); end if;
  if d = '' then return null; end if;
  if left(t, 1) = '+' then return '+' || d; end if;
  if left(d, 1) = '0' then return '+81' || substr(d, 2); end if;
  return '+81' || d;
end $$`;
