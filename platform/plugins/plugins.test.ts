import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { copyPlugin, emptyPluginFolder } from '../testing/plugins.ts';
import { orderPlugins } from './order.ts';

const repo = resolve(import.meta.dirname, '../..');

/** Test plugins in a temp folder (so an upgrade can rewrite one), plus the bundled hello. */
async function pluginFolder() {
  const dir = await emptyPluginFolder();
  for (const name of ['hello', 'thrower', 'needs_hello', 'bad_install', 'sdk_probe']) await copyPlugin(dir, name);
  return dir;
}

describe('plugin ordering', () => {
  const m = (name: string, deps: Record<string, string> = {}) => ({
    manifest: { name, version: '1.0.0', title: { en: name, ja: name }, kizuna: '*', dependencies: deps },
  });
  it('puts dependencies first and names a cycle', () => {
    expect(orderPlugins([m('b', { a: '*' }), m('a'), m('c', { b: '*' })]).map((p) => p.manifest.name)).toEqual(['a', 'b', 'c']);
    expect(() => orderPlugins([m('x', { y: '*' }), m('y', { x: '*' })])).toThrow(/cycle: x → y → x/);
  });
});

describe.each(databases)('plugins on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await pluginFolder();
    k = await startKizuna(kind, { pluginDirs: [dir] });
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const count = async (object: string) => (await k.call('GET', `/api/records/${object}?count=true&limit=1`)).body.page.total as number;

  it('lists what it found, with what keeps a plugin from installing', async () => {
    const r = await k.call('GET', '/api/plugins');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.data.map((p: { name: string }) => [p.name, p]));
    expect(byName.hello).toMatchObject({ available_version: '1.0.0', installed_version: null, enabled: false });
    // The manifest's settings schema, for the studio's settings form; null for a plugin without settings.
    expect(byName.hello.settings_schema.properties.word).toMatchObject({
      type: 'string',
      maxLength: 20,
      'x-kizuna': { label: { en: 'Greeting word', ja: '挨拶の言葉' } },
    });
    expect(byName.needs_hello.settings_schema).toBeNull();
    expect(byName.needs_hello.problems[0].message).toMatch(/needs the plugin "hello"/);
    expect((await k.call('POST', '/api/plugins/needs_hello/install')).status).toBe(422);
  });

  it('installs with a dry run first, then live: metadata, hook and route, without restart', async () => {
    const dry = await k.call('POST', '/api/plugins/hello/install?dry_run=true');
    expect(dry.status).toBe(200);
    expect(dry.body.plan).toEqual([expect.objectContaining({ kind: 'add_column', object: 'contact', field: 'greeting' })]);
    expect((await k.call('GET', '/api/plugins/hello/greet/x')).status).toBe(404);
    const r = await k.call('POST', '/api/plugins/hello/install');
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const c = await k.call('POST', '/api/records/contact', { last_name: '田中' });
    expect(c.body.greeting).toBe('Hello, 田中');
    const refused = await k.call('POST', '/api/records/contact', { last_name: 'Nobody' });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].field).toBe('last_name');
    expect((await k.call('GET', '/api/plugins/hello/greet/世界')).body).toEqual({ greeting: 'Hello, 世界' });
    expect((await k.call('PUT', '/api/plugins/hello/settings', { word: 'こんにちは' })).status).toBe(200);
    const refused422 = await k.call('PUT', '/api/plugins/hello/settings', { word: 1 });
    expect(refused422.status).toBe(422);
    expect(refused422.body.errors).toEqual([{ field: 'word', message: 'must be string', keyword: 'type' }]);
    expect((await k.call('GET', '/api/plugins/hello/greet/世界')).body).toEqual({ greeting: 'こんにちは, 世界' });
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/greeting')).status).toBe(409);
    expect((await k.call('POST', '/api/plugins/hello/install')).status).toBe(409);
  });

  it("plugin routes act with the caller's permissions", async () => {
    const u = await k.call('POST', '/api/users', { email: 'v@example.jp', name: 'v', roles: ['viewer'] });
    const key = (await k.call('POST', '/api/api-keys', { name: 'v', user_id: u.body.id })).body.key;
    const r = await k.call('GET', '/api/plugins/hello/contacts', undefined, { authorization: `Bearer ${key}` });
    expect(r.status).toBe(200);
    expect((await k.call('GET', '/api/plugins', undefined, { authorization: `Bearer ${key}` })).status).toBe(403);
  });

  it('disables and enables live', async () => {
    expect((await k.call('POST', '/api/plugins/hello/disable')).status).toBe(204);
    expect((await k.call('GET', '/api/plugins/hello/greet/x')).status).toBe(404);
    expect((await k.call('POST', '/api/records/contact', { last_name: 'Nobody' })).status).toBe(201);
    expect((await k.call('POST', '/api/plugins/hello/enable')).status).toBe(204);
    expect((await k.call('POST', '/api/records/contact', { last_name: 'Nobody' })).status).toBe(409);
  });

  it('isolates a failing plugin: its write rolls back, the rest keeps serving', async () => {
    expect((await k.call('POST', '/api/plugins/thrower/install')).status).toBe(201);
    const before = await count('case');
    const crash = await k.call('POST', '/api/records/case', { subject: 'crash before create' });
    expect(crash.status).toBe(500);
    expect(crash.body).toMatchObject({ type: expect.stringContaining('plugin-error'), plugin: 'thrower' });
    expect(await count('case')).toBe(before);
    const ok = await k.call('POST', '/api/records/case', { subject: 'fine' });
    expect(ok.status).toBe(201);
    const upd = await k.call('PATCH', `/api/records/case/${ok.body.id}`, { subject: 'crash before update' });
    expect(upd.status).toBe(500);
    expect((await k.call('GET', `/api/records/case/${ok.body.id}`)).body.subject).toBe('fine');
    expect((await k.call('DELETE', `/api/records/case/${ok.body.id}`)).status).toBe(500);
    expect((await k.call('GET', `/api/records/case/${ok.body.id}`)).status).toBe(200);
    const route = await k.call('GET', '/api/plugins/thrower/crash');
    expect(route.status).toBe(500);
    expect(route.body.plugin).toBe('thrower');
    expect((await k.call('POST', '/api/records/contact', { last_name: '無事' })).status).toBe(201);
  });

  it('delivers after-hooks from the outbox at least once, and retries a failing one', async () => {
    // Delivery waits for older transactions of the database to settle (on a shared PostgreSQL,
    // other tests' too): poll.
    const seen = async () => {
      await k.plugins.drain();
      return (await k.call('GET', '/api/plugins/thrower/seen')).body as string[];
    };
    await k.call('POST', '/api/records/case', { subject: 'delivered once' });
    await expect.poll(seen).toContain('record.created:delivered once');
    await k.call('POST', '/api/records/case', { subject: 'crash after create' });
    await k.call('POST', '/api/records/case', { subject: 'after the crash' });
    const cursor = async () => {
      await k.plugins.drain();
      const [c] = await k.db.query<{ failures: number; last_error: string }>(
        sql`select failures, last_error from kizuna_subscriptions where name = 'plugin:thrower'`,
      );
      return c;
    };
    // Backoff starts at 1 s; on a slow machine a retry may already have failed again.
    await expect.poll(async () => (await cursor()).failures).toBeGreaterThanOrEqual(1);
    expect((await cursor()).last_error).toBe('boom in afterCreate');
    expect(await seen()).not.toContain('record.created:after the crash'); // in order: it waits behind the failure
  });

  it('gives plugins the metadata as the caller sees it, and transactions', async () => {
    expect((await k.call('POST', '/api/plugins/sdk_probe/install')).status).toBe(201);
    const rel = await k.call('GET', '/api/plugins/sdk_probe/relations/contact');
    expect(rel.body).toEqual(expect.arrayContaining(['case.contact', 'message.contact', 'company.primary_contact']));
    expect((await k.call('GET', '/api/plugins/sdk_probe/relations/nothing')).status).toBe(404);
    const ok = await k.call('POST', '/api/plugins/sdk_probe/pair', { last_name: '対A' });
    expect(ok.status).toBe(201);
    expect((await k.call('GET', `/api/records/contact/${ok.body[1]}`)).body.last_name).toBe('対A 2');
    const before = await count('contact');
    const failed = await k.call('POST', '/api/plugins/sdk_probe/pair', { last_name: '対B', fail: true });
    expect(failed.status).toBe(422);
    expect(await count('contact')).toBe(before);
  });

  it('rolls back an install whose hook fails, data and all', async () => {
    const r = await k.call('POST', '/api/plugins/bad_install/install');
    expect(r.status).toBe(500);
    expect(r.body.detail).toMatch(/rolled back/);
    expect((await k.call('GET', '/api/meta/objects/half')).status).toBe(404);
    expect(
      (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'bad_install').installed_version,
    ).toBeNull();
  });

  it('orders by dependencies and refuses to uninstall what others need', async () => {
    expect((await k.call('POST', '/api/plugins/needs_hello/install')).status).toBe(201);
    expect((await k.call('POST', '/api/plugins/hello/uninstall')).status).toBe(409);
    expect((await k.call('POST', '/api/plugins/needs_hello/uninstall')).status).toBe(200);
  });

  it("upgrades with a plan and the plugin's migrate step", async () => {
    const manifestPath = join(dir, 'hello/plugin.json');
    const m = JSON.parse(await readFile(manifestPath, 'utf8'));
    m.version = '1.1.0';
    m.metadata.fields.contact.push({ name: 'greeted_at', type: 'datetime', label: { en: 'Greeted at', ja: '挨拶日時' } });
    await writeFile(manifestPath, JSON.stringify(m));
    expect((await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'hello').upgrade_available).toBe(true);
    const dry = await k.call('POST', '/api/plugins/hello/upgrade?dry_run=true');
    expect(dry.body.plan).toEqual([expect.objectContaining({ kind: 'add_column', field: 'greeted_at' })]);
    const up = await k.call('POST', '/api/plugins/hello/upgrade');
    expect(up.body).toMatchObject({ from: '1.0.0', version: '1.1.0' });
    expect((await k.call('GET', '/api/meta/objects/contact')).body.properties.greeted_at).toBeDefined();
  });

  it('uninstalls keeping data unless purged; installing again finds the data', async () => {
    const tagged = (await k.call('POST', '/api/records/contact', { last_name: '保存' })).body;
    expect(tagged.greeting).toBe('こんにちは, 保存');
    const out = await k.call('POST', '/api/plugins/hello/uninstall');
    expect(out.status).toBe(200);
    expect(out.body.plan.some((s: { kind: string }) => s.kind === 'drop_column')).toBe(false);
    expect((await k.call('GET', '/api/meta/objects/contact')).body.properties.greeting).toBeUndefined();
    expect((await k.call('GET', `/api/records/contact/${tagged.id}`)).body.greeting).toBeUndefined();
    expect((await k.call('POST', '/api/plugins/hello/install')).status).toBe(201);
    expect((await k.call('GET', `/api/records/contact/${tagged.id}`)).body.greeting).toBe('こんにちは, 保存');
    const purge = await k.call('POST', '/api/plugins/thrower/uninstall?purge=true');
    expect(purge.body.plan.map((s: { kind: string }) => s.kind)).toContain('drop_table');
    expect((await k.call('GET', '/api/records/thrown')).status).toBe(404);
  });
});

