// `npx tsx bench/search.ts [contacts] [--reuse] [--rounds 30] [--count]`: the search benchmark of
// issue 17 item 1. Seeds N contacts (and 5,000 companies) on PostgreSQL (DATABASE_URL) in the
// schema kz_qbench_<N> (--reuse keeps a schema seeded before), derives ≥ 50 queries of the kinds
// a CRM user types from the seeded data (so hits are real), and sends them through the HTTP API
// of a server in a child process from 10 concurrent clients (10 keep-alive connections), each
// query `rounds` times. Prints p50/p99 per query and overall against 100 ms, the machine's load
// (`uptime`), and EXPLAIN (ANALYZE, BUFFERS) of the first-page query of each query that missed.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createKizuna } from '../platform/server.ts';
import { listConditions, readableFields, selectList } from '../platform/query/index.ts';
import { rankSql, relevancePage } from '../platform/query/relevance.ts';
import { seed } from './seed.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 100000);
const ROUNDS = option('rounds', 30);
const CONNECTIONS = 10;
const TARGET_MS = 100;
const url = process.env.DATABASE_URL!;
const schema = `kz_qbench_${N}`;
const TOKEN = 'kz_bench_admin_token_0123456789abcdefghijklmnop';
const log = (m: string) => console.log(m);

// ---------------------------------------------------------------- the server, in a child process
const admin = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: `${schema},public` } });
const [{ n: existing }] = await admin`select count(*)::int as n from pg_tables where schemaname = ${schema} and tablename = 'contact'`;
const seeded = existing ? Number((await admin`select count(*)::int as n from contact`)[0].n) : 0;
const reuse = flag('reuse') && seeded >= N;
if (!reuse) await admin.unsafe(`drop schema if exists ${schema} cascade`);

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./serve-generated.ts', import.meta.url))], {
  env: { ...process.env, BENCH_SCHEMA: schema, BENCH_TOKEN: TOKEN, BENCH_POOL: String(CONNECTIONS), BENCH_DATABASE_URL: url },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`serve-generated.ts exited with ${code}`)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /"port":(\d+)/.exec(line);
    if (m) resolve(Number(m[1]));
  });
});
const base = `http://127.0.0.1:${port}`;
const get = async (path: string) => {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
};

if (!reuse) {
  const res = await fetch(`${base}/api/meta/objects/contact/fields`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'score', type: 'integer', label: { en: 'Score', ja: 'スコア' }, indexed: true }),
  });
  if (res.status !== 201) throw new Error(`score field: ${res.status} ${await res.text()}`);
  const [user] = await admin`select id::text as id from kizuna_users where is_admin limit 1`;
  const t0 = Date.now();
  await seed(admin, { schema, companies: 5000, contacts: N, actor: user.id, log });
  await admin`analyze`;
  log(`seeded ${N} contacts in ${(Date.now() - t0) / 1000} s`);
} else log(`reusing ${schema} (${seeded} contacts)`);

// ---------------------------------------------------------------- queries derived from the data
interface Query {
  kind: string;
  object: 'contact' | 'company';
  q: string;
}
const one = async <T>(rows: Promise<T[]>) => (await rows)[0];
const col = async (rows: Promise<Record<string, string>[]>) => (await rows).map((r) => Object.values(r)[0]);

const HALF = 'ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ';
const FULL = 'ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
/** Katakana as a user types it on a half-width keyboard (ｻﾄｳ, ｶﾞ as two characters). */
const halfWidth = (s: string) =>
  [...s.normalize('NFD')].map((c) => (c === '\u3099' ? 'ﾞ' : c === '\u309a' ? 'ﾟ' : FULL.includes(c) ? HALF[FULL.indexOf(c)] : c)).join('');
const hiragana = (s: string) => [...s].map((c) => (c >= 'ァ' && c <= 'ヶ' ? String.fromCharCode(c.charCodeAt(0) - 0x60) : c)).join('');

