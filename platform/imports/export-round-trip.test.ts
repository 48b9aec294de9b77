// An export re-imports as the same records (issue 16, item 7): every field type, Japanese text,
// header labels (en, ja) and API names, CSV (UTF-8 with BOM, Shift_JIS) and xlsx, each file
// imported into an empty object of the same fields with the mapping the importer suggests.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldTypeNames } from '../model/index.ts';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { finished, upload } from '../testing/imports.ts';

const options = [
  { value: 'gold', label: { en: 'Gold', ja: '金' } },
  { value: 'silver', label: { en: 'Silver', ja: '銀（シルバー）' } },
  // A label holding a list separator, and one that is another option's value: written as values.
  { value: 'mixed', label: { en: 'Red, Blue', ja: '赤、青' } },
  { value: 'bronze', label: { en: 'gold', ja: 'gold' } },
];
const field = (type: string, extra: Record<string, unknown> = {}) => ({
  name: `f_${type}`,
  type,
  label: { en: `F ${type.replace('_', ' ')}`, ja: `項目 ${type}` },
  ...extra,
});
const FIELDS = [
  ...fieldTypeNames.filter((t) => !['select', 'multi_select', 'relation', 'formula'].includes(t)).map((t) => field(t)),
  // Exported as its value; on import the column is left unmapped and the copy computes it again.
  field('formula', { formula: 'f_integer * 2' }),
  field('select', { options }),
  field('multi_select', { options }),
  field('relation', { target: 'company' }),
  { ...field('relation', { target: 'contact' }), name: 'f_contact', label: { en: 'Contact person', ja: '担当者' } },
];
const UNREADABLE = ['f_autonumber']; // written by Kizuna: the copy numbers its records itself

