// Import benchmark: N generated contacts (Japanese and English names, ~1% invalid emails, ~2%
// duplicate emails) through the real HTTP import API, end to end (upload, detection, parsing,
// validation, batched writes with history and events). Prints rows/s and peak RSS.
// Then exports them all as CSV (streamed), with its own peak RSS.
// Usage: [DATABASE_URL=…] [KIZUNA_IMPORT_BATCH=n] npm run bench:import -- [rows=1000000] [--plain] [--upsert]
//        [--dedupe=installed|warn|block (the dedupe plugin on contact)] [--people] [--no-export] [--keep (the schema, for a look)]
import { Readable } from 'node:stream';
import { createKizuna } from '../platform/server.ts';
import { japaneseNames } from '../platform/testing/fixtures.ts';

const N = Number(process.argv[2] ?? 1_000_000);
// --plain: into an object with the same fields as contact but no search document and no
// indexes, to tell the import path's own cost from contact's search index maintenance.
const PLAIN = process.argv.includes('--plain');
// --upsert: upsert_on email, so the file's duplicate emails update the record made by their first row.
const UPSERT = process.argv.includes('--upsert');
// --dedupe=installed: the plugin enabled with its default rules (keys kept, no check);
// warn / block: contact's before_create mode (block refuses the file's duplicate rows).
const DEDUPE = process.argv.find((a) => a.startsWith('--dedupe='))?.slice('--dedupe='.length);
const EXPORT = !process.argv.includes('--no-export');
// --people: a file of distinct people as a CRM import holds them — real Japanese family and given
// names (IPADIC) with their readings, a phone and an email each; 2% of rows are the same person
// again (email in another case, name in kana), 1% invalid emails. Without it every phone is
// shared by up to ten people with nine names between them (the import benchmark's own file).
const PEOPLE = process.argv.includes('--people');
const TOKEN = 'kz_bench_import_token_0123456789';
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

function personRow(i: number, names: ReturnType<typeof japaneseNames>): string {
  // Every 50th row repeats the person of the row 37 before it, typed again.
  const again = i % 50 === 49 && i >= 37;
  const n = again ? i - 37 : i;
  const [last, lastKana] = names.family[(n * 7919) % names.family.length];
  const [first, firstKana] = names.given[(n * 104729) % names.given.length];
  const email = i % 100 === 7 ? `bad-email-${i}` : `p${n}@example.jp`;
  const phone = `0${3 + (n % 7)}-${String(1000 + Math.floor(n / 10000)).slice(-4)}-${String(n % 10000).padStart(4, '0')}`;
  return again
    ? `${lastKana},${firstKana},${lastKana},${firstKana},${email.toUpperCase()},,"Manager, ${i % 7}"`
    : `${last},${first},${lastKana},${firstKana},${email},${phone},"Manager, ${i % 7}"`;
}