const JA = `'^[一-龥々]+$'`;
const EN = `'^[A-Za-z]+$'`;
const topLast = await col(
  admin.unsafe(`select last_name from contact where last_name ~ ${JA} group by 1 order by count(*) desc, 1 limit 6`),
);
const rareLast = await col(
  admin.unsafe(`select last_name from contact where last_name ~ ${JA} and length(last_name) = 2 group by 1 order by count(*), 1 limit 3`),
);
const oneChar = await col(
  admin.unsafe(
    `select last_name from contact where last_name ~ ${JA} and length(last_name) = 1 group by 1 order by count(*) desc, 1 limit 2`,
  ),
);
const firstChar = await col(
  admin.unsafe(`select left(last_name, 1) from contact where last_name ~ ${JA} group by 1 order by count(*) desc limit 1`),
);
const topGiven = await col(
  admin.unsafe(`select first_name from contact where first_name ~ ${JA} group by 1 order by count(*) desc, 1 limit 3`),
);
const topKana = await col(
  admin.unsafe(`select last_name_kana from contact where last_name_kana <> '' group by 1 order by count(*) desc, 1 limit 3`),
);
const jaPerson = await admin.unsafe<{ last_name: string; first_name: string }[]>(
  `select last_name, first_name from contact where last_name ~ ${JA} and first_name ~ ${JA} order by id limit 2`,
);
const enFirst = await col(
  admin.unsafe(`select first_name from contact where first_name ~ ${EN} group by 1 order by count(*) desc, 1 limit 2`),
);
const enLast = await col(
  admin.unsafe(`select last_name from contact where last_name ~ ${EN} group by 1 order by count(*) desc, 1 limit 2`),
);
const enRare = await col(admin.unsafe(`select last_name from contact where last_name ~ ${EN} group by 1 order by count(*), 1 limit 2`));
const enPerson = await one(
  admin.unsafe<{ first_name: string; last_name: string }[]>(
    `select first_name, last_name from contact where first_name ~ ${EN} and last_name ~ ${EN} order by id desc limit 1`,
  ),
);
const email = await one(admin.unsafe<{ email: string }[]>(`select email from contact where email like '%.co.jp' order by id limit 1`));
const freeMail = await one(
  admin.unsafe<{ email: string }[]>(`select email from contact where email like '%@gmail.com' order by id limit 1`),
);
const jpPhone = await one(
  admin.unsafe<{ phone: string }[]>(`select phone from contact where phone ~ '^0[0-9]+-[0-9]+-[0-9]{4}$' order by id limit 1`),
);
const mobile = await one(
  admin.unsafe<{ mobile: string }[]>(`select mobile from contact where mobile ~ '^0[0-9]0-' order by id desc limit 1`),
);
const usPhone = await one(admin.unsafe<{ phone: string }[]>(`select phone from contact where phone like '+1 %' order by id limit 1`));
const jaCompany = await one(admin.unsafe<{ name: string }[]>(`select name from company where name like '株式会社%' order by id limit 1`));
const enCompany = await one(admin.unsafe<{ name: string }[]>(`select name from company where name ~ '^[A-Za-z]' order by id limit 1`));
const domain = await one(
  admin.unsafe<{ d: string }[]>(`select split_part(email, '@', 2) as d from contact where email like '%.co.jp' order by id desc limit 1`),
);

