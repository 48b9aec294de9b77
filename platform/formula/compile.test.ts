// Every function and operator, compiled and run against real rows on PGlite and PostgreSQL:
// once stored in a generated column (added to a table with data, then computed on insert) and
// once evaluated in a select list — the two must agree with the expected value.
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { compileFormulas, type CompiledFormula } from './compile.ts';
import type { FormulaFieldInfo } from './types.ts';

const FIELDS: FormulaFieldInfo[] = [
  { name: 'name', type: 'text' },
  { name: 'note', type: 'long_text' },
  { name: 'qty', type: 'integer' },
  { name: 'price', type: 'number' },
  { name: 'amount', type: 'currency' },
  { name: 'active', type: 'boolean' },
  { name: 'start', type: 'date' },
  { name: 'due', type: 'date' },
  { name: 'at', type: 'datetime' },
  { name: 'status', type: 'select' },
  { name: 'owner', type: 'user' },
];
const OWNER = '0190a0b0-0000-7000-8000-000000000001';
const NOTE = 'O\'Brien \\ 山田 "様"';

/** [formula, value on the full row, value on the row of blanks] */
const CASES: [string, unknown, unknown][] = [
  ['qty + price', 5.5, null],
  ['qty - price', 0.5, null],
  ['qty * price', 7.5, null],
  ['qty / 2', 1.5, null],
  ['qty / 0', null, null],
  ['qty % 2', 1, null],
  ['qty % 0', null, null],
  ['-price', -2.5, null],
  ['amount * 2', 2400, null],
  ['1 / 3 * 3', 1, 1],
  ['qty > 2', true, null],
  ['qty = 3', true, null],
  ['qty == 3', true, null],
  ['qty <> 3', false, null],
  ['qty != 3', false, null],
  ['qty >= 3 && qty <= 3', true, null],
  ["name < 'Z'", true, true],
  ['start < due', true, null],
  ['at > add_days(at, -1)', true, null],
  ['active and qty > 5', false, null],
  ['false and qty > 5', false, false],
  ['active or false', true, null],
  ['active || qty > 5', true, null],
  ['null and false', false, false],
  ['null or true', true, true],
  ['active and null', null, null],
  ['not active', false, null],
  ['!active', false, null],
  ["if(qty > 2, 'many', 'few')", 'many', 'few'],
  ["qty > 2 ? 'many' : 'few'", 'many', 'few'],
  ["case(status, 'open', 1, 'closed', 2, 0)", 1, 0],
  ["case(status, 'open', 'o', 'closed', 'c')", 'o', null],
  ["concat(name, '-', qty, '-', price, '-', active, '-', start, '-', at)", 'Tanaka-3-2.5-true-2026-01-31-2026-03-01T23:30:05Z', '  -----'],
  ["concat('山田', '様')", '山田様', '山田様'],
  ['left(name, 2)', 'Ta', '  '],
  ['right(name, 3)', 'aka', '  '],
  ['left(note, 99999999999)', NOTE, null],
  ['len(note)', NOTE.length, null],
  ["left('山田太郎', 2)", '山田', '山田'],
  ["len('山田')", 2, 2],
  ['lower(name)', 'tanaka', '  '],
  ['upper(name)', 'TANAKA', '  '],
  ["trim('  x  ')", 'x', 'x'],
  ["contains(note, '山田')", true, null],
  ['round(price * 1.234, 2)', 3.09, null],
  ['round(price)', 3, null],
  ['round(price, 1e12)', 2.5, null],
  ['round(-price)', -3, null],
  ['qty * 1e300 * 1e300', null, null],
  ['floor(price)', 2, null],
  ['ceil(price)', 3, null],
  ['abs(-qty)', 3, null],
  ['min(qty, price, 10)', 2.5, 10],
  ['max(qty, price)', 3, null],
  ['min(start, due)', '2026-01-31', null],
  ["coalesce(note, 'none')", NOTE, 'none'],
  ['is_blank(note)', false, true],
  ['is_blank(name)', false, true],
  ['is_blank(qty)', false, true],
  ['days_between(start, due)', 43, null],
  ['days_between(at, due)', 14, null],
  ['add_days(start, 30)', '2026-03-02', null],
  ['add_days(start, -31)', '2025-12-31', null],
  ['add_months(start, 1)', '2026-02-28', null],
  ['add_months(start, 99999999999)', '10359-05-31', null],
  ['add_days(at, 1)', '2026-03-02T23:30:05.000Z', null],
  ['add_months(at, 1)', '2026-04-01T23:30:05.000Z', null],
  ['year(start)', 2026, null],
  ['month(start)', 1, null],
  ['day(start)', 31, null],
  ['day(at)', 1, null],
  ['text(price)', '2.5', null],
  ['text(start)', '2026-01-31', null],
  ['owner', OWNER, null],
  ["'it\\'s'", "it's", "it's"],
  ["'back\\\\slash'", 'back\\slash', 'back\\slash'],
  ["'\\'); drop table fx; --'", "'); drop table fx; --", "'); drop table fx; --"],
  ['"$1 $$ E\'\\\\x\' 日本語"', "$1 $$ E'\\x' 日本語", "$1 $$ E'\\x' 日本語"],
];

