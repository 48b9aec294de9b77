import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { startKizuna, type TestKizuna } from '../testing/kizuna.ts';

// Two server processes on one PostgreSQL: each instance has its own pool and its own LISTEN
// connection, exactly as two processes would. Waits are expect.poll's generous default (10 s,
// vitest.config.ts): they catch a node that never learns, not a slow one on a busy machine —
// how fast a change travels is a figure for bench/, not a test.
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

  it('a field added through one node is announced to the other and usable there without a restart', async () => {
    // Node b's registry reloads when it hears the change on this channel (its 5 s version poll
    // is only a safety net): that node b's connection hears it is what makes the change quick.
    const heard: string[] = [];
    const unlisten = await b.db.listen('kizuna_meta', (payload) => heard.push(payload));
    try {
      const add = await a.call('POST', '/api/meta/objects/contact/fields', {
        name: 'shoe_size',
        type: 'number',
        label: { en: 'Shoe size', ja: '靴のサイズ' },
      });
      expect(add.status).toBe(201);
      const [{ version }] = await a.db.query<{ version: number }>(sql`select version from kizuna_meta_state`);
      await expect.poll(() => heard).toContain(`${a.schema}:${version}`);
    } finally {
      await unlisten();
    }
    await expect.poll(async () => (await b.call('POST', '/api/records/contact', { last_name: '二', shoe_size: 26.5 })).status).toBe(201);
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

  // The plugin host and the API key cache have no polling fallback (the key cache keeps a key
  // 30 s): within the generous wait, only the NOTIFY can have brought the change to node b.
  it('a plugin installed and disabled on one node is live and off on the other without a restart', async () => {
    expect((await a.call('POST', '/api/plugins/hello/install')).status).toBe(201);
    // Live on b means both halves arrived: its route answers and its field and hook work.
    await expect
      .poll(async () => (await b.call('GET', '/api/plugins/hello/greet/b')).status, { message: "the plugin's route on node b" })
      .toBe(200);
    await expect
      .poll(async () => (await b.call('POST', '/api/records/contact', { last_name: '二号' })).body.greeting, {
        message: "the plugin's hook on node b",
      })
      .toBe('Hello, 二号');
    expect((await a.call('POST', '/api/plugins/hello/disable')).status).toBe(204);
    await expect
      .poll(async () => (await b.call('GET', '/api/plugins/hello/greet/b')).status, { message: "the plugin's route on node b" })
      .toBe(404);
  });

  it('a key revoked on one node stops working on the other at once', async () => {
    const made = (await a.call('POST', '/api/api-keys', { name: 'roaming' })).body;
    const use = () => b.app.request('/api/records/contact?limit=1', { headers: { authorization: `Bearer ${made.key}` } });
    expect((await use()).status).toBe(200);
    await a.call('DELETE', `/api/api-keys/${made.id}`);
    await expect.poll(async () => (await use()).status).toBe(401);
  });
});