const phoneTail = jpPhone.phone.split('-').slice(1).join('-'); // 7777-6666
const mobileTail = mobile.mobile.split('-').slice(1).join('-');
const jaStem = jaCompany.name.replace('株式会社', '');
const queries: Query[] = [
  ...topLast.map((q) => ({ kind: 'ja surname, common', object: 'contact' as const, q })),
  ...rareLast.map((q) => ({ kind: 'ja surname, rare', object: 'contact' as const, q })),
  ...oneChar.map((q) => ({ kind: 'ja 1 character (a surname)', object: 'contact' as const, q })),
  ...firstChar.map((q) => ({ kind: 'ja 1 character, most common', object: 'contact' as const, q })),
  ...topGiven.map((q) => ({ kind: 'ja given name', object: 'contact' as const, q })),
  ...topKana.map((q) => ({ kind: 'kana, half-width', object: 'contact' as const, q: halfWidth(q) })),
  ...topKana.slice(0, 2).map((q) => ({ kind: 'kana, hiragana', object: 'contact' as const, q: hiragana(q) })),
  ...jaPerson.map((p) => ({ kind: 'ja full name', object: 'contact' as const, q: `${p.last_name} ${p.first_name}` })),
  ...enFirst.map((q) => ({ kind: 'en first name, common', object: 'contact' as const, q: q.toLowerCase() })),
  ...enLast.map((q) => ({ kind: 'en last name, common', object: 'contact' as const, q })),
  ...enRare.map((q) => ({ kind: 'en last name, rare', object: 'contact' as const, q: q.toLowerCase() })),
  { kind: 'en full name', object: 'contact', q: `${enPerson.first_name} ${enPerson.last_name}` },
  { kind: 'ascii 1 character', object: 'contact', q: 'a' },
  { kind: 'ascii 1 character', object: 'contact', q: 'z' },
  { kind: 'ascii 2 characters', object: 'contact', q: 'an' },
  { kind: 'ascii 2 characters, rare', object: 'contact', q: 'qx' },
  { kind: 'email, whole', object: 'contact', q: email.email },
  { kind: 'email, local part prefix', object: 'contact', q: email.email.split('@')[0].slice(0, 6) },
  { kind: 'email, company domain', object: 'contact', q: domain.d },
  { kind: 'email, free-mail domain', object: 'contact', q: '@gmail.com' },
  { kind: 'email, whole (free mail)', object: 'contact', q: freeMail.email },
  { kind: 'phone, whole with hyphens', object: 'contact', q: jpPhone.phone },
  { kind: 'phone, whole digits only', object: 'contact', q: jpPhone.phone.replace(/-/g, '') },
  { kind: 'phone, local number with hyphen', object: 'contact', q: phoneTail },
  { kind: 'phone, local number digits', object: 'contact', q: phoneTail.replace(/-/g, '') },
  { kind: 'phone, last 4 digits', object: 'contact', q: phoneTail.slice(-4) },
  { kind: 'mobile, last 8 with hyphen', object: 'contact', q: mobileTail },
  { kind: 'mobile, last 8 digits', object: 'contact', q: mobileTail.replace(/-/g, '') },
  { kind: 'phone, US 555-xxxx', object: 'contact', q: usPhone.phone.slice(-8) },
  { kind: 'company, whole name', object: 'company', q: jaCompany.name },
  { kind: 'company, stem', object: 'company', q: jaStem },
  { kind: 'company, 2 characters', object: 'company', q: jaStem.slice(0, 2) },
  { kind: 'company, 株式会社', object: 'company', q: '株式会社' },
  { kind: 'company, en word', object: 'company', q: enCompany.name.split(' ')[0].toLowerCase() },
  { kind: 'company, en whole name', object: 'company', q: enCompany.name },
  { kind: 'no match, ascii', object: 'contact', q: 'xyzzy' },
  { kind: 'no match, ja', object: 'contact', q: '存在しない名前' },
  { kind: 'no match, ja 2 characters', object: 'contact', q: '麤鼈' },
  { kind: 'no match, digits', object: 'contact', q: '9999-0000-1111' },
  { kind: 'no match, kana', object: 'contact', q: 'ｽﾞｽﾞｽﾞ' },
  { kind: 'no match, company', object: 'company', q: 'zzzz株式会社' },
];
const COUNT = flag('count') ? '&count=true' : '';
const pathOf = (x: Query) => `/api/records/${x.object}?limit=50&q=${encodeURIComponent(x.q)}${COUNT}`;

// ---------------------------------------------------------------- load: 10 clients, every query ROUNDS times
const hits = new Map<Query, number>();
for (const x of queries) {
  // Warm-up (unmeasured), and the hit count as the capped count says it.
  const body = await get(`/api/records/${x.object}?limit=1&count=true&q=${encodeURIComponent(x.q)}`);
  const page = body.page as { total: number; total_is_estimate?: boolean };
  hits.set(x, page.total_is_estimate ? -page.total : page.total);
  await get(pathOf(x));
}
// One client, one query at a time: the service time of each query without queueing behind others.
const alone = new Map<Query, number[]>(queries.map((x) => [x, []]));
for (let round = 0; round < 3; round++)
  for (const x of queries) {
    const t = performance.now();
    await get(pathOf(x));
    alone.get(x)!.push(performance.now() - t);
  }
