// Bad input never gets a 5xx. Every route the app registers (read from Hono, so routes added
// later are covered without touching this file) is called with hostile path parameters, query
// strings and bodies; every answer must be below 500, and every 4xx a problem+json document.
// The inputs come from a seeded generator: KIZUNA_FUZZ_SEED replays a failing run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { prng, type Rng } from '../testing/prng.ts';

const SEED = Number(process.env.KIZUNA_FUZZ_SEED ?? 20261125);
const PER_ROUTE = Number(process.env.KIZUNA_FUZZ_PER_ROUTE ?? 24);

const deep = (n: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { and: [v] };
  return v;
};

const strings = [
  '',
  ' ',
  'x',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '{"',
  '日本語テキスト',
  '００１２',
  "'; drop table contact; --",
  '\u0000',
  '%00',
  'a'.repeat(5000),
  '../../etc/passwd',
  '2026-02-30',
  '2026/1/5',
  '\ud800',
  '{"and":[]}',
  '{"id":{"eq":"not-a-uuid"}}',
  '{"last_name":{"zz":1}}',
  '{"company.name":{"contains":"株式"}}',
  '-created_at,+',
  'last_name,last_name',
  '*',
  '$me',
  '{{trigger.record.id}}',
  '00000000-0000-0000-0000-000000000000',
  'eyJub3QiOiJhIGN1cnNvciJ9',
  `${'{"and":['.repeat(3000)}{}${']}'.repeat(3000)}`,
  `{"姓":"${'x'.repeat(70)}","メール":"email"}`,
  '{"__proto__":{"polluted":1}}',
  'iso-2022-jp',
  'cp932',
  'utf-16be',
  'euc-jp',
  'tab',
  'xlsx',
  'ja',
  'api',
  'shift_jis',
  'utf-8-bom',
];

const values: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  -0,
  true,
  false,
  'str',
  '',
  [],
  [null],
  [[[]]],
  {},
  { '': null },
  { __proto__: { polluted: 1 } },
  { constructor: { prototype: { polluted: 1 } } },
  'x'.repeat(20000),
  '日本',
  { en: 1, ja: null },
  [{ fields: 'x' }],
  deep(40),
  { eq: null },
  { type: 'nope' },
  '2026-13-01',
  '1,234',
  '１２３',
  { amount: 'x', currency: 'ZZZ' },
];

const keys = [
  'name',
  'label',
  'plural',
  'fields',
  'type',
  'options',
  'target',
  'inverse',
  'required',
  'unique',
  'default',
  'indexes',
  'field_order',
  'email',
  'password',
  'role',
  'teams',
  'locale',
  'is_admin',
  'active',
  'filter',
  'sort',
  'columns',
  'group_by',
  'layout',
  'kind',
  'object',
  'shared',
  'key',
  'values',
  'ids',
  'records',
  'upsert_on',
  'mode',
  'mapping',
  'create_missing',
  'trigger',
  'start',
  'steps',
  'variables',
  'definition',
  'record_id',
  'input',
  'settings',
  'grants',
  'scope',
  'last_name',
  'first_name',
  'company',
  'lifecycle',
  'tags',
  'score',
  'subject',
  'priority',
  'status',
  'version',
  'id',
  'current_password',
  'new_password',
  'token',
  'members',
];

const queryParams = [
  'filter',
  'sort',
  'limit',
  'cursor',
  'fields',
  'include',
  'q',
  'count',
  'trashed',
  'object',
  'record_id',
  'since',
  'until',
  'actor',
  'kind',
  'rows',
  'mapping',
  'format',
  'header',
  'encoding',
  'filename',
  'delimiter',
  'dry_run',
  'create_missing',
];

