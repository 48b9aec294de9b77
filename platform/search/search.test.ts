// Global search (GET /api/search, issue 16 item 10): every readable object searched with the
// records list's q, ranked, named by display templates, under the caller's read scope and field
// permissions, bounded per object and in time; bad input is a 400 naming the parameter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { searchAll } from './global.ts';

const caseName = (subject: string) => expect.stringMatching(new RegExp(`^CASE-\\d{6} ${subject}$`));

describe.each(databases)('global search on %s', (kind) => {
  let k: TestKizuna;
  let rep: { id: string; key: string };
  const asRep = (path: string) => k.call('GET', path, undefined, { authorization: `Bearer ${rep.key}` });
  const create = async (object: string, body: Record<string, unknown>) => {
    const r = await k.call('POST', `/api/records/${object}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const ids: Record<string, string> = {};
  const group = (body: { groups: { object: string }[] }, object: string) =>
    body.groups.find((g) => g.object === object) as
      { records: { id: string; name: unknown; match: string }[]; has_more: boolean } | undefined;

  beforeAll(async () => {
    k = await startKizuna(kind);
    const role = {
      name: 'own_contacts',
      label: { en: 'Own contacts', ja: '自分の取引先責任者' },
      objects: { contact: { read: 'own', fields: { first_name_kana: 'hidden' } } },
    };
    expect((await k.call('POST', '/api/roles', role)).status).toBe(201);
    const u = await k.call('POST', '/api/users', { email: 'rep@example.jp', name: '営業 一郎', roles: ['own_contacts'] });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    rep = { id: u.body.id, key: (await k.call('POST', '/api/api-keys', { name: 'rep', user_id: u.body.id })).body.key };
    // Oldest first, so that newest-first order would put them the wrong way round.
    ids.exact = await create('company', { name: '山田' });
    ids.prefix = await create('company', { name: '山田商事' });
    ids.contains = await create('company', { name: '株式会社山田' });
    ids.taro = await create('contact', {
      last_name: '山田',
      first_name: '太郎',
      last_name_kana: 'ヤマダ',
      first_name_kana: 'タロウ',
      owner: rep.id,
    });
    ids.hanako = await create('contact', { last_name: '山田', first_name: '花子', last_name_kana: 'ヤマダ', first_name_kana: 'ハナコ' });
    ids.case = await create('case', { subject: '山田様からの問い合わせ' });
  });
  afterAll(() => k?.close());

  it('finds records of every object, grouped, ranked exact → prefix → contains, named by display templates', async () => {
    const r = await k.call('GET', `/api/search?q=${encodeURIComponent('山田')}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.q).toBe('山田');
    expect(r.body.incomplete).toEqual([]);
    // The company named exactly 山田 is the best hit: its group comes first.
    expect(r.body.groups[0].object).toBe('company');
    expect(group(r.body, 'company')!.records).toEqual([
      { id: ids.exact, name: { en: '山田', ja: '山田' }, match: 'exact' },
      { id: ids.prefix, name: { en: '山田商事', ja: '山田商事' }, match: 'prefix' },
      { id: ids.contains, name: { en: '株式会社山田', ja: '株式会社山田' }, match: 'contains' },
    ]);
    // A contact's last name is 山田 exactly: exact, and named first-last in English, last-first in Japanese.
    expect(group(r.body, 'contact')!.records).toContainEqual({ id: ids.taro, name: { en: '太郎 山田', ja: '山田 太郎' }, match: 'exact' });
    expect(group(r.body, 'case')!.records).toEqual([
      // A case is named by its number and subject (case.json's display template).
      { id: ids.case, name: { en: caseName('山田様からの問い合わせ'), ja: caseName('山田様からの問い合わせ') }, match: 'prefix' },
    ]);
  });

  it('matches kana in either script and full names across the last/first boundary', async () => {
    const kana = await k.call('GET', `/api/search?q=${encodeURIComponent('やまだ たろう')}`);
    expect(kana.status).toBe(200);
    expect(group(kana.body, 'contact')!.records.map((x) => x.id)).toEqual([ids.taro]);
    const full = await k.call('GET', `/api/search?q=${encodeURIComponent('山田太郎')}`);
    expect(group(full.body, 'contact')!.records).toEqual([{ id: ids.taro, name: { en: '太郎 山田', ja: '山田 太郎' }, match: 'exact' }]);
  });

  it('gives a few hits per object and says when there are more', async () => {
    const r = await k.call('GET', `/api/search?q=${encodeURIComponent('山田')}&limit=2`);
    expect(group(r.body, 'company')!.records.map((x) => x.id)).toEqual([ids.exact, ids.prefix]);
    expect(group(r.body, 'company')!.has_more).toBe(true);
    expect(group(r.body, 'case')!.has_more).toBe(false);
  });

  it('shows a restricted user only the records and objects they may read, and never matches hidden fields', async () => {
    const r = await asRep(`/api/search?q=${encodeURIComponent('山田')}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.groups.map((g: { object: string }) => g.object)).toEqual(['contact']);
    expect(group(r.body, 'contact')!.records.map((x) => x.id)).toEqual([ids.taro]);
    expect(JSON.stringify(r.body)).not.toContain('花子');
    // タロウ is only in the hidden first_name_kana: no hit, so a search is no oracle.
    const hidden = await asRep(`/api/search?q=${encodeURIComponent('タロウ')}`);
    expect(hidden.body.groups).toEqual([]);
    expect((await k.call('GET', `/api/search?q=${encodeURIComponent('タロウ')}`)).body.groups).toHaveLength(1);
  });

  it('leaves deleted records out', async () => {
    const gone = await create('company', { name: '削除予定の会社' });
    expect((await k.call('GET', `/api/search?q=${encodeURIComponent('削除予定')}`)).body.groups).toHaveLength(1);
    expect((await k.call('DELETE', `/api/records/company/${gone}`)).status).toBe(204);
    expect((await k.call('GET', `/api/search?q=${encodeURIComponent('削除予定')}`)).body.groups).toEqual([]);
  });

  it('answers an empty, over-long or NUL query, a bad limit and unknown parameters with 400 naming them', async () => {
    for (const [path, field] of [
      ['/api/search', 'q'],
      ['/api/search?q=%20%20', 'q'],
      [`/api/search?q=${'あ'.repeat(201)}`, 'q'],
      ['/api/search?q=a%00b', 'q'],
      ['/api/search?q=a&limit=0', 'limit'],
      ['/api/search?q=a&limit=21', 'limit'],
      ['/api/search?q=a&limit=two', 'limit'],
      ['/api/search?q=a&object=contact', 'object'],
    ]) {
      const r = await k.call('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(
        r.body.errors.map((e: { field: string }) => e.field),
        path,
      ).toContain(field);
    }
    expect((await k.call('GET', `/api/search?q=${'あ'.repeat(200)}`)).status).toBe(200);
  });

  it('names the objects it could not search within its time budget instead of waiting', async () => {
    const admin = { actor: null, access: undefined };
    const r = await searchAll({ db: k.db, registry: k.registry, budgetMs: 0 }, admin, '山田', 5);
    expect(r.groups).toEqual([]);
    expect(r.incomplete).toEqual(expect.arrayContaining(['company', 'contact', 'case']));
  });
});