const uptimeBefore = execFileSync('uptime').toString().trim();
const shots = queries.flatMap((x) => Array.from({ length: ROUNDS }, () => x));
for (let i = shots.length - 1; i > 0; i--) {
  const j = (i * 7919 + 13) % (i + 1); // a fixed shuffle, so that runs compare
  [shots[i], shots[j]] = [shots[j], shots[i]];
}
const times = new Map<Query, number[]>(queries.map((x) => [x, []]));
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONNECTIONS }, async () => {
    while (next < shots.length) {
      const x = shots[next++];
      const t = performance.now();
      await get(pathOf(x));
      times.get(x)!.push(performance.now() - t);
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
const uptimeAfter = execFileSync('uptime').toString().trim();

// ---------------------------------------------------------------- report
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const f = (x: number) => x.toFixed(x < 10 ? 1 : 0);
const all = [...times.values()].flat();
const missed = queries.filter((x) => pct(times.get(x)!, 99) >= TARGET_MS);
log(
  `\n${N.toLocaleString('en')} contacts, ${queries.length} queries × ${ROUNDS}, ${CONNECTIONS} connections, limit 50${COUNT ? ', count=true' : ''}: ` +
    `${shots.length} requests in ${seconds.toFixed(1)} s (${(shots.length / seconds).toFixed(0)} req/s)`,
);
log(`uptime before: ${uptimeBefore}\nuptime after:  ${uptimeAfter}\n`);
log(
  '| # | kind | object | q | hits | 1 client, median of 3, ms | p50 ms | p99 ms | < 100 ms |\n|---:|---|---|---|---:|---:|---:|---:|---|',
);
queries.forEach((x, i) => {
  const t = times.get(x)!;
  const h = hits.get(x)!;
  log(
    `| ${i + 1} | ${x.kind} | ${x.object} | \`${x.q}\` | ${h < 0 ? `~${(-h).toLocaleString('en')}` : h.toLocaleString('en')} | ${f(pct(alone.get(x)!, 50))} | ${f(pct(t, 50))} | ${f(pct(t, 99))} | ${pct(t, 99) < TARGET_MS ? 'met' : '**missed**'} |`,
  );
});
const single = [...alone.values()].flat();
log(`\n1 client, one query at a time: median ${f(pct(single, 50))} ms, p99 ${f(pct(single, 99))} ms`);
log(
  `overall at ${CONNECTIONS} connections: p50 ${f(pct(all, 50))} ms, p99 ${f(pct(all, 99))} ms; ${queries.length - missed.length} of ${queries.length} queries met p99 < ${TARGET_MS} ms`,
);

if (missed.length && !flag('no-explain')) {
  // The first page's query as the list builds it, explained (the same code path, in this process).
  const k = await createKizuna({ url, schema, max: 1, bootstrapToken: TOKEN });
  const models = k.registry.snapshot().models;
  for (const x of missed) {
    const model = models.get(x.object)!;
    const readable = readableFields(model, undefined);
    const where = sql.join(listConditions(model, { q: x.q, trashed: false }, 't', { models }), sql` and `);
    let plan: string[] = [];
    await relevancePage(
      async (s) => {
        const rows = await k.db.query(sql`explain (analyze, buffers) ${s}`);
        plan = rows.map((r) => String(Object.values(r)[0]));
        return [];
      },
      {
        table: sql.identifier(model.table),
        alias: 't',
        where,
        select: selectList(model, 't', readable),
        rank: rankSql(model, readable, 't', x.q),
      },
      50,
      undefined,
    );
    log(`\n**${x.kind}: \`${x.q}\`** (${x.object})\n\`\`\`\n${plan.join('\n')}\n\`\`\``);
  }
  await k.close();
}

child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await admin.end();
process.exit(0);