// Near-valid bodies: most of a request right, one part wrong, reaches deeper than garbage.
const examples: [RegExp, () => unknown][] = [
  [
    /^POST \/api\/records\/:object$/,
    () => ({
      last_name: '山田',
      first_name: '太郎',
      email: 'taro@example.jp',
      lifecycle: 'lead',
      tags: ['vip'],
      do_not_contact: false,
      score: 10,
    }),
  ],
  [/^PATCH \/api\/records\/:object\/:id$/, () => ({ first_name: '花子', company: null, tags: [] })],
  [
    /^POST \/api\/records\/:object\/bulk$/,
    () => ({ records: [{ last_name: '一' }, { last_name: '二', email: 'ni@example.jp' }], upsert_on: ['email'] }),
  ],
  [
    /^POST \/api\/meta\/objects$/,
    () => ({
      name: 'fuzz_thing',
      label: { en: 'Thing', ja: '物' },
      plural: 'fuzz_things',
      indexes: [{ fields: ['title'] }],
      fields: [
        { name: 'title', type: 'text', label: { en: 'Title', ja: '題' }, required: true },
        { name: 'kind', type: 'select', label: { en: 'Kind', ja: '種類' }, options: [{ value: 'a', label: { en: 'A', ja: 'エー' } }] },
      ],
    }),
  ],
  [
    /^PATCH \/api\/meta\/objects\/:object$/,
    () => ({ label: { en: 'Contact', ja: '連絡先' }, indexes: [{ fields: ['last_name', '-created_at'] }] }),
  ],
  [
    /^POST \/api\/meta\/objects\/:object\/fields$/,
    () => ({ name: 'fuzz_field', type: 'integer', label: { en: 'F', ja: 'エフ' }, minimum: 0, maximum: 10, default: 1 }),
  ],
  [/^PATCH \/api\/meta\/objects\/:object\/fields\/:field$/, () => ({ label: { en: 'Last name', ja: '姓' }, max_length: 100 })],
  [
    /^POST \/api\/views$/,
    () => ({
      object: 'contact',
      name: { en: 'Mine', ja: '自分' },
      kind: 'list',
      filter: { owner: { eq: '$me' } },
      sort: ['-created_at'],
      columns: ['last_name'],
    }),
  ],
  [/^PATCH \/api\/views\/:id$/, () => ({ kind: 'kanban', group_by: 'lifecycle', columns: ['last_name', 'email'] })],
  [
    /^POST \/api\/users$/,
    () => ({ email: 'fuzz@example.jp', name: '検査', locale: 'ja', password: 'correct horse battery', roles: ['viewer'] }),
  ],
  [/^POST \/api\/teams$/, () => ({ name: 'Fuzzers', label: { en: 'Fuzzers', ja: '検査班' }, members: [] })],
  [
    /^(POST \/api\/workflows|PATCH \/api\/workflows\/:id|POST \/api\/workflows\/validate)$/,
    () => ({
      name: 'fuzz',
      trigger: { type: 'record.created', object: 'contact', condition: { lifecycle: { eq: 'lead' } } },
      start: 'a',
      steps: [
        { id: 'a', type: 'condition', config: { filter: { email: { contains: '@' } } }, branches: { true: 'b' } },
        { id: 'b', type: 'update_record', config: { values: { title: '{{trigger.record.last_name}}' } } },
      ],
    }),
  ],
  [/^POST \/api\/workflows\/:id\/(run|test)$/, () => ({ record_id: null, input: { a: 1 } })],
  [/^POST \/api\/imports\/:id\/start$/, () => ({ mapping: { 姓: 'last_name', メール: 'email' }, mode: 'partial', upsert_on: ['email'] })],
];

/** Replaces one random node of a JSON value (or removes a key) with something hostile. */
function mutate(r: Rng, v: unknown, depth = 0): unknown {
  if (depth > 0 && r.next() < 0.35) return r.next() < 0.5 ? r.pick(values) : r.pick(strings);
  if (Array.isArray(v)) {
    if (!v.length) return [r.pick(values)];
    const i = Math.floor(r.next() * v.length);
    return v.map((x, j) => (j === i ? mutate(r, x, depth + 1) : x));
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    const roll = r.next();
    if (roll < 0.15 && entries.length) return Object.fromEntries(entries.filter((_, j) => j !== Math.floor(r.next() * entries.length)));
    if (roll < 0.3) return { ...v, [r.pick(keys)]: r.pick(values) };
    const i = Math.floor(r.next() * entries.length);
    return Object.fromEntries(entries.map(([k2, x], j) => [k2, j === i ? mutate(r, x, depth + 1) : x]));
  }
  return r.pick(values);
}

interface Route {
  method: string;
  path: string;
}

