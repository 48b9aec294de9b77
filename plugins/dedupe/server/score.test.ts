// The scorer on a development set built here from the patterns of issue 14 and from real
// Japanese names (IPADIC's surnames, given names and organizations in test/fixtures). The
// labelled evaluation set of the issue is built apart from this one, and is not tuned to.
import { describe, expect, it } from 'vitest';
import { readFixture } from 'kizuna/testing';
import { blockingKeys, keyCounts } from './blocking.ts';
import { normalizeCompanyName } from './normalize.ts';
import { DEFAULT_RULES, type Rule } from './rules.ts';
import { DEFAULT_THRESHOLD, NO_STATS, POSSIBLE_AT, ruleScore, scorePair, type PairStats } from './score.ts';

type Rec = Record<string, unknown>;
type Level = 'likely' | 'possible' | null;
/** `crowd`: other records of the scenario that hold the pair's values (what PairStats.count sees). */
interface Pair {
  label: string;
  object: 'contact' | 'company';
  a: Rec;
  b: Rec;
  expect: Level;
  crowd?: Rec[];
}

const ipadic = (path: string) =>
  new TextDecoder('euc-jp')
    .decode(readFixture(path))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(','));
const names = ipadic('ja-names/ipadic-Noun.name.euc-jp.csv');
const surnames = [...new Map(names.filter((c) => c[7] === '姓' && /^\p{sc=Han}+$/u.test(c[0])).map((c) => [c[0], c[11]])).entries()];
const given = [...new Map(names.filter((c) => c[7] === '名' && /^\p{sc=Han}+$/u.test(c[0])).map((c) => [c[0], c[11]])).entries()];
const orgs = [...new Set(ipadic('ja-companies/ipadic-Noun.org.euc-jp.csv').map((c) => c[0]))];

let serial = 0;
const uuid = () => `00000000-0000-7000-8000-${(++serial).toString().padStart(12, '0')}`;
/** A person from the real name lists: the i-th surname and given name, with their readings. */
const person = (i: number) => {
  const [last, lastKana] = surnames[(i * 37) % surnames.length];
  const [first, firstKana] = given[(i * 53) % given.length];
  return { last_name: last, first_name: first, last_name_kana: lastKana, first_name_kana: firstKana };
};
const companies = new Map<string, string>();
const company = (name: string) => {
  const id = uuid();
  companies.set(id, name);
  return id;
};
const contact = (values: Rec): Rec => ({ id: uuid(), ...values });

