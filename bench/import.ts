// Import benchmark: N generated contacts (Japanese and English names, ~1% invalid emails, ~2%
import { Readable } from 'node:stream';
// duplicate emails) through the real HTTP import API, end to end (upload, detection, parsing,
// validation, batched writes with history and events). Prints rows/s and peak RSS.
// Usage: [DATABASE_URL=…] npx tsx bench/import.ts [rows=1000000]
import { createKizuna } from '../platform/server.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const TOKEN = 'kz_bench_import_token_0123456789';
const JA = [['山田', '太郎'], ['佐藤', '花子'], ['髙橋', '一郎'], ['鈴木', '美咲'], ['田中', '健']];
const EN = [['Smith', 'John'], ['Yamada', 'Taro'], ['Brown', 'Alice'], ['Garcia', 'Maria']];

async function* csv(): AsyncGenerator<Uint8Array> {
  yield Buffer.from('姓,名,メールアドレス,電話番号,役職\n');
  let lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const [last, first] = i % 3 === 0 ? JA[i % JA.length] : EN[i % EN.length];
    const email = i % 100 === 7 ? `bad-email-${i}` : i % 50 === 3 ? `user${i - 1}@example.jp` : `user${i}@example.jp`;
    lines.push(`${last},${first},${email},03-1234-${String(i % 10000).padStart(4, '0')},"Manager, ${i % 7}"`);
    if (lines.length === 5000) {
      yield Buffer.from(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) yield Buffer.from(lines.join('\n') + '\n');
}

const schema = process.env.DATABASE_URL ? `kz_bench_import_${Date.now()}` : undefined;
const k = await createKizuna({ url: process.env.DATABASE_URL, schema, bootstrapToken: TOKEN, jobPollMs: 100, logRequests: false });
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
const auth = { authorization: `Bearer ${TOKEN}` };
const t0 = performance.now();
const body = Readable.toWeb(Readable.from(csv())) as unknown as ReadableStream;
const up = await k.app.request('/api/imports?object=contact&filename=bench.csv', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body, duplex: 'half' } as RequestInit);
const imp = (await up.json()) as { id: string; suggested_mapping: Record<string, string> };
const t1 = performance.now();
await k.app.request(`/api/imports/${imp.id}/start`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'partial', mapping: imp.suggested_mapping }) });
let s: Record<string, unknown>;
for (;;) {
  s = (await (await k.app.request(`/api/imports/${imp.id}`, { headers: auth })).json()) as Record<string, unknown>;
  if (['succeeded', 'failed', 'cancelled'].includes(s.state as string)) break;
  await new Promise((r) => setTimeout(r, 500));
}
const t2 = performance.now();
clearInterval(sampler);
console.log(JSON.stringify({
  database: k.db.kind, rows: N, state: s.state, created: s.created, failed: s.rows_failed,
  upload_s: +((t1 - t0) / 1000).toFixed(1), import_s: +((t2 - t1) / 1000).toFixed(1),
  rows_per_s_end_to_end: Math.round(N / ((t2 - t0) / 1000)), peak_rss_mb: Math.round(peak / 1048576),
}));
if (schema) await k.db.query((await import('drizzle-orm')).sql.raw(`drop schema "${schema}" cascade`));
await k.close();