describe.each(databases)('hostile input on %s', (kind) => {
  let k: TestKizuna;
  let contactId: string;
  const realIds: Record<string, string> = {};
  let routes: Route[];

  beforeAll(async () => {
    k = await startKizuna(kind);
    contactId = (await k.call('POST', '/api/records/contact', { last_name: '頑丈' })).body.id;
    // Real ids where a route needs one to get past its 404.
    realIds.workflows = (await k.call('POST', '/api/workflows', examples.find(([re]) => re.test('POST /api/workflows'))![1]())).body.id;
    realIds.views = (await k.call('POST', '/api/views', { object: 'contact', name: { en: 'Fuzz' }, kind: 'list' })).body.id;
    const upload = await k.app.request('/api/imports?object=contact&filename=fuzz.csv', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
      body: '姓,メール\n山田,yamada@example.jp\n',
    });
    realIds.imports = (await upload.json()).id;
    const seen = new Set<string>();
    routes = (k.app.routes as Route[]).filter((r) => {
      const key = `${r.method} ${r.path}`;
      if (r.method === 'ALL' || r.path.includes('*') || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
  afterAll(() => k?.close());

  /** A value for a path parameter; real names only where calling with them cannot destroy anything. */
  function paramValue(r: Rng, name: string, route: Route): string {
    const harmless = route.method !== 'DELETE' && !/uninstall|disable/.test(route.path);
    const section = /^\/api\/(\w+)/.exec(route.path)?.[1] ?? '';
    const id = section === 'records' ? contactId : realIds[section];
    const real: Record<string, string[]> = { object: ['contact'], id: id ? [id] : [], field: ['last_name'], name: ['hello'] };
    const good = harmless ? (real[name] ?? []) : [];
    if (good.length && r.next() < 0.6) return encodeURIComponent(r.pick(good));
    return encodeURIComponent(
      r.pick(['nope', '00000000-0000-0000-0000-000000000000', 'not-a-uuid', '1', 'x'.repeat(300), "'or'1'='1", '日本', '%2e%2e']),
    );
  }

  function body(r: Rng, route: Route): { text: string; type: string } {
    const example = examples.find(([re]) => re.test(`${route.method} ${route.path}`))?.[1];
    if (example && r.next() < 0.6) return { text: JSON.stringify(mutate(r, example())), type: 'application/json' };
    const roll = r.next();
    if (roll < 0.08) return { text: '{"unterminated": ', type: 'application/json' };
    if (roll < 0.12) return { text: 'last_name=x', type: 'application/x-www-form-urlencoded' };
    if (roll < 0.16) return { text: `${'{"and":['.repeat(5000)}1${']}'.repeat(5000)}`, type: 'application/json' };
    if (roll < 0.3) return { text: JSON.stringify(r.pick(values)), type: 'application/json' };
    const obj: Record<string, unknown> = {};
    const n = 1 + Math.floor(r.next() * 4);
    for (let i = 0; i < n; i++) obj[r.pick(keys)] = r.next() < 0.5 ? r.pick(values) : r.pick(strings);
    return { text: JSON.stringify(obj), type: 'application/json' };
  }

  it('answers every route below 500, with problem+json for client errors', async () => {
    const r = prng(SEED);
    const failures: string[] = [];
    for (const route of routes) {
      for (let i = 0; i < PER_ROUTE; i++) {
        const path = route.path.replace(/:(\w+)/g, (_, name: string) => paramValue(r, name, route));
        const qs = new URLSearchParams();
        if (route.path === '/api/imports' && r.next() < 0.7)
          (qs.set('object', 'contact'), qs.set('filename', r.pick(['a.csv', 'b.tsv', 'c.xlsx', '日本.csv'])));
        const nq = r.next() < 0.25 ? 1 + Math.floor(r.next() * 2) : 0;
        for (let j = 0; j < nq; j++) qs.set(r.pick(queryParams), r.pick(strings));
        const url = qs.size ? `${path}?${qs}` : path;
        const hasBody = ['POST', 'PATCH', 'PUT'].includes(route.method);
        const b = hasBody ? body(r, route) : undefined;
        const res = await k.app.request(url, {
          method: route.method,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(b && { 'content-type': b.type }) },
          body: b?.text,
        });
        const text = await res.text();
        const type = res.headers.get('content-type') ?? '';
        if (res.status >= 500)
          failures.push(`${route.method} ${url.slice(0, 160)} body ${b?.text.slice(0, 160)} → ${res.status} ${text.slice(0, 200)}`);
        else if (res.status >= 400 && !type.includes('application/problem+json'))
          failures.push(`${route.method} ${url.slice(0, 160)} → ${res.status} as ${type}`);
      }
    }
    expect(failures, `seed ${SEED}`).toEqual([]);
    // Still whole afterwards.
    expect((await k.call('GET', `/api/records/contact/${contactId}`)).status).toBe(200);
    expect((await k.call('GET', '/api/meta/objects/contact')).status).toBe(200);
  }, 300_000);
});