function devSet(): Pair[] {
  const pairs: Pair[] = [];
  const add = (label: string, object: Pair['object'], a: Rec, b: Rec, expect: Level, crowd?: Rec[]) =>
    pairs.push({ label, object, a, b, expect, crowd });
  const acme = company('株式会社エヌ・ティ・ティ・ソフト');
  const acme2 = company('エヌティティソフト株式会社');
  const other = company('協和発酵工業株式会社');
  let p = 0;

  // One person twice: the misses, each with some evidence beyond the name.
  for (let i = 0; i < 20; i++, p++) {
    const x = person(p);
    const email = `p${p}@mail${p % 7}.example.jp`;
    add(
      'same email and name',
      'contact',
      contact({ ...x, email, company: acme }),
      contact({ ...x, email: ` ${email.toUpperCase()}`, last_name_kana: null, first_name_kana: null }),
      'likely',
    );
  }
  for (let i = 0; i < 10; i++, p++) {
    const x = person(p);
    const email = `p${p}@example.co.jp`;
    add(
      'full name typed into last_name',
      'contact',
      contact({ last_name: `${x.last_name}${x.first_name}`, company: acme, email }),
      contact({ last_name: x.last_name, first_name: x.first_name, company: acme, email }),
      'likely',
    );
  }
  for (let i = 0; i < 10; i++, p++) {
    const x = person(p);
    add(
      'full name typed into last_name, nothing else',
      'contact',
      contact({ last_name: `${x.last_name}${x.first_name}`, company: acme }),
      contact({ last_name: x.last_name, first_name: ` ${x.first_name}`, company: acme }),
      'possible',
    );
  }
  add(
    '中村美咲 / 中村 美咲 at one company, one email',
    'contact',
    contact({ last_name: '中村美咲', company: acme, email: 'misaki.n@example.co.jp' }),
    contact({ last_name: '中村', first_name: '美咲', company: acme, email: 'misaki.n@example.co.jp' }),
    'likely',
  );
  for (let i = 0; i < 10; i++, p++) {
    const x = person(p);
    const mobile = `090-${String(1000 + p).padStart(4, '0')}-${String(5000 + p)}`;
    const [one, two] =
      i % 2
        ? [{ mobile }, { phone: mobile.replace(/-/g, '') }]
        : [{ email: `dup${p}@ntt-soft.example.jp` }, { email: `Dup${p}@NTT-soft.example.jp` }];
    add(
      'same person under two duplicate companies',
      'contact',
      contact({ ...x, company: acme, ...one }),
      contact({ ...x, company: acme2, ...two }),
      'likely',
    );
    add(
      'same name under two duplicate companies, nothing else',
      'contact',
      contact({ ...person(p + 2000), company: acme }),
      contact({ ...person(p + 2000), company: acme2 }),
      'possible',
    );
  }
  for (const [old, now] of [
    ['西澤', '西沢'],
    ['長濱', '長浜'],
    ['邊見', '辺見'],
    ['嶋崎', '島崎'],
    ['髙橋', '高橋'],
    ['山﨑', '山崎'],
    ['渡邉', '渡辺'],
    ['齋藤', '斎藤'],
    ['𠮷田', '吉田'],
    ['冨田', '富田'],
  ]) {
    const x = person(p++);
    const phone = `03-${String(3000 + p)}-${String(1000 + p)}`;
    add(
      `variant kanji ${old}/${now}`,
      'contact',
      contact({ ...x, last_name: old, company: other, phone }),
      contact({ ...x, last_name: now, company: other, phone: `+81 3 ${String(3000 + p)} ${String(1000 + p)}` }),
      'likely',
    );
  }
  for (const [a, b] of [
    [{ last_name: 'Taro Yamada' }, { last_name: 'Yamada', first_name: 'Taro' }],
    [{ last_name: 'YAMADA, Taro' }, { last_name: 'Taro', first_name: 'Yamada' }],
    [{ last_name: 'José García' }, { last_name: 'Garcia', first_name: 'Jose' }],
  ]) {
    const email = `r${p++}@example.com`;
    add(`romanized ${a.last_name}`, 'contact', contact({ ...a, email }), contact({ ...b, email }), 'likely');
  }
  // Readings: typed into the name fields, or romanized by hand (Hepburn or not, long vowels or not).
  const romanized: [string, string, string, string, string][] = [
    ['佐藤', '健', 'サトウ', 'ケン', 'Ken Satoh'],
    ['伊藤', '優子', 'イトウ', 'ユウコ', 'ITO, Yuko'],
    ['渡辺', '純一', 'ワタナベ', 'ジュンイチ', 'Junichi Watanabe'],
    ['本間', '俊介', 'ホンマ', 'シュンスケ', 'Shunsuke Homma'],
    ['難波', '京子', 'ナンバ', 'キョウコ', 'Kyoko Namba'],
    ['服部', '翔太', 'ハットリ', 'ショウタ', 'Shouta Hattori'],
    ['大野', '真一', 'オオノ', 'シンイチ', "Shin'ichi Ohno"],
    ['鈴木', '一郎', 'スズキ', 'イチロウ', 'Suzuki Ichiro'],
  ];
  for (const [last, first, lastKana, firstKana, latin] of romanized) {
    const jp = { last_name: last, first_name: first, last_name_kana: lastKana, first_name_kana: firstKana };
    const email = `${lastKana}.${p++}@example.jp`;
    add(`romanized reading ${latin}, one email`, 'contact', contact({ ...jp, email }), contact({ last_name: latin, email }), 'likely');
    add(
      `romanized reading ${latin} at one company`,
      'contact',
      contact({ ...jp, company: other }),
      contact({ last_name: latin, company: other }),
      'possible',
    );
    add(
      `reading typed into the name fields of ${last}`,
      'contact',
      contact({ ...jp, company: acme }),
      contact({ last_name: lastKana, first_name: firstKana, company: acme }),
      'possible',
    );
  }
  add(
    'one reading written with ー and with ウ',
    'contact',
    contact({ last_name: '佐藤', first_name: '優子', last_name_kana: 'サトウ', first_name_kana: 'ユウコ', company: other }),
    contact({ last_name: '佐藤', first_name: '優子', last_name_kana: 'ｻﾄｰ', first_name_kana: 'ﾕｰｺ', company: other }),
    'possible',
  );
  add(
    'a romanized name that is another reading',
    'contact',
    contact({
      last_name: '木村',
      first_name: '太郎',
      last_name_kana: 'キムラ',
      first_name_kana: 'タロウ',
      email: 'ki18.23@example.jp',
      phone: '+81 90 1883 8949',
      country: 'JP',
    }),
    contact({ last_name: 'García', first_name: 'Barbara', email: '\tKI18.23@EXAMPLE.JP', phone: '+49 30 39920417', country: 'NG' }),
    null,
  );
  add(
    'one email, names in two scripts',
    'contact',
    contact({ last_name: 'Yamada', first_name: 'Taro', email: 'taro.y@example.jp' }),
    contact({ last_name: '山田', first_name: '太郎', email: 'taro.y@example.jp' }),
    'likely',
  );
  add(
    'half-width kana, one mobile',
    'contact',
    contact({ last_name: 'ﾔﾏﾀﾞ', first_name: 'ﾀﾛｳ', mobile: '090-1111-9999' }),
    contact({ last_name: 'やまだ', first_name: 'たろう', mobile: '０９０－１１１１－９９９９' }),
    'likely',
  );

  // Only a name at one company: worth a look, not an action (issue 14).
  for (let i = 0; i < 10; i++, p++) {
    const x = person(p);
    add(
      'same name at one company, nothing else',
      'contact',
      contact({ ...x, company: other }),
      contact({ ...x, company: other }),
      'possible',
    );
  }
  // A personal address under a different-looking name: an assistant, a maiden name, a typo.
  for (let i = 0; i < 5; i++, p++) {
    const email = `shared${p}@example.jp`;
    add(
      'one personal email, another name',
      'contact',
      contact({ ...person(p), email }),
      contact({ ...person(p + 500), email }),
      'possible',
    );
  }

  // Colleagues on the company's main line (代表電話): 30 contacts share it.
  const main = '03-5555-0100';
  const staff = Array.from({ length: 30 }, () => contact({ ...person(p++), company: other, phone: main }));
  for (let i = 0; i + 1 < staff.length; i += 2) add('colleagues on the main line', 'contact', staff[i], staff[i + 1], null, staff);
  const twin = person(p++);
  add(
    'namesakes on the main line',
    'contact',
    contact({ ...twin, company: other, phone: main }),
    contact({ ...twin, company: other, phone: main }),
    'possible',
    staff,
  );
  // A role address (info@) shared by many.
  const info = Array.from({ length: 12 }, () => contact({ ...person(p++), company: acme, email: 'info@ntt-soft.example.jp' }));
  for (let i = 0; i + 1 < info.length; i += 2) add('colleagues on info@', 'contact', info[i], info[i + 1], null, info);
  const y = person(p++);
  add(
    'one name on info@ at one company',
    'contact',
    contact({ ...y, company: acme, email: 'support@ntt-soft.example.jp' }),
    contact({ ...y, company: acme, email: 'SUPPORT@ntt-soft.example.jp' }),
    'possible',
  );
  // Family members share a home phone and an address.
  for (let i = 0; i < 10; i++, p++) {
    const x = person(p);
    const phone = `06-${String(6000 + p)}-${String(2000 + p)}`;
    add(
      'family on one home phone',
      'contact',
      contact({ ...x, phone, city: '大阪市北区', region: '大阪府' }),
      contact({
        ...x,
        first_name: person(p + 900).first_name,
        first_name_kana: person(p + 900).first_name_kana,
        phone,
        city: '北区',
        region: '大阪府',
      }),
      null,
    );
  }
  // Five different James Smiths at one company: a common name, never one group.
  const smiths = Array.from({ length: 5 }, (_, i) =>
    contact({ last_name: 'Smith', first_name: 'James', company: other, email: `james.smith${i}@example.com` }),
  );
  for (let i = 0; i < smiths.length; i++)
    for (let j = i + 1; j < smiths.length; j++) add('James Smiths at one company', 'contact', smiths[i], smiths[j], null, smiths);
  for (let i = 0; i < 10; i++, p++) {
    const x = person(p);
    add(
      'one name, another company and city',
      'contact',
      contact({ ...x, company: other, city: '札幌市' }),
      contact({ ...x, company: acme, city: '福岡市博多区' }),
      null,
    );
  }

  // Companies: legal forms written every way, variant kanji, readings.
  const plain = orgs
    .filter((n) => /^\p{sc=Han}{3,}$/u.test(n))
    .filter((_, i) => i % 97 === 0)
    .slice(0, 30);
  // Pairs of one form written two ways (or once and left out): never a conflict.
  const forms: [string, string][][] = [
    [
      ['株式会社', ''],
      ['', '（株）'],
    ],
    [
      ['㈱', ''],
      ['', ' Co., Ltd.'],
    ],
    [
      ['有限会社', ''],
      ['', '(有)'],
    ],
    [
      ['一般社団法人 ', ''],
      ['(一社)', ''],
    ],
    [
      ['公益財団法人 ', ''],
      ['(財)', ''],
    ],
    [
      ['合同会社', ''],
      ['', '(同)'],
    ],
    [
      ['医療法人社団 ', ''],
      ['(医)', ''],
    ],
    [
      ['(株)', ''],
      ['', ' K.K.'],
    ],
  ];
  plain.forEach((n, i) => {
    const [[pa, sa], [pb, sb]] = forms[i % forms.length];
    const b = i % 3 ? `${pb}${n}${sb}` : n;
    add(`company ${pa}${n}${sa} / ${b}`, 'company', { name: `${pa}${n}${sa}` }, { name: b }, 'likely');
  });
  const likely: [string, string][] = [
    ['医療法人社団 健康会', '健康会'],
    ['一般財団法人 日本データ協会', '(一財)日本データ協会'],
    ['小淺商事', '小浅商事'],
    ['協和醗酵', '協和発酵'],
    ['協和醗酵工業株式会社', '協和発酵工業(株)'],
    ['株式会社エヌ・ティ・ティ・ソフト', 'エヌティティソフト株式会社'],
    ['学校法人 桜丘学園', '(学)桜丘学園'],
    ['社会福祉法人 あおば会', 'あおば会'],
    ['公益財団法人 日本気象協会', '財団法人日本気象協会'],
    ['特定非営利活動法人 こども未来', 'NPO法人こども未来'],
    ['合同会社ネクスト', 'ネクスト(同)'],
    ['ﾄﾖﾀ㈱', 'とよた株式会社'],
    ['Acme Widgets, Inc.', 'ACME WIDGETS CO., LTD.'],
    ['古澤建設工業', '古沢建設工業'],
  ];
  for (const [a, b] of likely) add(`${a} / ${b}`, 'company', { name: a }, { name: b }, 'likely');
  const unlikely: [string, string][] = [
    ['株式会社さくら', '有限会社さくら'],
    ['合同会社さくら', 'さくら株式会社'],
    ['学校法人 青葉会', '医療法人 青葉会'],
    ['トヨタ(株)', 'トヨタ自動車株式会社'],
  ];
  for (const [a, b] of unlikely) add(`${a} / ${b}`, 'company', { name: a }, { name: b }, null);
  add(
    'ソニー / ソニー生命保険 on one parent domain',
    'company',
    { name: 'ソニー株式会社', website: 'https://www.sony.co.jp/' },
    { name: 'ソニー生命保険株式会社', website: 'https://life.sony.co.jp/' },
    null,
  );
  add(
    'ソニー / ソニー生命保険 on one site',
    'company',
    { name: 'ソニー株式会社', website: 'https://www.sony.example.jp/' },
    { name: 'ソニー生命保険株式会社', website: 'sony.example.jp' },
    null,
  );
  add(
    '中央商事 in two cities, two phones',
    'company',
    { name: '中央商事株式会社', city: '札幌市中央区', region: '北海道', phone: '011-222-3333' },
    { name: '(株)中央商事', city: '福岡市中央区', region: '福岡県', phone: '092-444-5555' },
    null,
  );
  add(
    '中央商事 in one city, two phones',
    'company',
    { name: '中央商店株式会社', city: '札幌市中央区', phone: '011-222-3333' },
    { name: '(株)中央商店', city: '北海道札幌市中央区', phone: '011-222-4444' },
    'possible',
  );
  add(
    'one site, names in two scripts',
    'company',
    { name: 'Sakura Trading Co., Ltd.', website: 'https://www.sakura-trading.example.jp' },
    { name: 'さくら商事株式会社', website: 'http://sakura-trading.example.jp/' },
    'possible',
  );
  add(
    'one site and name',
    'company',
    { name: '株式会社みどり製作所', website: 'https://www.midori-ss.example.jp' },
    { name: 'みどり製作所(株)', website: 'http://midori-ss.example.jp/' },
    'likely',
  );
  // The reading (name_kana): a name typed in kana, in bank-transfer kana or romanized meets it.
  const read: [Rec, Rec, Level][] = [
    [{ name: '京都精機製作所株式会社', name_kana: 'キョウトセイキセイサクショ' }, { name: 'キョウトセイキセイサクショ(株)' }, 'likely'],
    [
      { name: '株式会社長久保食品', name_kana: 'ナガクボショクヒン', city: '福岡市博多区' },
      { name: '株式会社ナガクボショクヒン', city: '福岡市博多区' },
      'likely',
    ],
    [
      { name: '株式会社小泉商事', name_kana: 'コイズミショウジ', phone: '045-934-8062' },
      { name: 'ｶ)ｺｲｽﾞﾐｼｮｳｼﾞ', phone: '0459348062' },
      'likely',
    ],
    [{ name: '郁栄商会株式会社', name_kana: 'イクエイショウカイ' }, { name: 'ｲｸｴｲｼｮｳｶｲ)ｶ' }, 'likely'],
    [{ name: '北祥産業株式会社', name_kana: 'ホクショウサンギョウ' }, { name: 'Hokusho Sangyo Co., Ltd.' }, 'likely'],
    [{ name: 'キヤノン販売株式会社', name_kana: 'キヤノンハンバイ' }, { name: 'キャノン販売(株)' }, 'likely'],
    // Homophones: the kanji conflict, the readings agree — nothing either way.
    [
      { name: '株式会社新光商事', name_kana: 'シンコウショウジ', phone: '022-550-6682' },
      { name: '株式会社神鋼商事', name_kana: 'シンコウショウジ', phone: '03-8304-3276' },
      null,
    ],
    [{ name: '株式会社日生工業', name_kana: 'ニッセイコウギョウ' }, { name: '株式会社日精工業', name_kana: 'ニッセイコウギョウ' }, null],
    // Another company's reading, or an English trade name that is no reading.
    [{ name: '株式会社小泉商事', name_kana: 'コイズミショウジ' }, { name: 'ｶ)ｺｲｽﾞﾐｺｳｷﾞｮｳ' }, null],
    [
      { name: 'ソニー株式会社', name_kana: 'ソニー', website: 'https://www.sony.co.jp/' },
      { name: 'Sony Corporation', website: 'https://sony.co.jp' },
      'possible',
    ],
    // 山洋電気 romanized reads as 三洋電機 does: worth a look (another site, another number), no more.
    [
      { name: '三洋電機株式会社', name_kana: 'サンヨウデンキ', website: 'https://www.sanyo.co.jp/', phone: '06-3405-6642' },
      { name: 'Sanyo Denki Co., Ltd.', website: 'https://www.sanyodenki.co.jp/', phone: '03-4769-3345' },
      'possible',
    ],
    [{ name: 'ソニー株式会社', name_kana: 'ソニー' }, { name: 'ソニー生命保険株式会社', name_kana: 'ソニーセイメイホケン' }, null],
  ];
  for (const [a, b, level] of read) add(`${a.name} (${a.name_kana}) / ${b.name}`, 'company', a, b, level);
  const others = orgs.filter((n) => !plain.includes(n));
  for (let i = 0; i < 20; i++) {
    add('two companies', 'company', { name: others[i * 401] }, { name: others[i * 401 + 200] }, null);
  }
  for (let i = 0; i < 5; i++) {
    add(
      'two companies on one building switchboard',
      'company',
      { name: others[i * 503 + 1], phone: '03-1234-0000' },
      { name: others[i * 503 + 7], phone: '03-1234-0000' },
      null,
    );
  }
  return pairs;
}

