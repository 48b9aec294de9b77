// What this machine's PostgreSQL can do at best for a contact import, with no Kizuna in the
// way: the bench's contact rows (same five fields, same generator shape) COPYed straight into a
// table laid out exactly like contact (its columns, stored search document and indexes) —
// no parsing, validation, history rows or events. Prints rows/s next to the target
// (50,000 rows/s end to end), for one connection and for two in parallel, and how long each
// index takes to build after a load into a table with only its primary key.
// Usage: DATABASE_URL=… npx tsx bench/import-ceiling.ts [rows=1000000]
import postgres from 'postgres';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createKizuna } from '../platform/server.ts';
import { uuidv7 } from '../platform/db/index.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const TARGET = 50_000;
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must name a PostgreSQL database');
const schema = `kz_bench_ceiling_${Date.now()}`;
// Kizuna creates the real contact table in the schema; the copies below take its layout.
const k = await createKizuna({ url, schema, bootstrapToken: 'kz_bench_ceiling_token_0123456789', logRequests: false });
await k.close();
const db = postgres(url, { max: 3, onnotice: () => {}, connection: { search_path: `${schema},public` } });

const JA = [
  ['山田', '太郎'],
  ['佐藤', '花子'],
  ['髙橋', '一郎'],
  ['鈴木', '美咲'],
  ['田中', '健'],
];
const EN = [
  ['Smith', 'John'],
  ['Yamada', 'Taro'],
  ['Brown', 'Alice'],
  ['Garcia', 'Maria'],
];
function* rows(from: number, to: number): Generator<string> {
  let lines: string[] = [];
  for (let i = from; i < to; i++) {
    const [last, first] = i % 3 === 0 ? JA[i % JA.length] : EN[i % EN.length];
    lines.push(`${uuidv7()}\t${last}\t${first}\tuser${i}@example.jp\t03-1234-${String(i % 10000).padStart(4, '0')}\tManager, ${i % 7}`);
    if (lines.length === 5000) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length) yield lines.join('\n') + '\n';
}
const copy = async (table: string, from: number, to: number) => {
  const stream = await db.unsafe(`copy ${table} (id, last_name, first_name, email, phone, title) from stdin`).writable();
  await pipeline(Readable.from(rows(from, to)), stream);
};
const timed = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};
const rate = (s: number) => Math.round(N / s);

const indexes = await db<
  { name: string; def: string }[]
>`select indexname as name, indexdef as def from pg_indexes where schemaname = ${schema} and tablename = 'contact' and indexname <> 'contact_pkey' order by 1`;
const fresh = async (name: string, withIndexes: boolean) => {
  await db.unsafe(
    `drop table if exists ${name}; create table ${name} (like contact including defaults including generated${withIndexes ? ' including indexes' : ''})`,
  );
  if (!withIndexes) await db.unsafe(`alter table ${name} add primary key (id)`);
};

await fresh('c1', true);
const one = await timed(() => copy('c1', 0, N));
await fresh('c2', true);
const two = await timed(() => Promise.all([copy('c2', 0, N / 2), copy('c2', N / 2, N)]));
await fresh('c3', false);
const bare = await timed(() => copy('c3', 0, N));
const builds: Record<string, number> = {};
for (const ix of indexes)
  builds[ix.name] = +(
    await timed(() => db.unsafe(ix.def.replace(/ ON \S+\.contact /, ' ON c3 ').replace(/INDEX \S+/, `INDEX ${ix.name}_c3`)))
  ).toFixed(1);
const buildTotal = bare + Object.values(builds).reduce((a, b) => a + b, 0);

console.log(
  JSON.stringify({
    rows: N,
    target_rows_per_s: TARGET,
    copy_with_indexes_one_connection: { s: +one.toFixed(1), rows_per_s: rate(one) },
    copy_with_indexes_two_connections: { s: +two.toFixed(1), rows_per_s: rate(two) },
    copy_primary_key_only: { s: +bare.toFixed(1), rows_per_s: rate(bare) },
    index_builds_after_load_s: builds,
    load_then_build: { s: +buildTotal.toFixed(1), rows_per_s: rate(buildTotal) },
  }),
);
await db.unsafe(`drop schema "${schema}" cascade`);
await db.end();
