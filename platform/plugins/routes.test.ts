// Plugin routes as declared: who may call each (checked by the host), their body and answer
// schemas (checked by the host), problems with request ids, and their place in /api/openapi.json.
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { pluginFolderWith, repoRoot } from '../testing/plugins.ts';

const run = promisify(execFile);

describe.each(databases)('declared plugin routes on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    dir = await pluginFolderWith('hello', 'sdk_probe', 'thrower', 'dedupe');
    k = await startKizuna(kind, { pluginDirs: [dir] });
    for (const p of ['hello', 'sdk_probe', 'thrower', 'dedupe'])
      expect((await k.call('POST', `/api/plugins/${p}/install`)).status).toBe(201);
    const u = await k.call('POST', '/api/users', { email: 'route.viewer@example.jp', name: 'v', roles: ['viewer'] });
    viewer = { authorization: `Bearer ${(await k.call('POST', '/api/api-keys', { name: 'v', user_id: u.body.id })).body.key}` };
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets only admins call a route that declares no access, and object permissions gate the others', async () => {
    const r = await k.call('GET', '/api/plugins/hello/greet/x', undefined, viewer);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ type: expect.stringContaining('forbidden'), request_id: expect.any(String) });
    expect((await k.call('GET', '/api/plugins/hello/greet/x')).status).toBe(200);
    expect((await k.call('GET', '/api/plugins/hello/contacts', undefined, viewer)).status).toBe(200);
    // A viewer reads contacts but may not create them, nor update them (dedupe's merge).
    const pair = await k.call('POST', '/api/plugins/sdk_probe/pair', { last_name: '閲覧者' }, viewer);
    expect(pair.status).toBe(403);
    expect(pair.body.errors).toEqual([{ field: 'contact', message: 'create is not permitted' }]);
    expect((await k.call('POST', '/api/plugins/dedupe/merge/contact', { master: 'a', duplicates: ['b'] }, viewer)).status).toBe(403);
    expect((await k.call('GET', '/api/plugins/thrower/seen', undefined, viewer)).status).toBe(403);
  });

  it("checks a body against the route's request schema: 422 naming the field, before the plugin runs", async () => {
    const missing = await k.call('POST', '/api/plugins/sdk_probe/pair', { fail: true });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'last_name', keyword: 'required' })]);
    const wrong = await k.call('POST', '/api/plugins/sdk_probe/pair', { last_name: 7, extra: 1 });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'last_name']);
    expect((await k.call('POST', '/api/plugins/dedupe/scan/contact', { partitions: 0 })).body.errors[0].field).toBe('partitions');
    expect((await k.call('POST', '/api/plugins/sdk_probe/pair', '{"last_name":')).status).toBe(400);
    expect((await k.call('POST', '/api/plugins/sdk_probe/pair', { last_name: '正常' })).status).toBe(201);
  });

  it('answers crashes, answers breaking the response schema, and unknown routes as problem+json with request_id', async () => {
    const crash = await k.call('GET', '/api/plugins/thrower/crash');
    expect(crash.status).toBe(500);
    expect(crash.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(crash.body).toMatchObject({
      plugin: 'thrower',
      type: expect.stringContaining('plugin-error'),
      request_id: crash.headers.get('x-request-id'),
    });
    const broken = await k.call('GET', '/api/plugins/sdk_probe/broken-answer');
    expect(broken.status).toBe(500);
    expect(broken.body).toMatchObject({ plugin: 'sdk_probe', request_id: expect.any(String) });
    expect(JSON.stringify(broken.body)).not.toContain('yes');
    const unknown = await k.call('GET', '/api/plugins/hello/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(unknown.body).toMatchObject({ detail: expect.stringContaining('GET /nowhere'), request_id: expect.any(String) });
  });

  it("keeps a plugin's internal field out of history, and lets the plugin set it silently (no version, history or event)", async () => {
    const made = await k.call('POST', '/api/records/contact', { last_name: '内部', probe_keys: ['k:1'], probe_note: 'a' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.id;
    expect((await k.call('PATCH', `/api/records/contact/${id}`, { probe_keys: ['k:2'], probe_note: 'b' })).status).toBe(200);
    const history = async () =>
      (await k.call('GET', `/api/records/contact/${id}/timeline`)).body.data as { action: string; changes: Record<string, unknown> }[];
    const before = await history();
    expect(before.map((h) => h.action).sort()).toEqual(['create', 'update']);
    for (const h of before) expect(Object.keys(h.changes)).not.toContain('probe_keys');
    expect(before.find((h) => h.action === 'update')!.changes).toHaveProperty('probe_note');
    const events = async () =>
      (await k.db.query<{ n: number }>(sql`select count(*)::int as n from kizuna_events where record_id = ${id}::uuid`))[0].n;
    const eventsBefore = await events();

    const m = await k.call('POST', '/api/plugins/sdk_probe/maintain/contact', {
      rows: [
        { id, values: { probe_keys: ['k:3', 'k:4'] } },
        { id: '00000000-0000-7000-8000-000000000000', values: { probe_keys: [] } },
      ],
    });
    expect(m.status, JSON.stringify(m.body)).toBe(200);
    expect(m.body.touched).toBe(1);
    const after = (await k.call('GET', `/api/records/contact/${id}`)).body;
    expect(after).toMatchObject({ probe_keys: ['k:3', 'k:4'], version: made.body.version + 1 });
    expect(await history()).toHaveLength(2);
    expect(await events()).toBe(eventsBefore);
    const found = await k.call(
      'GET',
      `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ probe_keys: { has_any: ['k:4', 'k:9'] } }))}`,
    );
    expect(found.body.data.map((r: { id: string }) => r.id)).toEqual([id]);

    // Only the plugin's internal fields, by their plugin; and an admin cannot declare one.
    const notInternal = await k.call('POST', '/api/plugins/sdk_probe/maintain/contact', { rows: [{ id, values: { probe_note: 'x' } }] });
    expect(notInternal.status).toBe(422);
    expect(notInternal.body.errors[0]).toMatchObject({ field: 'rows[0].values.probe_note' });
    const own = await k.call('POST', '/api/meta/objects/contact/fields', {
      name: 'my_keys',
      type: 'json',
      label: { en: 'K', ja: 'K' },
      internal: true,
    });
    expect(own.status).toBe(422);
    expect(own.body.errors[0].field).toMatch(/internal/);
  });

  it('marks its own fields set-based, each record only at the version read, with history and events but no second write', async () => {
    const a = (await k.call('POST', '/api/records/contact', { last_name: '印' })).body;
    const b = (await k.call('POST', '/api/records/contact', { last_name: '旗' })).body;
    const events = async () =>
      (
        await k.db.query<{ n: number }>(sql`select count(*)::int as n from kizuna_events where record_id in (${a.id}::uuid, ${b.id}::uuid)`)
      )[0].n;
    const eventsBefore = await events();
    const rows = [
      { id: a.id, version: a.version, values: { probe_note: 'flagged' } },
      { id: b.id, version: b.version + 5, values: { probe_note: 'flagged' } }, // read at another version: left alone
    ];
    const [first, second] = await Promise.all([
      k.call('POST', '/api/plugins/sdk_probe/mark/contact', { rows }),
      k.call('POST', '/api/plugins/sdk_probe/mark/contact', { rows }),
    ]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect([...first.body.written, ...second.body.written]).toEqual([a.id]);
    expect((await k.call('GET', `/api/records/contact/${a.id}`)).body).toMatchObject({ probe_note: 'flagged', version: a.version + 1 });
    expect((await k.call('GET', `/api/records/contact/${b.id}`)).body.probe_note ?? null).toBeNull();
    expect(await events()).toBe(eventsBefore + 1);
    const timeline = (await k.call('GET', `/api/records/contact/${a.id}/timeline`)).body.data as { changes?: Record<string, unknown> }[];
    expect(timeline.filter((h) => h.changes && 'probe_note' in h.changes)).toHaveLength(1);
    // Only fields the plugin added.
    const other = await k.call('POST', '/api/plugins/sdk_probe/mark/contact', {
      rows: [{ id: a.id, version: a.version + 1, values: { last_name: 'x' } }],
    });
    expect(other.status).toBe(422);
    expect(other.body.errors[0]).toMatchObject({ field: 'rows[0].values.last_name' });
  });

  it("lists each enabled plugin's routes with who may call them", async () => {
    const hello = (await k.call('GET', '/api/plugins')).body.data.find((p: { name: string }) => p.name === 'hello');
    expect(hello.routes).toEqual([
      expect.objectContaining({ method: 'GET', path: '/greet/:name', access: 'admin' }),
      expect.objectContaining({ method: 'GET', path: '/contacts', access: { object: 'contact', permission: 'read' } }),
    ]);
  });

  it('publishes the routes in /api/openapi.json (admins see all, others what they may call), lint-clean', async () => {
    const doc = (await k.call('GET', '/api/openapi.json')).body;
    const merge = doc.paths['/api/plugins/dedupe/merge/{object}'].post;
    expect(merge['x-kizuna-access']).toEqual({ object: ':object', permission: 'update' });
    expect(merge.requestBody.content['application/json'].schema.required).toEqual(['master', 'duplicates']);
    expect(merge.parameters).toEqual([expect.objectContaining({ name: 'object', in: 'path' })]);
    expect(
      doc.paths['/api/plugins/dedupe/duplicates/{object}/{id}'].get.responses['2XX'].content['application/json'].schema.required,
    ).toContain('capped');
    expect(doc.paths['/api/plugins/hello/greet/{name}']).toBeDefined();
    const theirs = (await k.call('GET', '/api/openapi.json', undefined, viewer)).body;
    expect(theirs.paths['/api/plugins/hello/greet/{name}']).toBeUndefined();
    expect(theirs.paths['/api/plugins/hello/contacts']).toBeDefined();
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const result = await run('npx', ['redocly', 'lint', file, '--format=json', '--config', join(repoRoot, 'redocly.yaml')], {
      cwd: repoRoot,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 20 * 1024 * 1024,
    }).catch((e: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`redocly lint exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    });
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))).problems).toEqual([]);
  }, 120_000);
});
