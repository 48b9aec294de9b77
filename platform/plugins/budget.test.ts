// Plugin hooks get a time budget: one that never resolves fails its write (503 naming the
// plugin) and gives its connection back; health reports a pool whose connections are all held.
import { rm } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

describe.each(databases)('plugin hook time budget on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await pluginFolderWith('hang');
    k = await startKizuna(kind, { pluginDirs: [dir], hookTimeoutMs: 300 });
    expect((await k.call('POST', '/api/plugins/hang/install')).status).toBe(201);
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const count = async () => (await k.call('GET', '/api/records/hang_item?count=true&limit=1')).body.page.total as number;

  it('a before-hook that never resolves fails its write with 503 naming the plugin, rolled back', async () => {
    const r = await k.call('POST', '/api/records/hang_item', { note: 'forever' });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({
      type: expect.stringContaining('plugin-timeout'),
      plugin: 'hang',
      timeout_ms: 300,
      request_id: expect.any(String),
    });
    expect(r.body.detail).toMatch(/"hang".*300 ms/);
    expect(await count()).toBe(0);
  });

  it('gives the connections back: more hung writes than the pool has connections, then normal work', async () => {
    const size = k.db.pool().size;
    const hung = await Promise.all(Array.from({ length: size + 7 }, () => k.call('POST', '/api/records/hang_item', { note: 'forever' })));
    expect(hung.map((r) => r.status)).toEqual(hung.map(() => 503));
    await expect.poll(() => k.db.pool().waiting).toBe(0);
    expect((await k.call('POST', '/api/records/hang_item', { note: 'fine' })).status).toBe(201);
    expect((await k.call('GET', '/api/health')).body.status).toBe('ok');
  });

  it('an after-hook that never resolves is marked failed instead of stalling delivery', async () => {
    await k.call('POST', '/api/records/hang_item', { note: 'after forever' });
    // Delivery waits for older transactions of the database to settle: poll.
    const cursor = async () => {
      await k.plugins.drain();
      return (
        await k.db.query<{ last_error: string | null }>(sql`select last_error from kizuna_subscriptions where name = 'plugin:hang'`)
      )[0].last_error;
    };
    await expect.poll(cursor).toMatch(/did not finish within 300 ms/);
  });
});

describe.each(databases)('health of a saturated pool on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await pluginFolderWith('hang');
    k = await startKizuna(kind, { pluginDirs: [dir], hookTimeoutMs: 10 * 60_000 });
    expect((await k.call('POST', '/api/plugins/hang/install')).status).toBe(201);
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says "degraded" with 503 and the reason while every connection is held, "ok" again after', async () => {
    expect((await k.call('GET', '/api/health')).body).toMatchObject({ status: 'ok', pool: { size: k.db.pool().size } });
    let open!: () => void;
    (globalThis as { kizunaHangGate?: Promise<void> }).kizunaHangGate = new Promise<void>((r) => (open = r));
    const size = k.db.pool().size;
    const writes = Array.from({ length: size + 1 }, () => k.call('POST', '/api/records/hang_item', { note: 'gate' }));
    await expect.poll(async () => (await k.call('GET', '/api/health')).status, { timeout: 30_000 }).toBe(503);
    const h = await k.call('GET', '/api/health');
    expect(h.body).toMatchObject({ status: 'degraded', pool: { size, busy: size } });
    expect(h.body.pool.waiting).toBeGreaterThan(0);
    expect(h.body.reason).toMatch(/database connection/);
    open();
    expect((await Promise.all(writes)).map((r) => r.status)).toEqual(Array(size + 1).fill(201));
    await expect.poll(async () => (await k.call('GET', '/api/health')).status).toBe(200);
  });
});
