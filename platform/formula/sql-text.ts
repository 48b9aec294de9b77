// Constants and conversions written so PostgreSQL accepts them in a generated column: no bind
// parameters (DDL takes none) and only IMMUTABLE functions. Every helper here is exercised in a
// generated column on PGlite and PostgreSQL by compile.test.ts.
import { sql, type SQL } from 'drizzle-orm';
import type { ValueType } from './types.ts';

/**
 * A text constant as an escape string (E'…'): backslashes and quotes are doubled, so it reads
 * the same whatever standard_conforming_strings says, and nothing in it can end the literal.
 * NUL (which PostgreSQL text cannot hold) is refused by the parser before it gets here.
 */
export function textLiteral(s: string): SQL {
  if (s.includes('\u0000')) throw new Error('NUL in a formula text constant');
  return sql.raw(`(E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'::text)`);
}

/** A number constant: JavaScript's shortest form of a finite double is valid numeric input. */
export function numberLiteral(n: number): SQL {
  if (!Number.isFinite(n)) throw new Error('a formula number constant must be finite');
  return sql.raw(`('${String(n)}'::numeric)`);
}

const pad = (e: SQL, width: number) => sql`lpad(${e}::int::text, ${sql.raw(String(width))}, '0')`;

/** A datetime's wall clock in UTC (timezone(text, timestamptz) is immutable; casts through the session zone are not). */
export const utc = (e: SQL) => sql`timezone('UTC', ${e})`;

/** The UTC calendar date of a datetime. */
export const dateOf = (e: SQL, t: ValueType) => (t === 'datetime' ? sql`(${utc(e)})::date` : e);

/**
 * A value as text, the way concat() and text() show it: numbers without trailing zeros,
 * dates as YYYY-MM-DD, datetimes as ISO 8601 in UTC. to_char and date::text depend on session
 * settings (STABLE), so dates are assembled from their parts.
 */
export function asText(e: SQL, t: ValueType): SQL {
  switch (t) {
    case 'text':
      return e;
    case 'number':
      return sql`(trim_scale(${e})::text)`;
    case 'boolean':
      return sql`(case when ${e} then 'true' when not ${e} then 'false' end)`;
    case 'date':
      return sql`(${pad(sql`extract(year from ${e})`, 4)} || '-' || ${pad(sql`extract(month from ${e})`, 2)} || '-' || ${pad(sql`extract(day from ${e})`, 2)})`;
    case 'datetime': {
      const w = utc(e);
      return sql`(${asText(sql`(${w})::date`, 'date')} || 'T' || ${pad(sql`extract(hour from ${w})`, 2)} || ':' || ${pad(sql`extract(minute from ${w})`, 2)} || ':' || ${pad(sql`floor(extract(second from ${w}))`, 2)} || 'Z')`;
    }
    case 'null':
      return sql`null::text`;
  }
}

/** A number argument where SQL wants an integer, clamped so no value can make the write fail. */
export const intArg = (e: SQL, limit: number) =>
  sql`(least(greatest(round(${e}), ${sql.raw(String(-limit))}), ${sql.raw(String(limit))}))::int`;
