// An audited override: a write may ask (?override=true on create, update and bulk; override:
// true on an import) to override what plugins' before-hooks refuse. Only a role granting
// `override` on the object may ask (403 naming override, nothing written); hooks see
// `override: true` and decide; the history row records the write as an override.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { count, finished, upload } from '../testing/imports.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

describe.each(databases)('override on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  const users: Record<string, { id: string; key: string }> = {};
  const as = (who: string) => (method: string, path: string, body?: unknown) =>
    k.call(method, path, body, { authorization: `Bearer ${users[who].key}` });
  const grant = { read: 'all', create: 'all', update: 'all' };

  beforeAll(async () => {
    dir = await pluginFolderWith('batch_probe');
    k = await startKizuna(kind, { pluginDirs: [dir], jobPollMs: 50 });
    expect((await k.call('POST', '/api/plugins/batch_probe/install')).status).toBe(201);
    const roles = [
      { name: 'prober', label: { en: 'Prober', ja: '検査係' }, objects: { probe_item: grant } },
      { name: 'overrider', label: { en: 'Overrider', ja: '上書き係' }, objects: { probe_item: { ...grant, override: true } } },
      { name: 'overrides_all', label: { en: 'Overrides all', ja: '全上書き' }, objects: { '*': { override: true } } },
    ];
    for (const role of roles) expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    for (const [name, roles] of [
      ['plain', ['prober']],
      ['chief', ['overrider']],
      ['star', ['prober', 'overrides_all']],
    ] as const) {
      const u = await k.call('POST', '/api/users', { email: `${name}@example.jp`, name, roles });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      users[name] = { id: u.body.id, key: (await k.call('POST', '/api/api-keys', { name, user_id: u.body.id })).body.key };
    }
    // The chief's key narrowed to the prober role: both its sources must grant override.
    users.narrowed = {
      id: users.chief.id,
      key: (await k.call('POST', '/api/api-keys', { name: 'narrowed', user_id: users.chief.id, role: 'prober' })).body.key,
    };
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    expect((await k.call('PUT', '/api/plugins/batch_probe/settings', { form: 'batch' })).status).toBe(200);
  });

  const timeline = async (id: string) => (await k.call('GET', `/api/records/probe_item/${id}/timeline`)).body.data;
  const importCsv = async (who: string, csv: string, options: Record<string, unknown>) => {
    const up = await upload(k, csv, 'object=probe_item&filename=o.csv', users[who].key);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    return { id: up.body.id as string, start: await as(who)('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', ...options }) };
  };

  it('checks override in roles: a boolean, resolved like transfer, shown in x-kizuna-access', async () => {
    const bad = await k.call('POST', '/api/roles', {
      name: 'wrong',
      label: { en: 'Wrong', ja: '誤り' },
      objects: { probe_item: { read: 'all', override: 'yes' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).join(' ')).toMatch(/override/);
    const access = async (who?: string) =>
      (await (who ? as(who) : k.call)('GET', '/api/meta/objects/probe_item')).body['x-kizuna-access'].override;
    expect(await access('plain')).toBe(false);
    expect(await access('chief')).toBe(true);
    expect(await access('narrowed')).toBe(false);
    expect(await access('star')).toBe(true); // roles add up; a "*" grant counts
    expect(await access()).toBe(true); // an admin always may
  });

  it('refuses ?override=true without the permission with 403 naming override, on every write, writing nothing', async () => {
    const before = await count(k, 'probe_item');
    const existing = (await k.call('POST', '/api/records/probe_item', { name: 'mine' })).body.id;
    const tries = [
      await as('plain')('POST', '/api/records/probe_item?override=true', { name: 'refuse' }),
      await as('plain')('PATCH', `/api/records/probe_item/${existing}?override=true`, { name: 'refuse' }),
      await as('plain')('POST', '/api/records/probe_item/bulk?override=true', { records: [{ name: 'fine' }], partial: true }),
      await as('narrowed')('POST', '/api/records/probe_item?override=true', { name: 'refuse' }),
      (await importCsv('plain', 'name\nfine\n', { override: true })).start,
    ];
    for (const r of tries) {
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors).toEqual([{ field: 'override', message: 'is not permitted on probe_item' }]);
    }
    const up = await upload(k, 'name\nrefuse\n', 'object=probe_item&filename=p.csv', users.plain.key);
    expect((await as('plain')('GET', `/api/imports/${up.body.id}/preview?override=true`)).status).toBe(403);
    expect(await count(k, 'probe_item')).toBe(before + 1);
    expect((await k.call('GET', `/api/records/probe_item/${existing}`)).body).toMatchObject({ name: 'mine', version: 1 });
    // Without asking, the same people write as before (and the refusal stands).
    expect((await as('plain')('POST', '/api/records/probe_item?override=false', { name: 'plain' })).status).toBe(201);
    expect((await as('plain')('POST', '/api/records/probe_item', { name: 'refuse' })).status).toBe(409);
  });

  it('lists the override parameter in the OpenAPI document for create, update and bulk, and in the import start', async () => {
    const doc = (await k.call('GET', '/api/openapi.json')).body;
    const override = { $ref: '#/components/parameters/Override' };
    expect(doc.components.parameters.Override).toMatchObject({ name: 'override', in: 'query', schema: { type: 'boolean' } });
    expect(doc.paths['/api/records/probe_item'].post.parameters).toContainEqual(override);
    expect(doc.paths['/api/records/probe_item/{id}'].patch.parameters).toContainEqual(override);
    expect(doc.paths['/api/records/probe_item/bulk'].post.parameters).toContainEqual(override);
    expect(doc.components.schemas.ImportStart.properties.override).toMatchObject({ type: 'boolean' });
  });

  it('answers any other value than true or false with 400 naming override', async () => {
    for (const v of ['yes', '1', '']) {
      const r = await as('chief')('POST', `/api/records/probe_item?override=${v}`, { name: 'x' });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ field: 'override', message: 'must be true or false' }]);
    }
    expect((await importCsv('chief', 'name\nx\n', { override: 'yes' })).start.status).toBe(422);
  });

  it('lets hooks see override, and records the write as an override in its history', async () => {
    const r = await as('chief')('POST', '/api/records/probe_item?override=true', { name: 'refuse' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.mark).toBe('batch:create:override');
    const plain = (await as('chief')('POST', '/api/records/probe_item', { name: 'usual' })).body.id;
    expect((await timeline(r.body.id))[0]).toMatchObject({ action: 'create', override: true });
    expect((await timeline(plain))[0]).toMatchObject({ action: 'create', override: false });
    const audit = (await k.call('GET', `/api/audit?object=probe_item&record_id=${r.body.id}`)).body.data;
    expect(audit[0].via).toMatch(/^key:.+\+override$/);

    await k.call('PUT', '/api/plugins/batch_probe/settings', { form: 'record' });
    const changed = await as('chief')('PATCH', `/api/records/probe_item/${plain}?override=true`, { name: 'refuse' });
    expect(changed.status).toBe(200);
    expect(changed.body.mark).toBe('record:update:override');
    expect((await timeline(plain))[0]).toMatchObject({ action: 'update', override: true });
  });

  it('overrides in bulk writes and imports, batch hooks included', async () => {
    const bulk = await as('chief')('POST', '/api/records/probe_item/bulk?override=true', { records: [{ name: 'refuse' }, { name: 'ok' }] });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    expect(bulk.body.created).toBe(2);
    const first = (await k.call('GET', `/api/records/probe_item/${bulk.body.records[0].id}`)).body;
    expect(first.mark).toBe('batch:create:override');
    expect((await timeline(first.id))[0].override).toBe(true);

    const { id, start } = await importCsv('chief', 'name,code\nrefuse,OV1\n', { override: true });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    expect(start.body.options.override).toBe(true);
    expect(await finished(k, id)).toMatchObject({ state: 'succeeded', created: 1 });
    const imported = (await k.call('GET', `/api/records/probe_item?filter=${encodeURIComponent(JSON.stringify({ code: 'OV1' }))}`)).body
      .data[0];
    expect(imported.mark).toBe('batch:create:override');
    expect((await timeline(imported.id))[0].override).toBe(true);
  });
});
