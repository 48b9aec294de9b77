import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readFixture } from 'kizuna/testing';
import * as OpenCC from 'opencc-js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import {
  companyReading,
  isRoleAddress,
  legalFormOf,
  legalFormsConflict,
  normalizeCompanyName,
  normalizeEmail,
  normalizeName,
  japanesePhone,
  normalizePhone,
  normalizePlace,
  personNameKey,
  registrableDomain,
  searchTerm,
  variantSpellings,
  websiteDomain,
} from './normalize.ts';
import { foldRomaji, kanaToRomaji, romajiKeys } from './romaji.ts';
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
    const acme = [
      'Acme Inc.',
      'ACME, Inc',
      'Acme Co., Ltd.',
      'Acme Corporation',
      'Acme Corp.',
      'Acme LLC',
      'Acme K.K.',
      'Acme GmbH',
      'Acme Limited',
      'ＡＣＭＥ',
    ];
    expect(new Set(acme.map(normalizeCompanyName))).toEqual(new Set(['acme']));
    expect(normalizeCompanyName('Globex, Corp.')).toBe('globex');
    expect(normalizeCompanyName('株式会社')).toBeNull();
    expect(normalizeCompanyName('Inc.')).toBe('inc');
    expect(searchTerm('Acme Widgets, Inc.', true)).toBe('widgets');
  });

  it("unifies variant kanji from OpenCC's dictionary, and the name variants it leaves alone", () => {
    for (const [a, b] of [
      ['小淺商事', '小浅商事'],
      ['協和醗酵', '協和発酵'],
      ['協和醱酵', '協和発酵'],
      ['渡邊', '渡辺'],
      ['渡邉', '渡辺'],
      ['齋藤', '斎藤'],
      ['國分', '国分'],
      ['茅ヶ崎', '茅ケ崎'],
      ['櫻井', '桜井'],
      ['廣瀬', '広瀬'],
    ]) {
      expect(normalizeName(a), a).toBe(normalizeName(b));
    }
    expect(normalizeCompanyName('協和醗酵工業株式会社')).toBe(normalizeCompanyName('協和発酵工業(株)'));
    // The short list in kanji.ts exists because OpenCC leaves these alone: when it maps one, drop it there.
    const opencc = OpenCC.Converter({ from: 't', to: 'jp' });
    for (const ch of ['髙', '﨑', '嵜', '碕', '邉', '冨', '嶋', '嶌', '舘', '𠮷', '醗']) expect(opencc(ch), ch).toBe(ch);
    expect(opencc('淺澤國醱邊齋')).toBe('浅沢国醗辺斎');
    expect(normalizeName('斉藤')).not.toBe(normalizeName('斎藤'));
  });

  it('strips every legal form and its abbreviation, and names the form', () => {
    const same: [string, string][] = [
      ['医療法人社団 健康会', '健康会'],
      ['一般財団法人 日本データ協会', '(一財)日本データ協会'],
      ['公益社団法人 日本看護協会', '（公社）日本看護協会'],
      ['社団法人 日本能率協会', '㈳日本能率協会'],
      ['財団法人 日本気象協会', '㈶日本気象協会'],
      ['学校法人 桜丘学園', '(学)桜丘学園'],
      ['宗教法人 光明寺', '光明寺'],
      ['社会福祉法人 あおば会', '(福)あおば会'],
      ['合同会社ネクスト', 'ネクスト(同)'],
      ['特定非営利活動法人 こども未来', 'NPO法人こども未来'],
      ['(特非)こども未来', 'こども未来'],
      ['有限責任事業組合 みらい', 'みらい'],
      ['(医)健康会', '医療法人財団 健康会'],
      ['ｶ)ｻｸﾗｼｮｳｼﾞ', 'サクラショウジ(カ'],
      ['Sakura Trading K.K.', 'Sakura Trading Co., Ltd.'],
    ];
    for (const [a, b] of same) expect(normalizeCompanyName(a), a).toBe(normalizeCompanyName(b));
    expect(normalizeCompanyName('カナダ商事')).toBe('カナダ商事');
    // Bank-transfer notation: the form after the name written )カ as well as (カ; small kana large.
    expect(normalizeCompanyName('ｲｸｴｲｼｮｳｶｲ)ｶ')).toBe(normalizeCompanyName('郁栄商会株式会社'.replace('郁栄商会', 'イクエイショウカイ')));
    expect(legalFormOf('ｲｸｴｲｼｮｳｶｲ)ｶ')).toBe('kabushiki');
    expect(normalizeCompanyName('ｺｲｽﾞﾐｼﾖｳｼﾞ')).toBe(normalizeCompanyName('コイズミショウジ'));
    expect(normalizeCompanyName('キャノン販売(株)')).toBe(normalizeCompanyName('キヤノン販売株式会社'));
    // The head office is the company; a branch is a record of its own.
    expect(normalizeCompanyName('濃飛倉庫運輸 本社')).toBe(normalizeCompanyName('株式会社濃飛倉庫運輸'));
    expect(normalizeCompanyName('技研興業(株)本社')).toBe('技研興業');
    expect(normalizeCompanyName('技研興業(株)大阪支店')).toBe('技研興業大阪支店');
    expect(normalizeCompanyName('本社')).toBe('本社');
    expect(normalizeCompanyName('Godo Steel, Ltd.')).toBe('godosteel');
    const forms: [string, string | null][] = [
      ['株式会社さくら', 'kabushiki'],
      ['さくら㈱', 'kabushiki'],
      ['Sakura K.K.', 'kabushiki'],
      ['有限会社さくら', 'yugen'],
      ['(有)さくら', 'yugen'],
      ['さくら', null],
      ['合同会社さくら', 'godo'],
      ['Sakura GK', 'godo'],
      ['(一財)日本データ協会', 'ippan_zaidan'],
      ['一般財団法人 日本データ協会', 'ippan_zaidan'],
      ['(公財)日本', 'koeki_zaidan'],
      ['医療法人社団 健康会', 'iryo_shadan'],
      ['(医)健康会', 'iryo'],
      ['学校法人 桜丘学園', 'gakko'],
      ['NPO法人こども未来', 'npo'],
      ['Acme Inc.', 'corporation'],
      ['Acme LLC', 'llc'],
    ];
    for (const [name, form] of forms) expect(legalFormOf(name), name).toBe(form);
    expect(legalFormsConflict('kabushiki', 'yugen')).toBe(true);
    expect(legalFormsConflict('godo', 'kabushiki')).toBe(true);
    expect(legalFormsConflict('gakko', 'iryo')).toBe(true);
    expect(legalFormsConflict('kabushiki', null)).toBe(false);
    expect(legalFormsConflict('kabushiki', 'corporation')).toBe(false);
    expect(legalFormsConflict('shadan', 'ippan_shadan')).toBe(false);
    expect(legalFormsConflict('ippan_zaidan', 'koeki_zaidan')).toBe(false);
    expect(legalFormsConflict('iryo', 'iryo_shadan')).toBe(false);
  });

  it('gives one key to a full name however it was split or ordered', () => {
    expect(personNameKey(['中村美咲'])).toBe(personNameKey(['中村', '美咲']));
    expect(personNameKey(['中村美咲', null])).toBe(personNameKey(['中村', ' 美咲 ']));
    expect(personNameKey(['ﾅｶﾑﾗ', 'ﾐｻｷ'])).toBe(personNameKey(['なかむらみさき']));
    const yamada = ['Taro Yamada', 'Yamada Taro', 'YAMADA, Taro', 'yamada  taro'].map((n) => personNameKey([n]));
    expect(new Set([...yamada, personNameKey(['Yamada', 'Taro']), personNameKey(['Taro', 'Yamada'])])).toEqual(new Set(['taro yamada']));
    expect(personNameKey(['García', 'José'])).toBe(personNameKey(['Jose Garcia']));
    expect(personNameKey(['中村', '美咲'])).not.toBe(personNameKey(['美咲', '中村']));
    expect(personNameKey([null, ''])).toBeNull();
    expect(personNameKey(['サトー', 'ユーコ'])).toBe(personNameKey(['さとう', 'ゆうこ']));
    expect(personNameKey(['ｽﾂﾞｷ'])).toBe(personNameKey(['スズキ']));
    expect(personNameKey(['オノ'])).not.toBe(personNameKey(['オオノ']));
  });

  it('reads romanized names loosely against readings', () => {
    expect(kanaToRomaji('ヤマダタロウ')).toBe('yamadatarou');
    expect(kanaToRomaji('シュンスケ')).toBe('shunsuke');
    expect(kanaToRomaji('ハットリ')).toBe('hattori');
    expect(kanaToRomaji('キョウコ')).toBe('kyouko');
    expect(kanaToRomaji('山田')).toBeNull();
    for (const [a, b] of [
      ['satoh', 'sato'],
      ['satou', 'sato'],
      ['yuuko', 'yuko'],
      ['namba', 'nanba'],
      ['siniti', 'shinichi'],
      ['ohno', 'ono'],
    ])
      expect(foldRomaji(a), a).toBe(foldRomaji(b));
    expect(romajiKeys('ヤマダタロウ')).toEqual(['~yamadataro']);
    expect(romajiKeys('taro yamada')).toEqual(['~taroyamada', '~yamadataro']);
    expect(romajiKeys('山田太郎')).toEqual([]);
  });

  it('reads a company name in kana or Latin letters as loose romaji, legal forms left out', () => {
    expect(companyReading('ホクショウサンギョウ')).toBe('~hokushosangyo');
    expect(companyReading('Hokusho Sangyo Co., Ltd.')).toBe('~hokushosangyo');
    expect(companyReading('ｶ)ｺｲｽﾞﾐｼｮｳｼﾞ')).toBe(companyReading('Koizumi Shoji K.K.'));
    expect(companyReading('チュウオウショウジ')).toBe(companyReading('CHUO SHOJI Co., Ltd.'));
    expect(companyReading('じょうてつしょうじ')).toBe('~jotetsushoji');
    for (const v of ['北祥産業株式会社', 'パーク24', 'NTTデータ', '', null]) expect(companyReading(v), String(v)).toBeNull();
  });

  it('tells role mailboxes from personal addresses', () => {
    for (const e of [
      'info@sakura.co.jp',
      'INFO2@sakura.co.jp',
      'support@x.jp',
      'sales-jp@x.jp',
      'contact@x.jp',
      'office@x.jp',
      'admin@x.jp',
      'webmaster@x.jp',
      'noreply@x.jp',
      'no-reply@x.jp',
      'お問い合わせ@x.jp',
      'info.tokyo@x.jp',
      'support+case123@x.jp',
    ]) {
      expect(isRoleAddress(e), e).toBe(true);
    }
    for (const e of ['taro.yamada@x.jp', 'taro.sales@x.jp', 'information-is-not@', 'yamada@info.co.jp'])
      expect(isRoleAddress(e), e).toBe(false);
  });

  it('gives a website its registered domain by the Public Suffix List, and places one spelling', () => {
    expect(registrableDomain('https://www.sony.co.jp/')).toBe('sony.co.jp');
    expect(registrableDomain('life.sony.co.jp')).toBe('sony.co.jp');
    expect(websiteDomain('life.sony.co.jp')).toBe('life.sony.co.jp');
    expect(registrableDomain('https://www.city.shibuya.tokyo.jp')).toBe('city.shibuya.tokyo.jp');
    expect(registrableDomain('acme.github.io')).toBe('acme.github.io');
    expect(registrableDomain('not a site')).toBeNull();
    expect(normalizePlace('東京都千代田区')).toBe(normalizePlace('千代田区'));
    expect(normalizePlace('東京都')).toBe(normalizePlace('東京'));
    expect(normalizePlace('大阪府')).toBe('大阪');
    expect(normalizePlace('北海道')).toBe('北海道');
    expect(normalizePlace('Zürich')).toBe(normalizePlace('ZURICH'));
  });

  it('reads phone numbers as E.164, full-width digits too, Japan by default', () => {
    const same = [
      '03-5708-7760',
      '+81-3-5708-7760',
      '+81 3 5708 7760',
      '０３－５７０８－７７６０',
      '(03) 5708 7760',
      '＋８１ ３ ５７０８ ７７６０',
    ];
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

  // The fast path for common Japanese shapes must give libphonenumber's key, or none.
  const byLibphonenumber = (value: string, region: string) => {
    const phone = parsePhoneNumberFromString(value.normalize('NFKC'), region as CountryCode);
    return phone?.isPossible() ? phone.number : null;
  };

  it("reads the fixtures' phones as libphonenumber does, most of them without it", () => {
    const phones = new Set<string>();
    const walk = (v: unknown, key = ''): void => {
      if (typeof v === 'string' && /phone|mobile/.test(key)) phones.add(v);
      else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    for (const f of ['dedupe/contacts.json', 'dedupe/companies.json']) walk(JSON.parse(readFixture(f).toString('utf8')));
    const rows = parse(readFixture('csv/contacts-500-utf8.csv'), { columns: true, bom: true }) as Record<string, string>[];
    for (const r of rows) phones.add(r.phone);
    expect(phones.size).toBeGreaterThan(700);
    let fast = 0;
    for (const p of phones) {
      for (const region of ['JP', 'US']) {
        expect([p, region, normalizePhone(p, region)]).toEqual([p, region, byLibphonenumber(p, region)]);
        if (japanesePhone(p.normalize('NFKC'), region) !== undefined) fast++;
      }
    }
    // Not a test of nothing: the JP shapes are read by the fast path.
    expect(fast).toBeGreaterThan(phones.size * 0.6);
  });

  it('reads every 0XYZ prefix of 10 and 11 digits, with any separators, as libphonenumber does', () => {
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const digits = (n: number) => Array.from({ length: n }, () => next(10)).join('');
    const spaced = (d: string, sep: string) => `${d.slice(0, 2 + next(3))}${sep}${d.slice(2 + next(3), 6)}${sep}${d.slice(6)}`;
    let fast = 0;
    for (let prefix = 100; prefix < 1000; prefix++) {
      for (const length of [10, 11]) {
        const national = `0${prefix}${digits(length - 4)}`;
        const shapes = [
          national,
          spaced(national, '-'),
          spaced(national, ' '),
          `(${national.slice(0, 3)})${national.slice(3, 7)}-${national.slice(7)}`,
          spaced(national, '.'),
          `+81${national.slice(1)}`,
          `+81 ${spaced(national.slice(1), ' ')}`,
          `+81-${national.slice(1, 2)}-${national.slice(2)}`,
          `+81 (0)${national.slice(1)}`,
          spaced(national, '-').replace(/[0-9-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
        ];
        for (const shape of shapes) {
          for (const region of ['JP', 'US']) {
            expect([shape, region, normalizePhone(shape, region)]).toEqual([shape, region, byLibphonenumber(shape, region)]);
            if (japanesePhone(shape.normalize('NFKC'), region) !== undefined) fast++;
          }
        }
      }
    }
    expect(fast).toBeGreaterThan(900 * 2 * 8);
  });

  it('keeps 16,668 real Japanese organization names apart while folding legal forms and old kanji', () => {
    const text = new TextDecoder('euc-jp').decode(readFixture('ja-companies/ipadic-Noun.org.euc-jp.csv'));
    const names = [
      ...new Set(
        text
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(',')[0]),
      ),
    ];
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
    for (const n of old)
      expect(normalizeCompanyName(n)).toBe(normalizeCompanyName(n.replace(/冨/g, '富').replace(/鐵/g, '鉄').replace(/澤/g, '沢')));
  });
});
