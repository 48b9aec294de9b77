// What formula fields cost (issue 18): inserting rows into a table with stored formula columns
// against the same table without them, adding a formula to a table that has rows (every row is
// computed: a table rewrite), and filtering by an indexed stored formula against a read-time
// one (today()). Prints figures; nothing is asserted.
//
//   npx tsx bench/formula.ts [--rows 100000]                        # PGlite in memory
//   DATABASE_URL=postgres://… npx tsx bench/formula.ts [--rows …]   # PostgreSQL (schema kz_bench_formula, dropped after)
import { performance } from 'node:perf_hooks';
import { sql, type SQL } from 'drizzle-orm';
import { createDatabase } from '../platform/db/index.ts';
import { compileFormulas, type CompiledFormula } from '../platform/formula/index.ts';

const argv = process.argv.slice(2);
const ROWS = Number(argv[argv.indexOf('--rows') + 1] || 0) || 100_000;

const FIELDS = [
  { name: 'title', type: 'text' },
  { name: 'qty', type: 'integer' },
  { name: 'price', type: 'currency' },
  { name: 'closes_on', type: 'date' },
];
const FORMULAS = {
  total: 'qty * price',
  with_tax: 'round(qty * price * 1.1)',
  heading: "concat(title, '（', qty, '個）')",
  late: 'days_between(today(), closes_on) < 0',
};
const { compiled, problems } = compileFormulas([
  ...FIELDS,
  ...Object.entries(FORMULAS).map(([name, formula]) => ({ name, type: 'formula', formula })),
]);
if (problems.length) throw new Error(JSON.stringify(problems));
const bare = (n: string) => sql`${sql.identifier(n)}`;
const generated = (name: string, c: CompiledFormula) =>
  sql`${sql.identifier(name)} ${sql.raw(c.columnType)} generated always as (${c.sql(bare)}) stored`;

const db = await createDatabase(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, schema: 'kz_bench_formula', max: 2 } : {});
const time = async (what: string, fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  console.log(`${what.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms`);
  return ms;
};

// One set-based statement, as imports write: the database's own cost, not the client's.
const fill = (table: string) =>
  db.query(sql`insert into ${sql.identifier(table)} (id, title, qty, price, closes_on)
    select g, '商談 ' || g, g % 50 + 1, (g % 997) * 10, current_date + (g % 365 - 180) from generate_series(1, ${ROWS}::int) g`);

try {
  const columns = sql`id int primary key, title text, qty integer, price numeric, closes_on date`;
  await db.query(sql`create table plain_deal (${columns})`);
  const stored = ['total', 'with_tax', 'heading'].map((n) => generated(n, compiled.get(n)!));
  await db.query(sql`create table formula_deal (${columns}, ${sql.join(stored, sql`, `)})`);
  console.log(`${db.kind}, ${ROWS.toLocaleString('en')} rows`);
  // Three rounds, alternating, the best of each kept: the first round also warms up the JIT
  // and the database, and the machine is shared.
  let plain = Infinity;
  let withF = Infinity;
  for (let round = 1; round <= 3; round++) {
    await db.query(sql`truncate plain_deal, formula_deal`);
    plain = Math.min(plain, await time(`insert, no formula columns (round ${round})`, () => fill('plain_deal')));
    withF = Math.min(withF, await time(`insert, 3 stored formula columns (round ${round})`, () => fill('formula_deal')));
  }
  console.log(`${'  → cost of the formula columns'.padEnd(58)} ${(((withF - plain) / plain) * 100).toFixed(0).padStart(6)} %`);
  await time('add a formula to the table with rows (rewrite)', () =>
    db.query(sql`alter table plain_deal add column ${generated('with_tax', compiled.get('with_tax')!)}`),
  );
  await time('change it: drop and add in one statement', () =>
    db.query(sql`alter table plain_deal drop column with_tax, add column ${generated('with_tax', compiled.get('total')!)}`),
  );
  await time('index the stored formula', () => db.query(sql`create index on formula_deal (with_tax)`));
  await db.query(sql`analyze formula_deal`);
  const late = compiled.get('late')!.sql((n) => sql`d.${sql.identifier(n)}`);
  const count = (where: SQL) => db.query(sql`select count(*)::int as n from formula_deal d where ${where}`);
  await time('count where with_tax between 1000 and 1100 (indexed, ×20)', async () => {
    for (let i = 0; i < 20; i++) await count(sql`d.with_tax between 1000 and 1100`);
  });
  await time('count where late (read-time today() formula, ×20)', async () => {
    for (let i = 0; i < 20; i++) await count(late);
  });
  await time('count where the same as a plain expression (×20)', async () => {
    for (let i = 0; i < 20; i++) await count(sql`d.closes_on < current_date`);
  });
} finally {
  if (process.env.DATABASE_URL) await db.query(sql`drop schema if exists kz_bench_formula cascade`);
  else await db.query(sql`drop table if exists plain_deal, formula_deal`);
  await db.close();
}