describe.each(databases)('plugin jobs, views and npm discovery on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kizuna-plugins2-'));
    // An npm-installed plugin: a dependency of the root package that declares itself one.
    await mkdir(join(dir, 'node_modules/kizuna-plugin-ticker/server'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'kizuna-plugin-ticker': '^1.0.0' } }));
    await writeFile(
      join(dir, 'node_modules/kizuna-plugin-ticker/package.json'),
      JSON.stringify({ name: 'kizuna-plugin-ticker', version: '1.0.0', kizuna: { plugin: 'plugin.json' } }),
    );
    await writeFile(
      join(dir, 'node_modules/kizuna-plugin-ticker/plugin.json'),
      JSON.stringify({
        name: 'ticker',
        version: '1.0.0',
        title: { en: 'Ticker', ja: 'ティッカー' },
        kizuna: '^0.1.0',
        server: 'server/index.ts',
        metadata: {
          views: [
            {
              key: 'contact.ticked',
              object: 'contact',
              kind: 'list',
              name: { en: 'Ticked', ja: 'ティック済み' },
              filter: { title: 'tick' },
            },
          ],
        },
      }),
    );
    await writeFile(
      join(dir, 'node_modules/kizuna-plugin-ticker/server/index.ts'),
      `import { definePlugin } from '${join(repo, 'platform/plugins/index.ts')}';
export default definePlugin({ jobs: { tick: { everySeconds: 3600, async run(ctx) { await ctx.records.create('contact', { last_name: 'ticker', title: 'tick' }); } } } });
`,
    );
    k = await startKizuna(kind, { root: dir });
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a plugin in an npm package, installs its views, and runs its job once per turn', async () => {
    const listed = (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'ticker');
    expect(listed).toMatchObject({ source: 'npm', available_version: '1.0.0' });
    expect((await k.call('POST', '/api/plugins/ticker/install')).status).toBe(201);
    const views = (await k.call('GET', '/api/views?object=contact')).body.data as { key: string }[];
    expect(views.map((v) => v.key)).toContain('plugin:ticker:contact.ticked');
    await k.plugins.runDueJobs();
    await k.plugins.runDueJobs(); // not due again for an hour
    const made = await k.call(
      'GET',
      `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: 'ticker' }))}&count=true`,
    );
    expect(made.body.page.total).toBe(1);
    // The next turn (made due by hand) runs on the job queue too, which keeps only the last turn.
    await k.db.query(sql`update kizuna_plugin_jobs set next_run_at = now() where plugin = 'ticker'`);
    await k.plugins.runDueJobs();
    const turns = await k.db.query<{ state: string }>(
      sql`select state from kizuna_jobs where kind = 'plugin.job' and payload->>'plugin' = 'ticker'`,
    );
    expect(turns).toEqual([{ state: 'succeeded' }]);
    const again = await k.call(
      'GET',
      `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: 'ticker' }))}&count=true`,
    );
    expect(again.body.page.total).toBe(2);
    expect((await k.call('POST', '/api/plugins/ticker/uninstall')).status).toBe(200);
    expect(((await k.call('GET', '/api/views?object=contact')).body.data as { key: string }[]).map((v) => v.key)).not.toContain(
      'plugin:ticker:contact.ticked',
    );
  });
});
