import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../platform/testing/fixtures.ts';
import { normalizeCompanyName, normalizeEmail, normalizeName, normalizePhone, searchTerm, variantSpellings, websiteDomain } from './normalize.ts';
import { fnv1a } from './scan.ts';

describe('normalization', () => {
  it('matches names across kana, width and old kanji', () => {
    expect(new Set(['ヤマダ', 'ﾔﾏﾀﾞ', 'やまだ', ' ヤマダ '].map(normalizeName))).toEqual(new Set(['ヤマダ']));
    expect(normalizeName('髙橋')).toBe(normalizeName('高橋'));
    expect(normalizeName('山﨑')).toBe(normalizeName('山崎'));
    expect(normalizeName('𠮷田')).toBe(normalizeName('吉田'));
    expect(normalizeName('ローラ')).toBe('ローラ');
    expect(normalizeName('山田')).not.toBe(normalizeName('山口'));
    expect(variantSpellings('高橋')).toEqual(['高橋', '髙橋']);
  });

  it('strips legal forms from company names, Japanese and Latin', () => {
    const toyota = ['株式会社トヨタ', 'トヨタ株式会社', 'トヨタ(株)', 'トヨタ（株）', 'ﾄﾖﾀ㈱', '(株)とよた', 'トヨタ 株式会社'];
    expect(new Set(toyota.map(normalizeCompanyName))).toEqual(new Set(['トヨタ']));
    expect(new Set(['有限会社みどり', '(有)みどり', '㈲みどり', 'ミドリ有限会社'].map(normalizeCompanyName))).toEqual(new Set(['ミドリ']));
    expect(normalizeCompanyName('合同会社ネクスト')).toBe('ネクスト');
    const acme = ['Acme Inc.', 'ACME, Inc', 'Acme Co., Ltd.', 'Acme Corporation', 'Acme Corp.', 'Acme LLC', 'Acme K.K.', 'Acme GmbH', 'Acme Limited', 'ＡＣＭＥ'];
    expect(new Set(acme.map(normalizeCompanyName))).toEqual(new Set(['acme']));
    expect(normalizeCompanyName('Globex, Corp.')).toBe('globex');
    expect(normalizeCompanyName('株式会社')).toBeNull();
    expect(normalizeCompanyName('Inc.')).toBe('inc');
    expect(searchTerm('Acme Widgets, Inc.', true)).toBe('widgets');
  });

  it('reads phone numbers as E.164, full-width digits too, Japan by default', () => {
    const same = ['03-5708-7760', '+81-3-5708-7760', '+81 3 5708 7760', '０３－５７０８－７７６０', '(03) 5708 7760', '＋８１ ３ ５７０８ ７７６０'];
    expect(new Set(same.map((p) => normalizePhone(p)))).toEqual(new Set(['+81357087760']));
    expect(normalizePhone('090-1234-5678')).toBe('+819012345678');
    expect(normalizePhone('(212) 555-0100', 'US')).toBe('+12125550100');
    expect(normalizePhone('12')).toBeNull();
  });

  it('trims and folds emails; domains without scheme or www', () => {
    expect(normalizeEmail('\tTaro@Example.JP ')).toBe('taro@example.jp');
    expect(normalizeEmail('taro＠example.jp')).toBe('taro@example.jp');
    expect(normalizeEmail('a@b')).toBeNull();
    expect(websiteDomain('https://www.Example.co.jp/about?x=1')).toBe('example.co.jp');
    expect(websiteDomain('example.co.jp')).toBe('example.co.jp');
    expect(websiteDomain('not a site')).toBeNull();
  });

  it('spreads keys evenly over scan partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[fnv1a(`email\u0000user${i}@example.jp`) % 4]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});

describe('real-world data', () => {
  it('finds the duplicate emails of contacts-500 that differ in case and white space', () => {
    const rows = parse(readFixture('csv/contacts-500-utf8.csv'), { columns: true, bom: true }) as Record<string, string>[];
    const groups = new Map<string, string[]>();
    for (const r of rows) {
      const k = normalizeEmail(r.email);
      if (k) groups.set(k, [...(groups.get(k) ?? []), r.email]);
    }
    const dups = [...groups.values()].filter((g) => g.length > 1);
    expect(dups.length).toBeGreaterThanOrEqual(8);
    // Every group is raw spellings that differ (case, tabs, spaces), none identical.
    for (const g of dups) expect(new Set(g).size).toBe(g.length);
    // Half-width kana names fold to full-width.
    const hw = rows.find((r) => /^[ｦ-ﾟ]+$/.test(r.last_name))!;
    expect(normalizeName(hw.last_name)).toMatch(/^[ァ-ヶー]+$/);
    // Full-width phones read the same as ASCII ones.
    const fw = rows.filter((r) => /[０-９]/.test(r.phone));
    expect(fw.length).toBeGreaterThan(0);
    for (const r of fw) expect(normalizePhone(r.phone)).toMatch(/^\+\d{9,15}$/);
  });

  it('keeps 16,668 real Japanese organization names apart while folding legal forms and old kanji', () => {
    const text = new TextDecoder('euc-jp').decode(readFixture('ja-companies/ipadic-Noun.org.euc-jp.csv'));
    const names = [...new Set(text.split('\n').filter(Boolean).map((l) => l.split(',')[0]))];
    expect(names.length).toBeGreaterThan(15000);
    const keys = new Set(names.map((n) => normalizeCompanyName(n)));
    // Folding must not merge different companies wholesale.
    expect(keys.size / names.length).toBeGreaterThan(0.97);
    for (const n of names.slice(0, 2000)) {
      const k = normalizeCompanyName(n);
      expect(normalizeCompanyName(`株式会社${n}`)).toBe(k);
      expect(normalizeCompanyName(`${n}（株）`)).toBe(k);
      expect(normalizeCompanyName(`${n}㈱`)).toBe(k);
    }
    const old = names.filter((n) => /[冨鐵澤]/.test(n));
    expect(old.length).toBeGreaterThan(5);
    for (const n of old) expect(normalizeCompanyName(n)).toBe(normalizeCompanyName(n.replace(/冨/g, '富').replace(/鐵/g, '鉄').replace(/澤/g, '沢')));
  });
});
