// Keeps the benchmark honest: on a small seeded database, the hand-written baseline must answer
// every workload with exactly the JSON the generated API answers (create: the same keys), so
// a platform change that alters the records API shows up here and not as a silently unfair
// benchmark. PostgreSQL only (the baseline is postgres.js).
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startKizuna, type TestKizuna } from '../platform/testing/kizuna.ts';
import { createHandwritten } from './handwritten.ts';
import { seed } from './seed.ts';
import { ALL_WORKLOADS, workloads } from './workloads.ts';

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('benchmark baseline', () => {
  let k: TestKizuna;
  let hw: ReturnType<typeof createHandwritten>;
  let w: ReturnType<typeof workloads>;

  beforeAll(async () => {
    k = await startKizuna('postgres');
    const score = await k.call('POST', '/api/meta/objects/contact/fields', {
      name: 'score',
      type: 'integer',
      label: { en: 'Score', ja: 'スコア' },
      indexed: true,
    });
    expect(score.status).toBe(201);
    await (k.registry as { idle?: () => Promise<void> }).idle?.();
    const admin = postgres(url!, { max: 1, onnotice: () => {}, connection: { search_path: `${k.schema},public` } });
    try {
      const [user] = await admin`select id::text as id from kizuna_users where is_admin limit 1`;
      await seed(admin, { schema: k.schema!, companies: 40, contacts: 1500, actor: user.id, log: () => {} });
      await admin`analyze company`;
      await admin`analyze contact`;
      const ids = (await admin`select id::text as id from contact limit 50`).map((r) => r.id as string);
      const companyIds = (await admin`select id::text as id from company limit 10`).map((r) => r.id as string);
      w = workloads(ids, companyIds);
      hw = createHandwritten({ url: url!, schema: k.schema!, token: ADMIN_TOKEN, actor: user.id, max: 2 });
    } finally {
      await admin.end();
    }
  });

  afterAll(async () => {
    await hw?.close();
    await k?.close();
  });

  const send = async (
    app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
    shot: { method: string; path: string; body?: string },
  ) => {
    const res = await app.request(shot.path, {
      method: shot.method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(shot.body && { 'content-type': 'application/json' }) },
      body: shot.body,
    });
    return { status: res.status, text: await res.text() };
  };

  for (const name of ALL_WORKLOADS) {
    it(`answers ${name} like the generated API`, async () => {
      for (let i = 0; i < (name === 'q' ? 16 : 3); i++) {
        const shot = w[name].next();
        const a = await send(k.app, shot);
        const b = await send(hw.app, shot);
        expect(b.status, `${shot.method} ${shot.path}`).toBe(a.status);
        expect(a.status).toBeLessThan(300);
        if (name === 'create') expect(Object.keys(JSON.parse(b.text))).toEqual(Object.keys(JSON.parse(a.text)));
        else expect(b.text, `${shot.method} ${shot.path}`).toBe(a.text);
      }
    });
  }
});
