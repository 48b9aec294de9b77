import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const waitFor = async (check: () => Promise<boolean>, ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return Date.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
};

// Two server processes on one PostgreSQL: each instance has its own pool and its own LISTEN
// connection, exactly as two processes would.
describe.skipIf(!process.env.DATABASE_URL)('two nodes on one PostgreSQL', () => {
  let a: TestKizuna;
  let b: TestKizuna;
  beforeAll(async () => {
    a = await startKizuna('postgres');
    b = await startKizuna('postgres', { schema: a.schema });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a field added through one node is usable through the other within a second', async () => {
    const add = await a.call('POST', '/api/meta/objects/contact/fields', { name: 'shoe_size', type: 'number', label: { en: 'Shoe size', ja: '靴のサイズ' } });
    expect(add.status).toBe(201);
    const started = Date.now(); // committed: node a answered
    const seen = await waitFor(async () => (await b.call('POST', '/api/records/contact', { last_name: '二', shoe_size: 26.5 })).status === 201, 1000);
    expect(seen, 'node b did not see the new field within 1 s').toBeDefined();
    expect(seen! - started).toBeLessThan(1000);
    const list = await b.call('GET', '/api/records/contact?filter=' + encodeURIComponent(JSON.stringify({ shoe_size: { gt: 26 } })));
    expect(list.body.data).toHaveLength(1);
  });

  it('serializes concurrent metadata changes from both nodes without losing one', async () => {
    const fields = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, type: 'text', label: { en: `F${i}`, ja: `F${i}` } }));
    const results = await Promise.all(fields.map((f, i) => (i % 2 ? a : b).call('POST', '/api/meta/objects/company/fields', f)));
    expect(results.map((r) => r.status)).toEqual(fields.map(() => 201));
    await b.registry.refresh();
    await a.registry.refresh();
    for (const node of [a, b]) {
      const props = Object.keys((await node.call('GET', '/api/meta/objects/company')).body.properties);
      expect(props).toEqual(expect.arrayContaining(fields.map((f) => f.name)));
    }
  });

  it('a plugin installed and disabled on one node is live and off on the other within a second', async () => {
    expect((await a.call('POST', '/api/plugins/hello/install')).status).toBe(201);
    // Live on b means both halves arrived: its route answers and its field and hook work.
    const on = await waitFor(
      async () =>
        (await b.call('GET', '/api/plugins/hello/greet/b')).status === 200 &&
        (await b.call('POST', '/api/records/contact', { last_name: '二号' })).body.greeting === 'Hello, 二号',
      1000,
    );
    expect(on, 'node b did not have the plugin live within 1 s').toBeDefined();
    expect((await a.call('POST', '/api/plugins/hello/disable')).status).toBe(204);
    const off = await waitFor(async () => (await b.call('GET', '/api/plugins/hello/greet/b')).status === 404, 1000);
    expect(off, 'node b kept the plugin on for more than 1 s').toBeDefined();
  });

  it('a key revoked on one node stops working on the other at once', async () => {
    const made = (await a.call('POST', '/api/api-keys', { name: 'roaming' })).body;
    const use = () => b.app.request('/api/records/contact?limit=1', { headers: { authorization: `Bearer ${made.key}` } });
    expect((await use()).status).toBe(200);
    await a.call('DELETE', `/api/api-keys/${made.id}`);
    const gone = await waitFor(async () => (await use()).status === 401, 1000);
    expect(gone).toBeDefined();
  });
});
