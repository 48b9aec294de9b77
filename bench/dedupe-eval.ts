// Quality of the dedupe plugin on the labelled evaluation set (test/fixtures/dedupe): the set is
// loaded through the records API, then every labelled pair is judged twice — by the per-record
// check (GET /duplicates: is b a likely duplicate of a, and a of b?) and by the scan (are a and b
// in one group?) — and compared with its label. A scan group holding records of two different
// real-world entities is a chain (or a plain error): counted separately.
// Usage: [DATABASE_URL=…] npx tsx bench/dedupe-eval.ts   (prints JSON; the test runs evaluate())
import { readFixture } from '../platform/testing/fixtures.ts';

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
interface Pair {
  a: string;
  b: string;
  duplicate: boolean;
  pattern: string;
}
interface Fixture {
  records: ({ key: string } & Record<string, unknown>)[];
  pairs: Pair[];
  clusters: string[][];
}

export const readSet = (name: 'companies' | 'contacts'): Fixture =>
  JSON.parse(new TextDecoder().decode(readFixture(`dedupe/${name}.json`)));

/** Creates the companies, then the contacts under them; answers fixture key → record id. */
export async function loadEvaluationSet(call: Call): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [object, set] of [
    ['company', readSet('companies')],
    ['contact', readSet('contacts')],
  ] as const) {
    const rows = set.records.map(({ key: _, ...r }) =>
      object === 'contact' && typeof r.company === 'string' ? { ...r, company: ids.get(r.company) } : r,
    );
    for (let i = 0; i < rows.length; i += 1000) {
      const made = await call('POST', `/api/records/${object}/bulk`, { records: rows.slice(i, i + 1000) });
      if (made.status !== 200) throw new Error(`loading ${object}: ${made.status} ${JSON.stringify(made.body).slice(0, 500)}`);
      made.body.records.forEach((r: { index: number; id: string }) => ids.set(set.records[i + r.index].key, r.id));
    }
  }
  return ids;
}

export interface Quality {
  pairs: number;
  duplicates: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  /** Pattern → wrong judgements, for a reader looking for where it fails. */
  misses: Record<string, number>;
}

function quality(pairs: Pair[], judge: (p: Pair) => boolean): Quality {
  let tp = 0,
    fp = 0,
    fn = 0;
  const misses: Record<string, number> = {};
  for (const p of pairs) {
    const said = judge(p);
    if (said && p.duplicate) tp++;
    else if (said) fp++;
    else if (p.duplicate) fn++;
    if (said !== p.duplicate)
      misses[`${p.duplicate ? 'missed' : 'false'}:${p.pattern}`] = (misses[`${p.duplicate ? 'missed' : 'false'}:${p.pattern}`] ?? 0) + 1;
  }
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  return {
    pairs: pairs.length,
    duplicates: pairs.filter((p) => p.duplicate).length,
    tp,
    fp,
    fn,
    precision: r3(tp / Math.max(1, tp + fp)),
    recall: r3(tp / Math.max(1, tp + fn)),
    misses,
  };
}

export interface Evaluation {
  object: string;
  check: Quality;
  /** The same check counting "possible" too: what the duplicates panel lists for a person to judge. */
  check_possible: Quality;
  /** Pairs the per-record check judged differently from a's side and from b's. */
  asymmetric: number;
  scan: Quality;
  groups: number;
  /** Scan groups holding records of more than one real-world entity. */
  impure_groups: number;
}

export async function evaluate(call: Call, ids: Map<string, string>): Promise<Evaluation[]> {
  const out: Evaluation[] = [];
  for (const [object, set] of [
    ['company', readSet('companies')],
    ['contact', readSet('contacts')],
  ] as const) {
    const keyOf = new Map([...ids].map(([k, id]) => [id, k]));
    const likely = new Map<string, Set<string>>();
    const listed = new Map<string, Set<string>>();
    for (const key of new Set(set.pairs.flatMap((p) => [p.a, p.b]))) {
      const r = await call('GET', `/api/plugins/dedupe/duplicates/${object}/${ids.get(key)}`);
      if (r.status !== 200) throw new Error(`duplicates of ${object} ${key}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      likely.set(
        key,
        new Set(r.body.data.filter((m: { level: string }) => m.level === 'likely').map((m: { id: string }) => keyOf.get(m.id)!)),
      );
      listed.set(key, new Set(r.body.data.map((m: { id: string }) => keyOf.get(m.id)!)));
    }
    const check = quality(set.pairs, (p) => likely.get(p.a)!.has(p.b) || likely.get(p.b)!.has(p.a));
    const asymmetric = set.pairs.filter((p) => likely.get(p.a)!.has(p.b) !== likely.get(p.b)!.has(p.a)).length;
    const scan = await call('POST', `/api/plugins/dedupe/scan/${object}`, { limit: 1000 });
    if (scan.status !== 200) throw new Error(`scan of ${object}: ${scan.status} ${JSON.stringify(scan.body).slice(0, 300)}`);
    const groupOf = new Map<string, number>();
    scan.body.groups.forEach((g: { ids: string[] }, n: number) => g.ids.forEach((id) => groupOf.set(keyOf.get(id)!, n)));
    const entity = new Map<string, number>();
    set.clusters.forEach((c, n) => c.forEach((k) => entity.set(k, n)));
    const impure = scan.body.groups.filter(
      (g: { ids: string[] }) => new Set(g.ids.map((id) => entity.get(keyOf.get(id)!) ?? `alone:${id}`)).size > 1,
    ).length;
    out.push({
      object,
      check,
      asymmetric,
      check_possible: quality(set.pairs, (p) => listed.get(p.a)!.has(p.b) || listed.get(p.b)!.has(p.a)),
      scan: quality(set.pairs, (p) => groupOf.has(p.a) && groupOf.get(p.a) === groupOf.get(p.b)),
      groups: scan.body.groups.length,
      impure_groups: impure,
    });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { createKizuna } = await import('../platform/server.ts');
  const TOKEN = 'kz_bench_dedupe_eval_token_0123456';
  const schema = process.env.DATABASE_URL ? `kz_bench_dedupe_${Date.now()}` : undefined;
  const k = await createKizuna({ url: process.env.DATABASE_URL, schema, bootstrapToken: TOKEN, logRequests: false });
  const call: Call = async (method, path, body) => {
    const r = await k.app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  if ((await call('POST', '/api/plugins/dedupe/install')).status !== 201) throw new Error('cannot install dedupe');
  const t0 = performance.now();
  const ids = await loadEvaluationSet(call);
  const result = await evaluate(call, ids);
  console.log(JSON.stringify({ database: k.db.kind, seconds: Math.round((performance.now() - t0) / 100) / 10, result }, null, 1));
  await k.close();
  if (schema) {
    const postgres = (await import('postgres')).default;
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema "${schema}" cascade`).finally(() => admin.end());
  }
}
