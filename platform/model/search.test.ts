// The fast PL/pgSQL search functions must give exactly what their plain SQL definitions give
// (the grams: less the ASCII unigrams, which the index no longer keeps): the stored search
// documents and GIN indexes written before the switch stay valid only then.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { readFixture } from '../testing/fixtures.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { searchFunctionsDdl } from './search.ts';

/** Real text: Rashōmon (kanji, hiragana, punctuation) and IPADIC names with katakana readings. */
function samples(): string[] {
  const out = readFixture('ja-text/rashomon-utf-8.txt').toString('utf8').split('\n').filter(Boolean).slice(0, 400);
  const names = iconv.decode(readFixture('ja-names/ipadic-Noun.name.euc-jp.csv'), 'euc-jp').split('\n').slice(0, 3000);
  for (const line of names) {
    const c = line.split(',');
    if (c.length >= 12) out.push(`${c[0]} ${c[11]}`);
  }
  return out.concat([
    '',
    ' ',
    'やまだ　たろう',
    'ﾔﾏﾀﾞ ﾀﾛｳ',
    'ＡＢＣ１２３ abc',
    'Yamada\tTaro\n',
    '髙橋 ①② ㈱ ㌔',
    'ゔゕゖ ゐゑ',
    'Ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｊｐ',
    'e\u0301cole',
    'Ǆ ǅ ǆ',
    '🇯🇵 絵文字 😀',
    'İstanbul',
    'ß STRASSE',
    'か\u3099',
    '〜～',
    'user1@example.jp 03-1234-5678',
  ]);
}

describe.each(databases)('search functions on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
    // The SQL definitions under other names, as the reference.
    for (const ddl of searchFunctionsDdl.slice(0, 2))
      await k.db.query(sql.raw(ddl.replace(/function kizuna_(\w+)\(/, 'function kizuna_ref_$1(')));
  });
  afterAll(() => k?.close());

  it('normalize and split into grams exactly like their SQL definitions', async () => {
    const texts = samples();
    expect(texts.length).toBeGreaterThan(2000);
    const rows = await k.db.query<{ t: string | null; same_norm: boolean; same_grams: boolean; norm: string }>(sql`
      select t, kizuna_norm(t) as norm,
        kizuna_norm(t) = kizuna_ref_norm(t) as same_norm,
        (select array_agg(distinct g order by g) from unnest(kizuna_grams(kizuna_norm(t))) g) is not distinct from
          (select array_agg(g order by g) from unnest(kizuna_ref_grams(kizuna_ref_norm(t))) g where g !~ '^[\\x01-\\x7f]$') as same_grams
      from (select jsonb_array_elements_text(${JSON.stringify(texts)}::jsonb) as t union all select null) x`);
    expect(rows.filter((r) => !r.same_norm || !r.same_grams)).toEqual([]);
    const norm = new Map(rows.map((r) => [r.t, r.norm]));
    expect(norm.get('やまだ　たろう')).toBe('ヤマダタロウ');
    expect(norm.get('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe('ヤマダタロウ');
    expect(norm.get('ＡＢＣ１２３ abc')).toBe('abc123abc');
    expect(norm.get(null)).toBe('');
  });

  it('asks the index for no gram for one ASCII character, and for the character otherwise', async () => {
    const rows = await k.db.query<{ q: string; g: string[] | string }>(
      sql`select q, kizuna_query_grams(q) as g from unnest(array['a', '7', '@', '田', 'ア', 'ab', '山田']) as q`,
    );
    const grams = Object.fromEntries(rows.map((r) => [r.q, typeof r.g === 'string' ? r.g : `{${r.g.join(',')}}`]));
    expect(grams).toEqual({ a: '{}', 7: '{}', '@': '{}', 田: '{田}', ア: '{ア}', ab: '{ab}', 山田: '{山田}' });
  });
});