const pairs = devSet();
const rules = DEFAULT_RULES;
const relationKey = (_field: string, id: string) => normalizeCompanyName(companies.get(id) ?? null);
/** What the caller knows of a pair: counts over the records its look-up found (the scenario's), company keys. */
const statsOf = (pair: Pair): PairStats => ({
  count: keyCounts(rules[pair.object], [...new Set([pair.a, pair.b, ...(pair.crowd ?? [])])]),
  relationKey,
});
const score = (pair: Pair) => scorePair(rules[pair.object], pair.a, pair.b, statsOf(pair));

describe('scoring pairs by evidence', () => {
  it.each(pairs.map((pair) => [pair.label, pair] as const))('%s', (_label, pair) => {
    const s = score(pair);
    expect(s.level, JSON.stringify({ a: pair.a, b: pair.b, ...s })).toBe(pair.expect);
  });

  it('is symmetric over the whole development set', () => {
    for (const pair of pairs) expect(scorePair(rules[pair.object], pair.b, pair.a, statsOf(pair))).toEqual(score(pair));
  });

  it('gives every pair scored possible or better a blocking key in common', () => {
    const found = pairs.filter((pair) => score(pair).level !== null);
    expect(found.length).toBeGreaterThan(100);
    for (const pair of found) {
      const mine = new Set(blockingKeys(rules[pair.object], pair.a));
      expect(
        blockingKeys(rules[pair.object], pair.b).some((k) => mine.has(k)),
        pair.label,
      ).toBe(true);
    }
  });

  it('gives any two records of the development set that score possible or better a blocking key in common', () => {
    for (const object of ['contact', 'company'] as const) {
      const pool = [...new Set(pairs.filter((x) => x.object === object).flatMap((x) => [x.a, x.b]))];
      const keys = pool.map((r) => new Set(blockingKeys(rules[object], r)));
      let found = 0;
      for (let i = 0; i < pool.length; i++) {
        for (let j = i + 1; j < pool.length; j++) {
          // Without counts every agreement weighs its most: the hardest case for blocking.
          if (!scorePair(rules[object], pool[i], pool[j], { count: () => 2, relationKey }).level) continue;
          found++;
          expect(
            [...keys[i]].some((k) => keys[j].has(k)),
            JSON.stringify([pool[i], pool[j]]),
          ).toBe(true);
        }
      }
      expect(found).toBeGreaterThan(object === 'contact' ? 100 : 50);
    }
  });

  it('needs no key held by 50 records to find a possible pair (a look-up may drop such keys)', () => {
    const many: PairStats = { count: () => 50, relationKey: () => 'same' };
    const place = { country: 'JP', region: '東京都', city: '千代田区' };
    const co = '00000000-0000-7000-8000-00000000abcd';
    const contacts: [Rec, Rec][] = [
      [
        { email: 'shared@example.jp', last_name: '林', company: co },
        { email: 'shared@example.jp', last_name: '林', company: co },
      ],
      [
        { phone: '03-5555-0100', last_name: '林' },
        { phone: '03-5555-0100', last_name: '林' },
      ],
      [
        { last_name: '佐藤', first_name: '健', company: co },
        { last_name: '佐藤', first_name: '健', company: co },
      ],
    ];
    for (const [a, b] of contacts)
      expect(scorePair(rules.contact, { ...a, ...place }, { ...b, ...place }, many).level, JSON.stringify(a)).toBeNull();
    const companies: [Rec, Rec][] = [
      [{ name: '中央商事' }, { name: '中央商事' }],
      [
        { name: 'X', website: 'x.example.jp' },
        { name: 'X', website: 'x.example.jp' },
      ],
      [
        { name: 'X', phone: '03-5555-0100' },
        { name: 'X', phone: '03-5555-0100' },
      ],
    ];
    for (const [a, b] of companies)
      expect(scorePair(rules.company, { ...a, ...place }, { ...b, ...place }, many).level, JSON.stringify(a)).toBeNull();
  });

  it('counts a shared main line, a common name and a role address little', () => {
    const crowd = pairs.find((x) => x.label === 'colleagues on the main line')!;
    const [a, b] = [crowd.a, crowd.b];
    const namesake = {
      ...a,
      first_name: b.first_name,
      last_name: b.last_name,
      first_name_kana: b.first_name_kana,
      last_name_kana: b.last_name_kana,
    };
    const s = scorePair(rules.contact, namesake, b, statsOf(crowd));
    const alone = scorePair(rules.contact, namesake, b, NO_STATS);
    expect(s.evidence.find((e) => e.rule === 'phone')).toMatchObject({ outcome: 'common' });
    expect(alone.evidence.find((e) => e.rule === 'phone')).toMatchObject({ outcome: 'agree' });
    expect(s.level).toBe('possible');
    expect(alone.level).toBe('likely');
    const role = scorePair(
      rules.contact,
      { last_name: '佐藤', email: 'info@x.example.jp' },
      { last_name: '鈴木', email: 'INFO@x.example.jp' },
      NO_STATS,
    );
    expect(role.evidence.find((e) => e.rule === 'email')).toEqual({ rule: 'email', outcome: 'common', weight: 0 });
  });

  it('lowers the score for every conflict: phone, email, city, legal form', () => {
    const base = { last_name: '山田', first_name: '太郎', company: companies.keys().next().value };
    const plain = scorePair(rules.contact, base, base, NO_STATS).score;
    for (const [x, y] of [
      [{ phone: '03-1111-2222' }, { phone: '03-3333-4444' }],
      [{ email: 'a@x.jp' }, { email: 'b@x.jp' }],
      [{ city: '大阪市' }, { city: '札幌市' }],
    ]) {
      expect(scorePair(rules.contact, { ...base, ...x }, { ...base, ...y }, NO_STATS).score).toBeLessThan(plain);
    }
    const co = scorePair(rules.company, { name: '株式会社さくら' }, { name: 'さくら' }, NO_STATS);
    expect(co.level).toBe('likely');
    const conflict = scorePair(rules.company, { name: '株式会社さくら' }, { name: '有限会社さくら' }, NO_STATS);
    expect(conflict.evidence).toContainEqual({ rule: 'legal_form', outcome: 'disagree', weight: -7 });
    expect(conflict.score).toBeLessThan(co.score);
  });

  it('reads settings written before weights: a rule score is what that rule alone gives', () => {
    const legacy: Rule[] = [{ name: 'same_name', kind: 'exact', fields: ['name'], score: 0.5 }];
    expect(scorePair(legacy, { name: '春のキャンペーン' }, { name: '春のｷｬﾝﾍﾟｰﾝ' }, NO_STATS)).toMatchObject({ score: 0.5, level: null });
    expect(scorePair([{ ...legacy[0], score: 0.97 }], { name: 'a' }, { name: 'A' }, NO_STATS)).toMatchObject({
      score: 0.97,
      level: 'likely',
    });
    expect(ruleScore(legacy[0])).toBe(0.5);
    expect(ruleScore(DEFAULT_RULES.contact[0])).toBeGreaterThan(DEFAULT_THRESHOLD);
    expect(scorePair(legacy, { name: 'x' }, { name: 'x' }, NO_STATS, { threshold: 0.4 }).level).toBe('likely');
    expect(POSSIBLE_AT).toBeLessThan(DEFAULT_THRESHOLD);
  });
});