/** Read through the clock: never stored, checked against itself (the test must not race midnight). */
const VOLATILE: [string, unknown, unknown][] = [
  ['days_between(today(), add_days(today(), 3))', 3, 3],
  ['now() > at', true, null],
  ['today() >= start', true, null],
];

// One object per case: an object holds at most 50 formula fields.
const compiled = { compiled: new Map<string, CompiledFormula>(), problems: [] as unknown[] };
[...CASES, ...VOLATILE].forEach(([formula], i) => {
  const one = compileFormulas([...FIELDS, { name: `f${i}`, type: 'formula', formula }]);
  for (const [n, c] of one.compiled) compiled.compiled.set(n, c);
  compiled.problems.push(...one.problems);
});

/** A column by its bare name, as a generated column reads it. */
const bare = (n: string) => sql`${sql.identifier(n)}`;

/** A value as JSON, the same on both drivers (datetimes in UTC with milliseconds). */
const asJson = (c: CompiledFormula, e: SQL) =>
  c.type === 'datetime'
    ? sql`to_jsonb(to_char(${e} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text`
    : sql`to_jsonb(${e})::text`;

describe.each(databases)('formula functions on %s', (kind) => {
  let k: TestKizuna;
  const stored = new Map<number, Record<string, string>>();
  const evaluated = new Map<number, Record<string, string>>();

  beforeAll(async () => {
    k = await startKizuna(kind);
    await k.db.query(sql`create table fx (id int primary key, name text, note text, qty integer, price double precision,
      amount numeric, amount__currency text, active boolean, start date, due date, at timestamptz(3), status text, owner uuid)`);
    await k.db.query(sql`insert into fx values (1, 'Tanaka', ${NOTE}, 3, 2.5, 1200, 'JPY', true, '2026-01-31', '2026-03-15',
      '2026-03-01T23:30:05Z', 'open', ${OWNER})`);
    // Added to a table that has a row: the column is computed for it; the next row on insert.
    for (const [name, c] of compiled.compiled) {
      if (c.volatile) continue;
      await k.db.query(
        sql`alter table fx add column ${sql.identifier(name)} ${sql.raw(c.columnType)} generated always as (${c.sql(bare)}) stored`,
      );
    }
    await k.db.query(sql`insert into fx (id, name) values (2, '  ')`);
    const cols = [...compiled.compiled].filter(([, c]) => !c.volatile);
    const storedRows = await k.db.query<Record<string, string>>(
      sql`select id, ${sql.join(
        cols.map(([n, c]) => sql`${asJson(c, bare(n))} as ${sql.identifier(n)}`),
        sql`, `,
      )} from fx`,
    );
    for (const r of storedRows) stored.set(Number(r.id), r);
    const evalRows = await k.db.query<Record<string, string>>(
      sql`select r.id, ${sql.join(
        [...compiled.compiled].map(
          ([n, c]) =>
            sql`${asJson(
              c,
              c.sql((col) => sql`r.${sql.identifier(col)}`),
            )} as ${sql.identifier(n)}`,
        ),
        sql`, `,
      )} from fx r`,
    );
    for (const r of evalRows) evaluated.set(Number(r.id), r);
  });
  afterAll(() => k?.close());

  it('compiles every case without a problem', () => {
    expect(compiled.problems).toEqual([]);
  });

  it.each(CASES.map((c, i) => [...c, i] as const))('%s', (formula, full, blank, i) => {
    const name = `f${i}`;
    expect(compiled.compiled.get(name)!.volatile).toBe(false);
    expect(JSON.parse(stored.get(1)![name])).toEqual(full);
    expect(JSON.parse(stored.get(2)![name])).toEqual(blank);
    expect(JSON.parse(evaluated.get(1)![name])).toEqual(full);
    expect(JSON.parse(evaluated.get(2)![name])).toEqual(blank);
  });

  it.each(VOLATILE.map((c, i) => [...c, i + CASES.length] as const))('%s (read time)', (formula, full, blank, i) => {
    const name = `f${i}`;
    expect(compiled.compiled.get(name)!.volatile).toBe(true);
    expect(JSON.parse(evaluated.get(1)![name])).toEqual(full);
    expect(JSON.parse(evaluated.get(2)![name])).toEqual(blank);
  });

  it('refuses a clock formula as a generated column (not immutable), which is why it is read-time', async () => {
    const c = compiled.compiled.get(`f${CASES.length}`)!;
    const e = await k.db
      .query(sql`alter table fx add column v ${sql.raw(c.columnType)} generated always as (${c.sql(bare)}) stored`)
      .catch((e: Error & { cause?: Error }) => e.cause ?? e);
    expect(String(e)).toMatch(/immutable/i);
  });
});
