import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { japaneseNames } from '../testing/fixtures.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

describe.each(databases)('list queries on %s', (kind) => {
  let k: TestKizuna;
  const companies: Record<string, string> = {};
  const contacts: { id: string; last_name: string; first_name: string; last_name_kana: string; score: number | null }[] = [];

  beforeAll(async () => {
    k = await startKizuna(kind);
    expect(
      (
        await k.call('POST', '/api/meta/objects/contact/fields', {
          name: 'score',
          type: 'integer',
          label: { en: 'Score', ja: 'スコア' },
          indexed: true,
        })
      ).status,
    ).toBe(201);
    const made = await k.call('POST', '/api/records/company/bulk', {
      records: [
        { name: '安川電機', name_kana: 'ヤスカワデンキ', industry: 'manufacturing', employees: 12000 },
        { name: 'Globex, Corp.', industry: 'retail', employees: 50 },
        { name: '日鐵商事', industry: 'retail' },
      ],
    });
    expect(made.status).toBe(200);
    const list = await k.call('GET', '/api/records/company?limit=10');
    for (const c of list.body.data) companies[c.name] = c.id;

    const { family, given } = japaneseNames();
    const records = [];
    for (let i = 0; i < 120; i++) {
      const [last, lastKana] = family[(i * 7919) % family.length];
      const [first] = given[(i * 104729) % given.length];
      records.push({
        last_name: last,
        first_name: first,
        last_name_kana: lastKana,
        email: `person${i}@example.jp`,
        lifecycle: ['lead', 'prospect', 'customer', 'churned'][i % 4],
        score: i % 10 === 0 ? null : (i * 37) % 101,
        tags: i % 3 === 0 ? ['vip'] : i % 3 === 1 ? ['newsletter', 'press'] : [],
        company: i % 2 === 0 ? companies['安川電機'] : companies['Globex, Corp.'],
      });
    }
    records.push({
      last_name: '山田',
      first_name: '太郎',
      last_name_kana: 'ヤマダ',
      email: 'Taro.Yamada@Example.com',
      score: 50,
      lifecycle: 'customer',
      company: companies['日鐵商事'],
    });
    records.push({
      last_name: 'ﾔﾏﾀﾞ',
      first_name: 'ﾊﾅｺ',
      last_name_kana: 'やまだ',
      email: 'hanako@example.jp',
      score: 50,
      lifecycle: 'customer',
    });
    const r = await k.call('POST', '/api/records/contact/bulk', { records });
    expect(r.status).toBe(200);
    let cursor: string | null = null;
    do {
      const page: { body: { data: typeof contacts; page: { next_cursor: string | null } } } = await k.call(
        'GET',
        `/api/records/contact?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      contacts.push(...page.body.data);
      cursor = page.body.page.next_cursor;
    } while (cursor);
    expect(contacts).toHaveLength(122);
  });
  afterAll(() => k?.close());

  const ids = async (query: string) => {
    const r = await k.call('GET', `/api/records/contact?limit=500&${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.data.map((c: { id: string }) => c.id) as string[];
  };

  it('filters with every comparison operator, matching a plain computation', async () => {
    const expectSame = async (filter: unknown, pred: (c: (typeof contacts)[number]) => boolean) => {
      expect((await ids(`filter=${enc(filter)}`)).sort()).toEqual(
        contacts
          .filter(pred)
          .map((c) => c.id)
          .sort(),
      );
    };
    await expectSame({ score: { gte: 50 } }, (c) => c.score !== null && c.score >= 50);
    await expectSame({ score: { lt: 10 } }, (c) => c.score !== null && c.score < 10);
    await expectSame({ score: { is_null: true } }, (c) => c.score === null);
    await expectSame({ score: { neq: 50 } }, (c) => c.score !== 50);
    await expectSame({ score: { in: [1, 2, 50] } }, (c) => [1, 2, 50].includes(c.score as number));
    await expectSame({ score: { nin: [50] } }, (c) => c.score !== 50);
    await expectSame({ or: [{ score: 50 }, { score: { is_null: true } }] }, (c) => c.score === 50 || c.score === null);
    await expectSame({ not: { score: { gt: 20 } } }, (c) => !(c.score !== null && c.score > 20));
    await expectSame({ and: [{ score: { gt: 20 } }, { score: { lte: 60 } }] }, (c) => c.score !== null && c.score > 20 && c.score <= 60);
    await expectSame({ last_name: { starts_with: '山' } }, (c) => c.last_name.startsWith('山'));
  });

  it('filters text case-insensitively, multi-select by any/all, and select by label', async () => {
    expect(await ids(`filter=${enc({ email: { icontains: 'TARO.YAMADA' } })}`)).toHaveLength(1);
    expect(await ids(`filter=${enc({ email: { contains: 'TARO.YAMADA' } })}`)).toHaveLength(0);
    const vip = await ids(`filter=${enc({ tags: { has_any: ['vip', 'press'] } })}`);
    const both = await ids(`filter=${enc({ tags: { has_all: ['newsletter', 'press'] } })}`);
    expect(vip.length).toBe(80);
    expect(both.length).toBe(40);
    expect(await ids(`filter=${enc({ lifecycle: 'Customer' })}`)).toHaveLength(32);
  });

  it('filters an indexed json field holding a list of strings by any/all of its elements, with its GIN index', async () => {
    expect(
      (
        await k.call('POST', '/api/meta/objects/company/fields', {
          name: 'keys',
          type: 'json',
          label: { en: 'Keys', ja: 'キー' },
          indexed: true,
        })
      ).status,
    ).toBe(201);
    const made = await k.call('POST', '/api/records/company/bulk', {
      records: [
        { name: 'キー一', keys: ['a:1', 'b:2'] },
        { name: 'キー二', keys: ['b:2', 'c:3'] },
        { name: 'キー三', keys: { 'a:1': true } },
        { name: 'キー四', keys: 'a:1' },
      ],
    });
    expect(made.status).toBe(200);
    const names = async (filter: unknown) => {
      const r = await k.call('GET', `/api/records/company?limit=50&fields=name&sort=name&filter=${enc(filter)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.data.map((c: { name: string }) => c.name);
    };
    // Arrays by their elements and objects by their keys (jsonb ?|); a bare string only by itself.
    expect(await names({ keys: { has_any: ['a:1'] } })).toEqual(['キー一', 'キー三', 'キー四']);
    expect(await names({ keys: { has_any: ['c:3', 'zz'] } })).toEqual(['キー二']);
    expect(await names({ keys: { has_all: ['a:1', 'b:2'] } })).toEqual(['キー一']);
    expect(await names({ not: { keys: { has_any: ['b:2'] } } })).toEqual(expect.arrayContaining(['キー三', '安川電機']));
    const bad = await k.call('GET', `/api/records/company?filter=${enc({ keys: { has_any: [1] } })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'keys.has_any', message: 'must be an array of strings' });
    const indexes = await k.db.query<{ indexdef: string }>(
      sql`select indexdef from pg_indexes where schemaname = current_schema() and tablename = 'company' and indexdef like '%gin%keys%'`,
    );
    expect(indexes).toHaveLength(1);
  });

  it('filters through a relation and through an inverse relation', async () => {
    const retail = await ids(`filter=${enc({ 'company.industry': { eq: 'Retail' } })}`);
    expect(retail).toHaveLength(61); // Globex (60) + 日鐵商事 (1)
    const big = await k.call('GET', `/api/records/company?filter=${enc({ 'contacts.email': { icontains: 'taro.yamada' } })}`);
    expect(big.body.data.map((c: { name: string }) => c.name)).toEqual(['日鐵商事']);
  });

  it('answers 400 naming the unknown field, operator or value type', async () => {
    const cases: [unknown, string][] = [
      [{ nope: 1 }, 'nope'],
      [{ score: { like: 1 } }, 'score'],
      [{ score: { gt: 'abc' } }, 'score.gt'],
      // Beyond the integer column's 32 bits: PostgreSQL would refuse the statement (a 500).
      [{ score: { gt: 1e30 } }, 'score.gt'],
      [{ score: { in: [1, 2147483648] } }, 'score.in'],
      [{ 'company.nope': 1 }, 'nope'],
      [{ 'owner.email': 'x' }, 'owner'],
      [{ tags: { eq: 'vip' } }, 'tags'],
      [{ and: {} }, 'and'],
      [[1, 2], 'filter'],
    ];
    for (const [filter, name] of cases) {
      const r = await k.call('GET', `/api/records/contact?filter=${enc(filter)}`);
      expect(r.status, JSON.stringify(filter)).toBe(400);
      expect(JSON.stringify(r.body)).toContain(name);
    }
    expect((await k.call('GET', '/api/records/contact?filter=%7Bbroken')).status).toBe(400);
    expect((await k.call('GET', '/api/records/contact?sort=nope')).status).toBe(400);
    expect((await k.call('GET', '/api/records/contact?limit=0')).status).toBe(400);
    expect((await k.call('GET', '/api/records/contact?limit=501')).status).toBe(400);
    expect((await k.call('GET', '/api/records/contact?cursor=garbage')).status).toBe(400);
    expect((await k.call('GET', '/api/records/contact?bogus=1')).status).toBe(400);
    expect((await k.call('GET', '/api/records/contact?include=email')).status).toBe(400);
  });

  it('binds SQL in filters, sorts and search instead of running it', async () => {
    const evil = "x'); drop table contact; --";
    for (const q of [
      `filter=${enc({ last_name: evil })}`,
      `filter=${enc({ last_name: { in: [evil] } })}`,
      `q=${encodeURIComponent(evil)}`,
      `sort=${encodeURIComponent('last_name;drop table contact')}`,
      `filter=${enc({ [`last_name"; drop table contact; --`]: 1 })}`,
    ]) {
      const r = await k.call('GET', `/api/records/contact?${q}`);
      expect([200, 400]).toContain(r.status);
    }
    expect((await k.call('GET', '/api/records/contact?count=true&limit=1')).body.page.total).toBe(122);
  });

  it('pages through a multi-field sort with NULLs, without gaps or repeats', async () => {
    for (const sort of ['-score,last_name', 'score', 'lifecycle,-score', '-created_at']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: { status: number; body: { data: { id: string }[]; page: { next_cursor: string | null; has_more: boolean } } } =
          await k.call('GET', `/api/records/contact?limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.data.map((c) => c.id));
        cursor = r.body.page.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(Math.ceil(122 / 7));
      expect(new Set(seen).size).toBe(122);
      expect(seen).toEqual(await ids(`sort=${sort}`));
    }
    const sorted = (await k.call('GET', '/api/records/contact?limit=500&sort=-score')).body.data.map(
      (c: { score: number | null }) => c.score,
    );
    expect(sorted.slice(0, 12).every((s: number | null) => s === null)).toBe(true); // NULLs are the largest values
    expect(sorted.slice(12)).toEqual([...sorted.slice(12)].sort((a, b) => b - a));
  });

  it('keeps a cursor stable while new records are inserted', async () => {
    const first = await k.call('GET', '/api/records/contact?limit=10&sort=last_name');
    const expected = (await ids('sort=last_name')).slice(10, 20);
    await k.call('POST', '/api/records/contact', { last_name: 'あ' });
    await k.call('POST', '/api/records/contact', { last_name: 'ん' });
    const second = await k.call('GET', `/api/records/contact?limit=10&sort=last_name&cursor=${first.body.page.next_cursor}`);
    const got = second.body.data.map((c: { id: string }) => c.id);
    expect(got.filter((id: string) => expected.includes(id))).toEqual(expected.filter((id) => got.includes(id)));
    expect(second.body.data[0].last_name >= first.body.data[9].last_name).toBe(true);
    const a = await k.call('GET', `/api/records/contact?filter=${enc({ last_name: { in: ['あ', 'ん'] } })}`);
    for (const c of a.body.data) await k.call('DELETE', `/api/records/contact/${c.id}?permanent=true`);
  });

  it('returns only the asked fields, and expands relations both ways', async () => {
    const r = await k.call('GET', '/api/records/contact?limit=3&fields=last_name,score&include=company');
    expect(Object.keys(r.body.data[0]).sort()).toEqual(
      ['company', 'created_at', 'created_by', 'id', 'last_name', 'score', 'updated_at', 'updated_by', 'version'].sort(),
    );
    const withCompany = r.body.data.find((c: { company: unknown }) => c.company);
    expect(withCompany.company).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    const c = await k.call('GET', `/api/records/company?include=contacts&filter=${enc({ name: '日鐵商事' })}`);
    expect(c.body.data[0].contacts.map((x: { last_name: string }) => x.last_name)).toEqual(['山田']);
    const one = await k.call('GET', `/api/records/company/${companies['安川電機']}?include=contacts`);
    expect(one.body.contacts).toHaveLength(20); // the inverse list is capped
  });

  it('searches Japanese substrings of any length, across kana forms and width, and English case-insensitively', async () => {
    const names = async (q: string) =>
      (await k.call('GET', `/api/records/contact?limit=500&q=${encodeURIComponent(q)}`)).body.data.map(
        (c: { last_name: string; first_name: string }) => `${c.last_name}${c.first_name ?? ''}`,
      );
    expect(await names('田太')).toContain('山田太郎');
    expect(await names('山田太郎')).toContain('山田太郎');
    expect(await names('山田 太郎')).toContain('山田太郎');
    expect(await names('taro.yamada')).toEqual(['山田太郎']);
    expect(await names('TARO')).toContain('山田太郎');
    // ﾔﾏﾀﾞ (half-width) and やまだ (hiragana reading) are found by ヤマダ, and the other way round.
    expect(await names('ヤマダ')).toEqual(expect.arrayContaining(['山田太郎', 'ﾔﾏﾀﾞﾊﾅｺ']));
    expect(await names('やまだ')).toEqual(expect.arrayContaining(['山田太郎', 'ﾔﾏﾀﾞﾊﾅｺ']));
    const single = contacts[5].last_name.slice(0, 1);
    const expected = contacts.filter((c) => `${c.last_name}${c.first_name}${c.last_name_kana}`.includes(single)).length;
    expect((await names(single)).length).toBeGreaterThanOrEqual(expected);
    expect(await names('zzzz')).toEqual([]);
    const withFilter = await k.call(
      'GET',
      `/api/records/contact?q=${encodeURIComponent('やまだ')}&filter=${enc({ lifecycle: 'customer' })}&count=true`,
    );
    expect(withFilter.body.page.total).toBe(2);
  });

  it('counts with a filter', async () => {
    const r = await k.call('GET', `/api/records/contact?count=true&limit=1&filter=${enc({ lifecycle: 'customer', score: { gte: 50 } })}`);
    expect(r.body.page.total).toBe(
      contacts.filter((c) => (c as unknown as { lifecycle: string }).lifecycle === 'customer' && (c.score ?? -1) >= 50).length,
    );
    expect(r.body.page.has_more).toBe(r.body.page.total > 1);
  });
});