describe.each(databases)('export round trips on %s', (kind) => {
  let k: TestKizuna;
  const ids: Record<string, string> = {};
  const create = async (object: string, body: Record<string, unknown>) => {
    const r = await k.call('POST', `/api/records/${object}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const defineObject = async (name: string) => {
    const r = await k.call('POST', '/api/meta/objects', { name, label: { en: name, ja: name }, plural: `${name}s`, fields: FIELDS });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  const records = async (object: string) => {
    const body = (await k.call('GET', `/api/records/${object}?sort=f_text&limit=100`)).body;
    return (body.data as Record<string, unknown>[]).map((r) =>
      Object.fromEntries(FIELDS.filter((f) => !UNREADABLE.includes(f.name)).map((f) => [f.name, r[f.name] ?? null])),
    );
  };
  const exported = async (query: string, token = ADMIN_TOKEN) => {
    const res = await k.app.request(`/api/records/gear/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  };

  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
    for (const [key, name] of [
      ['taro', '山田 太郎'],
      ['hanako1', '佐藤 花子'],
      ['hanako2', '佐藤 花子'],
    ]) {
      const u = await k.call('POST', '/api/users', { email: `${key}@example.jp`, name, roles: ['sales_rep'] });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      ids[key] = u.body.id;
    }
    ids.test = await create('company', { name: '株式会社テスト' });
    ids.dup1 = await create('company', { name: 'Dup商事' });
    ids.dup2 = await create('company', { name: 'Dup商事' });
    ids.yamada = await create('contact', { last_name: '山田', first_name: '一郎' });
    await defineObject('gear');
    await create('gear', {
      f_text: '日本語のテキスト',
      f_long_text: '一行目\n二行目、"引用"',
      f_email: 'taro@example.jp',
      f_phone: '+81 3-1234-5678',
      f_url: 'https://example.jp/products?id=7',
      f_integer: -42,
      f_number: 3.25,
      f_percent: 12.5,
      f_currency: { amount: '1234.50', currency: 'USD' },
      f_boolean: true,
      f_date: '2026-01-05',
      f_datetime: '2026-01-05T09:30:00.000Z',
      f_select: 'silver',
      f_multi_select: ['gold', 'silver', 'mixed'],
      f_tags: ['重要', 'VIP'],
      f_country: 'JP',
      f_relation: ids.test,
      f_user: ids.taro,
      f_json: { 名前: '値', list: [1, 2] },
      f_contact: ids.yamada,
    });
    await create('gear', {
      f_text: '二件目',
      f_boolean: false,
      f_select: 'bronze',
      f_multi_select: ['bronze'],
      // A name two companies share, and one two users share: the file holds their ids.
      f_relation: ids.dup2,
      f_user: ids.hanako2,
      f_json: '123',
    });
  }, 120_000);
  afterAll(async () => k?.close());

  it('has a sample value for every field type', async () => {
    const first = (await records('gear')).find((r) => r.f_text === '日本語のテキスト')!;
    for (const type of fieldTypeNames) {
      const name = FIELDS.find((f) => f.type === type)!.name;
      if (!UNREADABLE.includes(name)) expect(first[name], type).not.toBeNull();
    }
  });

  /** The export as { header → cell } per record, by f_text. */
  const table = async (query: string, token?: string) => {
    const [header, ...rows]: string[][] = parse(Buffer.from(await exported(query, token)).toString('utf8'), { bom: true });
    return (name: string) => Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r.includes(name))![i]]));
  };

  it('writes relations and users as names that read back as the same ids, options as labels in the header language', async () => {
    const ja = await table('header=ja');
    expect(ja('日本語のテキスト')).toMatchObject({
      '項目 relation': '株式会社テスト',
      担当者: '山田 一郎',
      '項目 user': '山田 太郎',
      '項目 select': '銀（シルバー）',
      // "赤、青" would split into two values on import: the option is written as its value.
      '項目 multi_select': '金;銀（シルバー）;mixed',
      '項目 boolean': 'true',
      '項目 currency': '1234.50 USD',
    });
    // Names two records or two users share would not say which: their ids are written.
    // The label "gold" is another option's value: written as its own value "bronze".
    expect(ja('二件目')).toMatchObject({ '項目 relation': ids.dup2, '項目 user': ids.hanako2, '項目 select': 'bronze' });
    const en = await table('header=en');
    expect(en('日本語のテキスト')).toMatchObject({ 'F relation': '株式会社テスト', 'Contact person': '一郎 山田', 'F select': 'Silver' });
    const api = await table('header=api');
    expect(api('日本語のテキスト')).toMatchObject({ f_contact: '一郎 山田', f_select: 'silver', f_multi_select: 'gold;silver;mixed' });
    const raw = await table('header=api&relations=ids');
    expect(raw('日本語のテキスト')).toMatchObject({ f_relation: ids.test, f_contact: ids.yamada, f_user: ids.taro });
  });

  it('writes the id of a relation target the reader may not read, never its name', async () => {
    const role = { name: 'gear_only', label: { en: 'Gear only', ja: 'ギアのみ' }, objects: { gear: { read: 'all' } } };
    expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    const u = await k.call('POST', '/api/users', { email: 'gear@example.jp', name: 'Gear Reader', roles: ['gear_only'] });
    const key = (await k.call('POST', '/api/api-keys', { name: 'gear', user_id: u.body.id })).body.key as string;
    const text = Buffer.from(await exported('header=api', key)).toString('utf8');
    expect(text).not.toContain('株式会社テスト');
    expect(text).not.toContain('一郎');
    const row = (await table('header=api', key))('日本語のテキスト');
    expect(row).toMatchObject({ f_relation: ids.test, f_contact: ids.yamada, f_user: '山田 太郎' });
  });

  it('writes the id of a target whose name starts like a formula, so the file is safe and still imports back', async () => {
    ids.formula = await create('company', { name: '=1+2 商事' });
    await create('gear', { f_text: '三件目', f_relation: ids.formula, f_select: 'gold' });
    const ja = await table('header=ja');
    expect(ja('三件目')).toMatchObject({ '項目 relation': ids.formula, '項目 select': '金' });
    const raw = await table('header=ja&escape_formulas=false');
    expect(raw('三件目')['項目 relation']).toBe('=1+2 商事');
  });

  it('names relations and users on every page of an export longer than one page', async () => {
    const rows = Array.from({ length: 1100 }, (_, i) => ({ last_name: `頁${i}`, title: 'paged', company: ids.test, owner: ids.taro }));
    for (let i = 0; i < rows.length; i += 1000) {
      const r = await k.call('POST', '/api/records/contact/bulk', { records: rows.slice(i, i + 1000) });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBeLessThan(300);
    }
    const filter = encodeURIComponent(JSON.stringify({ title: { eq: 'paged' } }));
    const res = await k.app.request(`/api/records/contact/export?header=api&fields=last_name,company,owner&filter=${filter}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const [header, ...cells]: string[][] = parse(await res.text(), { bom: true });
    expect(header).toEqual(['id', 'last_name', 'company', 'owner', 'created_at', 'updated_at']);
    expect(cells).toHaveLength(1100);
    expect(new Set(cells.map((r) => `${r[2]}|${r[3]}`))).toEqual(new Set(['株式会社テスト|山田 太郎']));
  });

  it('refuses an unknown relations option with a 400 naming it', async () => {
    const res = await k.call('GET', '/api/records/gear/export?relations=labels');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'relations', message: 'must be one of names, ids' }]);
    expect((await k.call('GET', '/api/records/gear/export?relations=')).body.errors[0].field).toBe('relations');
  });

  it.each([
    ['ja', 'format=csv&header=ja&encoding=utf-8-bom'],
    ['en', 'format=csv&header=en&encoding=shift_jis'],
    ['api', 'format=csv&header=api&encoding=utf-8'],
    ['ja_xlsx', 'format=xlsx&header=ja'],
    ['api_ids', 'format=csv&header=api&relations=ids'],
  ])('re-imports the %s export into an empty object as the same records', async (mode, query) => {
    const copy = `gear_${mode}`;
    await defineObject(copy);
    const file = await exported(`${query}&escape_formulas=true`);
    const up = await upload(k, file, `object=${copy}&filename=gear.${query.includes('xlsx') ? 'xlsx' : 'csv'}`);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const mapped = Object.values(up.body.suggested_mapping).filter(Boolean).sort();
    // Every column maps back but the formula's, which the copy computes itself.
    expect(mapped).toEqual(
      FIELDS.filter((f) => !UNREADABLE.includes(f.name) && f.type !== 'formula')
        .map((f) => f.name)
        .sort(),
    );
    const start = await k.call('POST', `/api/imports/${up.body.id}/start`, {});
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const status = await finished(k, up.body.id);
    const created = (await records('gear')).length;
    expect(status, JSON.stringify(status)).toMatchObject({ state: 'succeeded', created, rows_failed: 0 });
    expect(await records(copy)).toEqual(await records('gear'));
  });
});
