// Plugins across nodes: two Kizuna instances on one database (one PGlite, or one PostgreSQL
// schema), each with its own plugin host, as two servers behind a load balancer.
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { copyPlugin, emptyPluginFolder, pluginFolderWith } from '../testing/plugins.ts';

/** A second node on the first one's data. */
const secondNode = (kind: (typeof databases)[number], first: TestKizuna, pluginDirs: string[]) =>
  startKizuna(kind, kind === 'postgres' ? { pluginDirs, schema: first.schema } : { pluginDirs, pglite: first.pglite });

describe.each(databases)('plugins on two nodes (%s)', (kind) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    // The second node first: on PGlite the first one closes the shared database.
    for (const f of cleanup.reverse()) await f().catch(() => {});
    cleanup.length = 0;
  });
  const start = async (dirs: string[], first?: TestKizuna) => {
    const k = first ? await secondNode(kind, first, dirs) : await startKizuna(kind, { pluginDirs: dirs });
    cleanup.push(() => k.close());
    return k;
  };

  it('a node started before a plugin was deployed and installed loads it on the change notification', async () => {
    const dir = await emptyPluginFolder();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const one = await start([dir]);
    const two = await start([dir], one);
    await copyPlugin(dir, 'hello'); // deployed to both nodes after they started
    expect((await one.call('POST', '/api/plugins/hello/install')).status).toBe(201);
    expect((await one.call('POST', '/api/records/contact', { last_name: 'Nobody' })).status).toBe(409);
    await expect.poll(() => two.plugins.active()).toContain('hello');
    const refused = await two.call('POST', '/api/records/contact', { last_name: 'Nobody' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect((await two.call('POST', '/api/records/contact', { last_name: '二号' })).body.greeting).toBe('Hello, 二号');
  });

  it("a node without the plugin's files refuses writes to its objects (503 naming it) until the files arrive", async () => {
    const withHello = await pluginFolderWith('hello');
    const without = await emptyPluginFolder();
    cleanup.push(
      () => rm(withHello, { recursive: true, force: true }),
      () => rm(without, { recursive: true, force: true }),
    );
    const one = await start([withHello]);
    const two = await start([without], one);
    expect((await one.call('POST', '/api/plugins/hello/install')).status).toBe(201);
    await expect.poll(async () => (await two.call('POST', '/api/records/contact', { last_name: 'Nobody' })).status).toBe(503);
    const refused = await two.call('POST', '/api/records/contact', { last_name: 'Nobody' });
    expect(refused.body).toMatchObject({
      type: expect.stringContaining('plugin-unavailable'),
      plugin: 'hello',
      request_id: expect.any(String),
    });
    expect((await two.call('POST', '/api/records/case', { subject: "not hello's object" })).status).toBe(201);
    await copyPlugin(without, 'hello');
    await expect.poll(async () => (await two.call('POST', '/api/records/contact', { last_name: 'Nobody' })).status).toBe(409);
  });

  it('two installs of one plugin at once: one 201, the other 409', async () => {
    const dir = await pluginFolderWith('hello');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const one = await start([dir]);
    const two = await start([dir], one);
    const results = await Promise.all([one.call('POST', '/api/plugins/hello/install'), two.call('POST', '/api/plugins/hello/install')]);
    expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body).toMatchObject({ plugin: 'hello', request_id: expect.any(String) });
  });
});