async function* csv(): AsyncGenerator<Uint8Array> {
  const names = PEOPLE ? japaneseNames() : undefined;
  yield Buffer.from(PEOPLE ? '姓,名,姓（カナ）,名（カナ）,メールアドレス,電話番号,役職\n' : '姓,名,メールアドレス,電話番号,役職\n');
  let lines: string[] = [];
  for (let i = 0; i < N; i++) {
    if (names) {
      lines.push(personRow(i, names));
    } else {
      const [last, first] = i % 3 === 0 ? JA[i % JA.length] : EN[i % EN.length];
      const email = i % 100 === 7 ? `bad-email-${i}` : i % 50 === 3 ? `user${i - 1}@example.jp` : `user${i}@example.jp`;
      lines.push(`${last},${first},${email},03-1234-${String(i % 10000).padStart(4, '0')},"Manager, ${i % 7}"`);
    }
    if (lines.length === 5000) {
      yield Buffer.from(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) yield Buffer.from(lines.join('\n') + '\n');
}

const schema = process.env.DATABASE_URL ? `kz_bench_import_${Date.now()}` : undefined;
const k = await createKizuna({
  url: process.env.DATABASE_URL,
  schema,
  bootstrapToken: TOKEN,
  jobPollMs: 100,
  logRequests: false,
  importBatchSize: Number(process.env.KIZUNA_IMPORT_BATCH) || undefined,
});
if (PLAIN) {
  const text = (name: string, en: string, ja: string, type = 'text') => ({ name, type, label: { en, ja }, searchable: false });
  const made = await k.app.request('/api/meta/objects', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'plain_contact',
      label: { en: 'Plain contact', ja: '連絡先（索引なし）' },
      plural: 'plain_contacts',
      display_field: 'last_name',
      fields: [
        text('last_name', 'Last Name', '姓'),
        text('first_name', 'First Name', '名'),
        text('email', 'Email', 'メールアドレス', 'email'),
        text('phone', 'Phone', '電話番号', 'phone'),
        text('title', 'Title', '役職'),
      ],
    }),
  });
  if (made.status !== 201) throw new Error(`cannot create plain_contact: ${await made.text()}`);
}
const OBJECT = PLAIN ? 'plain_contact' : 'contact';
if (DEDUPE) {
  const call = (method: string, path: string, body?: unknown) =>
    k.app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const installed = await call('POST', '/api/plugins/dedupe/install');
  if (installed.status !== 201) throw new Error(`cannot install dedupe: ${await installed.text()}`);
  if (DEDUPE !== 'installed') {
    const set = await call('PUT', '/api/plugins/dedupe/settings', { objects: { [OBJECT]: { before_create: DEDUPE } } });
    if (set.status !== 200) throw new Error(`cannot set dedupe's settings: ${await set.text()}`);
  }
}
const base = process.memoryUsage().rss;
let peak = 0;
let at: NodeJS.MemoryUsage | undefined;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak) [peak, at] = [m.rss, m];
}, 100);
const auth = { authorization: `Bearer ${TOKEN}` };
const t0 = performance.now();
const body = Readable.toWeb(Readable.from(csv())) as unknown as ReadableStream;
const up = await k.app.request(`/api/imports?object=${OBJECT}&filename=bench.csv`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'text/csv' },
  body,
  duplex: 'half',
} as RequestInit);
const imp = (await up.json()) as { id: string; suggested_mapping: Record<string, string> };
const t1 = performance.now();
await k.app.request(`/api/imports/${imp.id}/start`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ mode: 'partial', mapping: imp.suggested_mapping, ...(UPSERT && { upsert_on: 'email' }) }),
});
let s: Record<string, unknown>;
for (;;) {
  s = (await (await k.app.request(`/api/imports/${imp.id}`, { headers: auth })).json()) as Record<string, unknown>;
  if (['succeeded', 'failed', 'cancelled'].includes(s.state as string)) break;
  await new Promise((r) => setTimeout(r, 500));
}
const t2 = performance.now();
const importPeak = peak;
const importAt = at!;
// The export of everything just imported, streamed and counted (not kept).
peak = 0;
const t3 = performance.now();
const res = EXPORT ? await k.app.request(`/api/records/${OBJECT}/export?format=csv`, { headers: auth }) : undefined;
let bytes = 0;
let lines = 0;
for await (const part of (res?.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
  bytes += part.byteLength;
  for (const b of part) if (b === 10) lines++;
}
const t4 = performance.now();
clearInterval(sampler);
const mb = (n: number) => Math.round(n / 1048576);
if (s.state !== 'succeeded') console.error(JSON.stringify(s));
console.log(
  JSON.stringify({
    database: k.db.kind,
    object: OBJECT,
    upsert: UPSERT,
    dedupe: DEDUPE ?? 'none',
    people: PEOPLE,
    rows: N,
    state: s.state,
    created: s.created,
    updated: s.updated,
    unchanged: s.unchanged,
    failed: s.rows_failed,
    upload_s: +((t1 - t0) / 1000).toFixed(1),
    import_s: +((t2 - t1) / 1000).toFixed(1),
    rows_per_s_end_to_end: Math.round(N / ((t2 - t0) / 1000)),
    rss_at_start_mb: mb(base),
    peak_rss_mb: mb(importPeak),
    at_peak_heap_mb: mb(importAt.heapUsed),
    at_peak_heap_total_mb: mb(importAt.heapTotal),
    at_peak_external_mb: mb(importAt.external),
    export_status: res?.status,
    export_lines: lines,
    export_mb: mb(bytes),
    export_s: +((t4 - t3) / 1000).toFixed(1),
    export_peak_rss_mb: mb(peak),
  }),
);
await k.close();
if (schema && process.argv.includes('--keep')) console.log(`kept schema ${schema}`);
else if (schema) {
  const postgres = (await import('postgres')).default;
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema "${schema}" cascade`).finally(() => admin.end());
}
