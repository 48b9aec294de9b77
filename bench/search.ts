// `npx tsx bench/search.ts [contacts]`: seeds N contacts on PostgreSQL (DATABASE_URL) in its own
// schema, then times q searches one after another (Japanese 2-character and English queries).
import postgres from 'postgres';
import { startKizuna } from '../platform/testing/kizuna.ts';
import { seed } from './seed.ts';
const N = Number(process.argv[2] ?? 200000);
const url = process.env.DATABASE_URL!;
const schema = `kz_qbench_${N}`;
const admin0 = postgres(url, { max: 1, onnotice: () => {} });
await admin0.unsafe(`drop schema if exists ${schema} cascade`);
await admin0.end();
const k = await startKizuna('postgres', { schema });
await k.call('POST', '/api/meta/objects/contact/fields', {
  name: 'score',
  type: 'integer',
  label: { en: 'Score', ja: 'スコア' },
  indexed: true,
});
const admin = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: `${schema},public` } });
const [user] = await admin`select id::text as id from kizuna_users where is_admin limit 1`;
const t0 = Date.now();
await seed(admin, { schema, companies: 5000, contacts: N, actor: user.id, log: (m: string) => console.log(m) });
await admin`analyze`;
console.log('seeded in', (Date.now() - t0) / 1000, 's');
const qs = [
  '田中',
  '佐藤',
  '鈴木',
  '高橋',
  '山田',
  '渡辺',
  '太郎',
  '美咲',
  'タナカ',
  'スズキ',
  'smith',
  'johnson',
  'emily',
  'tanaka',
  'yamamoto',
  'taylor',
];
const times: number[] = [];
for (let round = 0; round < 3; round++)
  for (const q of qs) {
    const t = performance.now();
    const r = await k.call('GET', `/api/records/contact?limit=50&q=${encodeURIComponent(q)}`);
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
    if (round > 0) times.push(performance.now() - t);
  }
times.sort((a, b) => a - b);
console.log(
  `q on ${N} contacts: p50 ${times[Math.floor(times.length / 2)].toFixed(1)} ms, p90 ${times[Math.floor(times.length * 0.9)].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
);
await admin.end();
await k.close();
process.exit(0);
