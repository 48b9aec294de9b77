import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

async function ownDatabase() {
  const url = new URL(process.env.DATABASE_URL!);
  const name = `kz_test_db_${process.pid}_${Date.now()}`;
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

const project = {
  name: 'project',
  label: { en: 'Project', ja: 'プロジェクト' },
  plural: 'projects',
  fields: [
    { name: 'title', type: 'text', label: { en: 'Title', ja: '件名' }, required: true },
    { name: 'code', type: 'autonumber', label: { en: 'Code', ja: 'コード' }, format: 'PRJ-{0000}' },
    {
      name: 'stage',
      type: 'select',
      label: { en: 'Stage', ja: '段階' },
      default: 'plan',
      options: [
        { value: 'plan', label: { en: 'Plan', ja: '計画' } },
        { value: 'run', label: { en: 'Run', ja: '実行' } },
      ],
    },
    { name: 'budget', type: 'currency', label: { en: 'Budget', ja: '予算' }, currency: 'JPY' },
    { name: 'company', type: 'relation', label: { en: 'Company', ja: '取引先' }, target: 'company', inverse: 'projects' },
    { name: 'starts_on', type: 'date', label: { en: 'Starts', ja: '開始日' } },
    { name: 'done', type: 'percent', label: { en: 'Done', ja: '進捗' }, minimum: 0, maximum: 100 },
    { name: 'site', type: 'url', label: { en: 'Site', ja: 'サイト' } },
    { name: 'extra', type: 'json', label: { en: 'Extra', ja: '追加情報' } },
  ],
};

describe.each(databases)('metadata API on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(() => k?.close());

  it('lists the standard objects as JSON Schema documents with ja and en labels', async () => {
    const r = await k.call('GET', '/api/meta/objects');
    expect(r.status).toBe(200);
    const names = r.body.data.map((d: { 'x-kizuna': { name: string } }) => d['x-kizuna'].name);
    expect(names).toEqual(expect.arrayContaining(['contact', 'company', 'case', 'campaign', 'message']));
    const contact = r.body.data.find((d: { 'x-kizuna': { name: string } }) => d['x-kizuna'].name === 'contact');
    expect(contact.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(contact.required).toContain('last_name');
    expect(contact.properties.company['x-kizuna']).toMatchObject({ type: 'relation', target: 'company', inverse: 'contacts' });
    for (const def of r.body.data) {
      for (const p of Object.values(def.properties) as { 'x-kizuna': { label: { en: string; ja: string } } }[]) {
        expect(p['x-kizuna'].label.en && p['x-kizuna'].label.ja).toBeTruthy();
      }
    }
  });

  it('creates a custom object from the short form with a real table and live API', async () => {
    const dry = await k.call('POST', '/api/meta/objects?dry_run=true', project);
    expect(dry.status).toBe(200);
    expect(dry.body.plan.map((s: { kind: string }) => s.kind)).toEqual(
      expect.arrayContaining(['create_table', 'create_sequence', 'add_column', 'add_foreign_key']),
    );
    expect((await k.call('GET', '/api/meta/objects/project')).status).toBe(404);

    const made = await k.call('POST', '/api/meta/objects', project);
    expect(made.status).toBe(201);
    expect(made.body['x-kizuna']).toMatchObject({ name: 'project', display_field: 'title', version: 1 });
    const company = (await k.call('POST', '/api/records/company', { name: '冨士工業' })).body;
    const p = await k.call('POST', '/api/records/project', {
      title: '基幹刷新',
      budget: { amount: '5000000' },
      company: company.id,
      starts_on: '2026-04-01',
      done: 12.5,
      extra: { a: [1] },
    });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({
      code: 'PRJ-0001',
      stage: 'plan',
      budget: { amount: '5000000', currency: 'JPY' },
      starts_on: '2026-04-01',
      done: 12.5,
      extra: { a: [1] },
    });
    const inv = await k.call('GET', `/api/records/company/${company.id}?include=projects`);
    expect(inv.body.projects.map((x: { title: string }) => x.title)).toEqual(['基幹刷新']);
    expect((await k.call('POST', '/api/meta/objects', project)).status).toBe(409);
  });

  it('accepts a full ObjectDef as returned by GET', async () => {
    const def = (await k.call('GET', '/api/meta/objects/project')).body;
    def['x-kizuna'] = { ...def['x-kizuna'], name: 'project_copy', plural: 'project_copies' };
    delete def.properties.company; // an inverse name can be used once per target
    const r = await k.call('POST', '/api/meta/objects', def);
    expect(r.status).toBe(201);
    expect(Object.keys(r.body.properties)).toEqual(expect.arrayContaining(['title', 'code', 'stage', 'budget']));
    expect((await k.call('POST', '/api/records/project_copy', { title: 'x' })).body.code).toBe('PRJ-0001');
  });

  it('rejects bad definitions with 422 naming the keyword', async () => {
    const cases: [unknown, string][] = [
      [{ ...project, name: 'Bad Name' }, 'name'],
      [{ ...project, name: 'x; drop table contact' }, 'name'],
      [{ ...project, name: 'kizuna_x', plural: 'kx' }, 'name'],
      [{ ...project, name: 'p2', plural: 'p2s', label: { en: 'P' } }, 'label'],
      [{ ...project, name: 'p3', plural: 'p3s', fields: [{ name: 'id', type: 'text', label: { en: 'a', ja: 'a' } }] }, 'fields.0.name'],
      [{ ...project, name: 'p4', plural: 'p4s', fields: [{ name: 'a', type: 'teext', label: { en: 'a', ja: 'a' } }] }, 'fields.0.type'],
      [{ ...project, name: 'p5', plural: 'p5s', fields: [{ name: 'a', type: 'select', label: { en: 'a', ja: 'a' } }] }, 'fields.0'],
      [
        {
          ...project,
          name: 'p6',
          plural: 'p6s',
          fields: [{ name: 'a', type: 'relation', target: 'nowhere', label: { en: 'a', ja: 'a' } }],
        },
        'fields.0.target',
      ],
      [
        { ...project, name: 'p7', plural: 'p7s', fields: [{ name: 'a', type: 'integer', default: 'x', label: { en: 'a', ja: 'a' } }] },
        'fields.0.default',
      ],
      [
        { ...project, name: 'p8', plural: 'p8s', fields: [{ name: 'a', type: 'text', lable: 'x', label: { en: 'a', ja: 'a' } }] },
        'fields.0.lable',
      ],
      [{ ...project, name: 'p9', plural: 'p9s', display_field: 'nope' }, 'display_field'],
    ];
    for (const [body, field] of cases) {
      const r = await k.call('POST', '/api/meta/objects', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(
        r.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(r.body),
      ).toContain(field);
      // Every refusal says why as a keyword the studio translates, never only in English words.
      for (const e of r.body.errors) expect(e.keyword, JSON.stringify(e)).toEqual(expect.any(String));
    }
    const keywordOf = async (body: unknown, field: string) => {
      const r = await k.call('POST', '/api/meta/objects', body);
      return r.body.errors.find((e: { field: string }) => e.field === field);
    };
    expect(await keywordOf({ ...project, name: 'kizuna_x', plural: 'kx' }, 'name')).toMatchObject({
      keyword: 'reserved_name',
      params: { name: 'kizuna_x' },
    });
    expect(await keywordOf({ ...project, name: 'q1', plural: 'q1s', display_field: 'nope' }, 'display_field')).toMatchObject({
      keyword: 'no_such_field',
      params: { name: 'nope' },
    });
    const target = { name: 'a', type: 'relation', target: 'nowhere', label: { en: 'a', ja: 'a' } };
    expect(await keywordOf({ ...project, name: 'q2', plural: 'q2s', fields: [target] }, 'fields.0.target')).toMatchObject({
      keyword: 'no_such_object',
    });
    const unique = { name: 'a', type: 'json', unique: true, label: { en: 'a', ja: 'a' } };
    expect(await keywordOf({ ...project, name: 'q3', plural: 'q3s', fields: [unique] }, 'fields.0.unique')).toMatchObject({
      keyword: 'not_for_type',
      params: { type: 'json' },
    });
    const long = { name: 'a', type: 'text', max_length: 2000000, label: { en: 'a', ja: 'a' } };
    expect(await keywordOf({ ...project, name: 'q4', plural: 'q4s', fields: [long] }, 'fields.0.max_length')).toMatchObject({
      keyword: 'maximum',
      params: { limit: expect.any(Number) },
    });
    const taken = await k.call('POST', '/api/meta/objects/project/fields', { name: 'title', type: 'text', label: { en: 'T', ja: 'T' } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0]).toMatchObject({ field: 'name', keyword: 'taken', params: { name: 'title' } });
  });

  it("clears an object's plural label, description and icon with null", async () => {
    const set = await k.call('PATCH', '/api/meta/objects/project', {
      plural_label: { en: 'All projects', ja: '全プロジェクト' },
      description: { en: 'Work we do', ja: '私たちの仕事' },
      icon: 'folder',
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body['x-kizuna']).toMatchObject({
      plural_label: { en: 'All projects' },
      description: { ja: '私たちの仕事' },
      icon: 'folder',
    });
    const cleared = await k.call('PATCH', '/api/meta/objects/project', { plural_label: null, description: null, icon: null });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    // The plural label goes back to the label; the rest to nothing.
    expect(cleared.body['x-kizuna'].plural_label).toEqual(cleared.body['x-kizuna'].label);
    expect(cleared.body['x-kizuna'].description).toBeUndefined();
    expect(cleared.body['x-kizuna'].icon).toBeUndefined();
    const bad = await k.call('PATCH', '/api/meta/objects/project', { label: null });
    expect(bad.status).toBe(422);
  });

  it('adds a field as a live column within the same request, and drops it again', async () => {
    const dry = await k.call('POST', '/api/meta/objects/contact/fields?dry_run=true', {
      name: 'nickname',
      type: 'text',
      label: { en: 'Nickname', ja: 'ニックネーム' },
      searchable: false,
    });
    expect(dry.body.plan).toEqual([
      expect.objectContaining({ kind: 'add_column', sql: expect.stringContaining('add column if not exists "nickname" text') }),
    ]);
    const add = await k.call('POST', '/api/meta/objects/contact/fields', {
      name: 'nickname',
      type: 'text',
      label: { en: 'Nickname', ja: 'ニックネーム' },
      searchable: false,
    });
    expect(add.status).toBe(201);
    expect(add.body.properties.nickname['x-kizuna'].type).toBe('text');
    const c = await k.call('POST', '/api/records/contact', { last_name: '中村', nickname: 'なかむー' });
    expect(c.body.nickname).toBe('なかむー');
    expect(
      (await k.call('POST', '/api/meta/objects/contact/fields', { name: 'nickname', type: 'text', label: { en: 'N', ja: 'N' } })).status,
    ).toBe(409);
    const dropDry = await k.call('DELETE', '/api/meta/objects/contact/fields/nickname?dry_run=true');
    expect(dropDry.body.plan).toEqual([expect.objectContaining({ kind: 'drop_column', count: 1 })]);
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/nickname')).status).toBe(200);
    const after = await k.call('POST', '/api/records/contact', { last_name: '中村', nickname: 'x' });
    expect(after.status).toBe(422);
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/last_name')).status).toBe(409);
  });

  it('adds nullable fields of every type without rewriting the table', async () => {
    const fileOf = async () => (await k.db.query<{ f: string }>(sql`select pg_relation_filenode('contact')::text as f`))[0].f;
    const before = await fileOf();
    const types = [
      'text',
      'long_text',
      'email',
      'phone',
      'url',
      'integer',
      'number',
      'currency',
      'percent',
      'boolean',
      'date',
      'datetime',
      'json',
      'user',
    ];
    for (const type of types) {
      const r = await k.call('POST', '/api/meta/objects/contact/fields', {
        name: `x_${type}`,
        type,
        label: { en: type, ja: type },
        searchable: false,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const rel = await k.call('POST', '/api/meta/objects/contact/fields', {
      name: 'x_rel',
      type: 'relation',
      target: 'case',
      label: { en: 'r', ja: 'r' },
    });
    expect(rel.status).toBe(201);
    expect(await fileOf()).toBe(before);
    for (const type of types) expect((await k.call('DELETE', `/api/meta/objects/contact/fields/x_${type}`)).status).toBe(200);
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/x_rel')).status).toBe(200);
  });

  it('builds indexes on big tables after the change commits, and reports them in the plan', async () => {
    // Every table counts as big for this instance: the concurrent path runs on a small table.
    // On PostgreSQL in a database of its own: CREATE INDEX CONCURRENTLY waits for every older
    // transaction in its database, and other test files run beside this one.
    const own = kind === 'postgres' ? await ownDatabase() : undefined;
    const big = await startKizuna(kind, own ? { url: own.url, bigTableBytes: -1 } : { bigTableBytes: -1 });
    const k0 = k;
    k = big;
    const body = { name: 'rank', type: 'integer', label: { en: 'Rank', ja: '順位' }, indexed: true };
    const dry = await k.call('POST', '/api/meta/objects/contact/fields?dry_run=true', body);
    expect(dry.body.plan.find((s: { kind: string }) => s.kind === 'create_index').description).toMatch(/concurrently.*after commit/);
    expect((await k.call('POST', '/api/meta/objects/contact/fields', body)).status).toBe(201);
    await k.registry.idle();
    const rows = await k.db.query<{ valid: boolean }>(
      sql`select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'contact_rank_idx' and c.relnamespace = current_schema()::regnamespace`,
    );
    expect(rows).toEqual([{ valid: true }]);
    expect((await k.call('DELETE', '/api/meta/objects/contact/fields/rank')).status).toBe(200);
    k = k0;
    await big.close();
    await own?.drop();
  });

  it('changes labels, options and required, refusing type changes and required on missing data', async () => {
    const opts = await k.call('PATCH', '/api/meta/objects/project/fields/stage', {
      options: [
        { value: 'plan', label: { en: 'Plan', ja: '計画' } },
        { value: 'run', label: { en: 'Run', ja: '実行' } },
        { value: 'done', label: { en: 'Done', ja: '完了' }, color: '#22c55e' },
      ],
    });
    expect(opts.status).toBe(200);
    expect(opts.body.properties.stage.enum).toContain('done');
    expect((await k.call('PATCH', '/api/meta/objects/project/fields/stage', { type: 'text' })).status).toBe(422);
    const req = await k.call('PATCH', '/api/meta/objects/project/fields/site', { required: true });
    expect(req.status).toBe(409);
    expect(req.body.detail).toMatch(/1 record/);
    const label = await k.call('PATCH', '/api/meta/objects/project', { label: { en: 'Project', ja: '案件' } });
    expect(label.body['x-kizuna'].label.ja).toBe('案件');
    expect((await k.call('PATCH', '/api/meta/objects/project', { name: 'x' })).status).toBe(422);
  });

  it('hides a field from default layouts and shows it again', async () => {
    const hide = await k.call('PATCH', '/api/meta/objects/project/fields/stage', { hidden: true });
    expect(hide.status).toBe(200);
    expect(hide.body.properties.stage['x-kizuna'].hidden).toBe(true);
    const bad = await k.call('PATCH', '/api/meta/objects/project/fields/stage', { hidden: 'yes' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toMatch(/hidden/);
    const show = await k.call('PATCH', '/api/meta/objects/project/fields/stage', { hidden: null });
    expect(show.status).toBe(200);
    expect(show.body.properties.stage['x-kizuna'].hidden).toBeUndefined();
  });

  it('makes a field unique only when existing values allow it', async () => {
    await k.call('POST', '/api/records/project', { title: 'same' });
    await k.call('POST', '/api/records/project', { title: 'same' });
    const r = await k.call('PATCH', '/api/meta/objects/project/fields/title', { unique: true });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].field).toBe('title');
  });

  it('refuses to delete an object others point at, and deletes a free one', async () => {
    const r = await k.call('DELETE', '/api/meta/objects/company');
    expect(r.status).toBe(409);
    expect((await k.call('DELETE', '/api/meta/objects/project_copy')).status).toBe(204);
    expect((await k.call('GET', '/api/records/project_copy')).status).toBe(404);
  });

  it('adds a searchable field and finds records by it', async () => {
    const plain = await k.call('POST', '/api/meta/objects/project/fields?dry_run=true', {
      name: 'memo',
      type: 'text',
      label: { en: 'Memo', ja: 'メモ' },
    });
    expect(plain.body.plan.map((s: { kind: string }) => s.kind)).toEqual(['add_column']); // no search index rebuild unless asked
    await k.call('POST', '/api/meta/objects/project/fields', {
      name: 'memo',
      type: 'text',
      label: { en: 'Memo', ja: 'メモ' },
      searchable: true,
    });
    await k.call('POST', '/api/records/project', { title: 'search me', memo: '東京都千代田区' });
    const r = await k.call('GET', `/api/records/project?q=${encodeURIComponent('千代田')}`);
    expect(r.body.data.map((p: { memo: string }) => p.memo)).toEqual(['東京都千代田区']);
    // Out of the search again: the stored document is rebuilt without it, and search still works.
    expect((await k.call('PATCH', '/api/meta/objects/project/fields/memo', { searchable: false })).status).toBe(200);
    expect((await k.call('GET', `/api/records/project?q=${encodeURIComponent('千代田')}`)).body.data).toEqual([]);
    expect((await k.call('GET', `/api/records/project?q=${encodeURIComponent('search me')}`)).body.data).toHaveLength(1);
    expect((await k.call('DELETE', '/api/meta/objects/project/fields/memo')).status).toBe(200);
    expect((await k.call('GET', `/api/records/project?q=${encodeURIComponent('search')}`)).body.data).toHaveLength(1);
  });

  it('reorders fields with field_order, refusing anything but a permutation of the names', async () => {
    const names =
      (await k.call('GET', '/api/meta/objects/project')).body['x-kizuna'].fields?.map?.((f: { name: string }) => f.name) ??
      Object.keys((await k.call('GET', '/api/meta/objects/project')).body.properties).filter(
        (n) => !['id', 'created_at', 'updated_at', 'version', 'created_by', 'updated_by'].includes(n),
      );
    const reversed = [...names].reverse();
    const r = await k.call('PATCH', '/api/meta/objects/project', { field_order: reversed });
    expect(r.status).toBe(200);
    const after = Object.keys(r.body.properties).filter((n) => names.includes(n));
    expect(after).toEqual(reversed);
    const bad = await k.call('PATCH', '/api/meta/objects/project', { field_order: reversed.slice(1) });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('field_order');
  });

  it('declares composite indexes for a filter + sort, builds them, and forgets them with their field', async () => {
    const indexDefs = async () =>
      await k.db.query<{ name: string; def: string }>(sql`select indexname as name, indexdef as def from pg_indexes
      where tablename = 'project' and schemaname = current_schema() and indexname like '%\\_ix' order by 1`);
    const bad = await k.call('PATCH', '/api/meta/objects/project', {
      indexes: [{ fields: ['stage', 'nope'] }, { fields: ['extra'] }, { fields: ['stage', '-stage'] }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'indexes[0].fields[1]',
      'indexes[1].fields[0]',
      'indexes[2].fields',
    ]);
    expect(await indexDefs()).toEqual([]);

    const dry = await k.call('PATCH', '/api/meta/objects/project?dry_run=true', { indexes: [{ fields: ['stage', '-done'] }] });
    expect(dry.status).toBe(200);
    expect(dry.body.plan.map((s: { kind: string }) => s.kind)).toEqual(['create_index']);
    const r = await k.call('PATCH', '/api/meta/objects/project', {
      indexes: [{ fields: ['stage', '-done'] }, { fields: ['-created_at'] }],
    });
    expect(r.status).toBe(200);
    expect(r.body['x-kizuna'].indexes).toEqual([{ fields: ['stage', '-done'] }, { fields: ['-created_at'] }]);
    const defs = await indexDefs();
    expect(defs.map((d) => d.name)).toEqual(['project_created_at_desc_ix', 'project_stage_done_desc_ix']);
    expect(defs[1].def).toMatch(/\(stage, done DESC, id\) WHERE \(deleted_at IS NULL\)/);

    // A list filtered by stage and sorted by -done still answers (and pages) as before.
    await k.call('POST', '/api/records/project', { title: '索引', stage: 'run', done: 40 });
    const page = await k.call('GET', `/api/records/project?filter=${encodeURIComponent('{"stage":"run"}')}&sort=-done&limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.data[0].title).toBe('索引');

    expect(
      (await k.call('POST', '/api/meta/objects/project/fields', { name: 'tmp_rank', type: 'integer', label: { en: 'Rank', ja: '順位' } }))
        .status,
    ).toBe(201);
    expect(
      (await k.call('PATCH', '/api/meta/objects/project', { indexes: [{ fields: ['stage', '-done'] }, { fields: ['tmp_rank'] }] })).status,
    ).toBe(200);
    expect((await k.call('DELETE', '/api/meta/objects/project/fields/tmp_rank')).status).toBe(200);
    expect((await k.call('GET', '/api/meta/objects/project')).body['x-kizuna'].indexes).toEqual([{ fields: ['stage', '-done'] }]);
    expect((await indexDefs()).map((d) => d.name)).toEqual(['project_stage_done_desc_ix']);
  });
});
