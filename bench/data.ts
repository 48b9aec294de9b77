// Deterministic, realistic-looking CRM data for the benchmark: a seeded PRNG and the names,
// places and companies it draws from (Japanese with readings and romaji, and English).

import { prng, type Rng } from '../platform/testing/prng.ts';

export { prng, type Rng };

/** A picker drawing entries in proportion to their weights. */
export function weightedBy<T>(xs: readonly T[], weight: (x: T) => number) {
  const cum: number[] = [];
  let s = 0;
  for (const x of xs) cum.push((s += weight(x)));
  return (r: Rng): T => {
    const x = r.next() * s;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return xs[lo];
  };
}

// The most common Japanese surnames: [kanji, katakana, romaji, % of the population].
export const JA_FAMILY: readonly [string, string, string, number][] = [
  ['佐藤', 'サトウ', 'sato', 1.49],
  ['鈴木', 'スズキ', 'suzuki', 1.43],
  ['高橋', 'タカハシ', 'takahashi', 1.13],
  ['田中', 'タナカ', 'tanaka', 1.07],
  ['伊藤', 'イトウ', 'ito', 0.86],
  ['渡辺', 'ワタナベ', 'watanabe', 0.91],
  ['山本', 'ヤマモト', 'yamamoto', 0.86],
  ['中村', 'ナカムラ', 'nakamura', 0.83],
  ['小林', 'コバヤシ', 'kobayashi', 0.83],
  ['加藤', 'カトウ', 'kato', 0.72],
  ['吉田', 'ヨシダ', 'yoshida', 0.67],
  ['山田', 'ヤマダ', 'yamada', 0.65],
  ['佐々木', 'ササキ', 'sasaki', 0.53],
  ['山口', 'ヤマグチ', 'yamaguchi', 0.51],
  ['松本', 'マツモト', 'matsumoto', 0.5],
  ['井上', 'イノウエ', 'inoue', 0.49],
  ['木村', 'キムラ', 'kimura', 0.46],
  ['林', 'ハヤシ', 'hayashi', 0.44],
  ['斎藤', 'サイトウ', 'saito', 0.44],
  ['清水', 'シミズ', 'shimizu', 0.43],
  ['山崎', 'ヤマザキ', 'yamazaki', 0.39],
  ['森', 'モリ', 'mori', 0.38],
  ['池田', 'イケダ', 'ikeda', 0.35],
  ['橋本', 'ハシモト', 'hashimoto', 0.35],
  ['阿部', 'アベ', 'abe', 0.35],
  ['石川', 'イシカワ', 'ishikawa', 0.34],
  ['山下', 'ヤマシタ', 'yamashita', 0.33],
  ['中島', 'ナカジマ', 'nakajima', 0.32],
  ['石井', 'イシイ', 'ishii', 0.31],
  ['小川', 'オガワ', 'ogawa', 0.3],
  ['前田', 'マエダ', 'maeda', 0.3],
  ['岡田', 'オカダ', 'okada', 0.3],
  ['長谷川', 'ハセガワ', 'hasegawa', 0.29],
  ['藤田', 'フジタ', 'fujita', 0.29],
  ['後藤', 'ゴトウ', 'goto', 0.28],
  ['近藤', 'コンドウ', 'kondo', 0.28],
  ['村上', 'ムラカミ', 'murakami', 0.27],
  ['遠藤', 'エンドウ', 'endo', 0.26],
  ['青木', 'アオキ', 'aoki', 0.26],
  ['坂本', 'サカモト', 'sakamoto', 0.25],
  ['斉藤', 'サイトウ', 'saito', 0.25],
  ['福田', 'フクダ', 'fukuda', 0.24],
  ['太田', 'オオタ', 'ota', 0.24],
  ['西村', 'ニシムラ', 'nishimura', 0.24],
  ['藤井', 'フジイ', 'fujii', 0.23],
  ['金子', 'カネコ', 'kaneko', 0.22],
  ['岡本', 'オカモト', 'okamoto', 0.22],
  ['藤原', 'フジワラ', 'fujiwara', 0.22],
];

export const JA_GIVEN: readonly [string, string, string][] = [
  ['太郎', 'タロウ', 'taro'],
  ['翔太', 'ショウタ', 'shota'],
  ['大輔', 'ダイスケ', 'daisuke'],
  ['健太', 'ケンタ', 'kenta'],
  ['拓也', 'タクヤ', 'takuya'],
  ['直樹', 'ナオキ', 'naoki'],
  ['誠', 'マコト', 'makoto'],
  ['浩二', 'コウジ', 'koji'],
  ['隆', 'タカシ', 'takashi'],
  ['亮', 'リョウ', 'ryo'],
  ['蓮', 'レン', 'ren'],
  ['陽翔', 'ハルト', 'haruto'],
  ['悠真', 'ユウマ', 'yuma'],
  ['大翔', 'ヒロト', 'hiroto'],
  ['和也', 'カズヤ', 'kazuya'],
  ['一郎', 'イチロウ', 'ichiro'],
  ['花子', 'ハナコ', 'hanako'],
  ['陽子', 'ヨウコ', 'yoko'],
  ['美咲', 'ミサキ', 'misaki'],
  ['由美', 'ユミ', 'yumi'],
  ['恵子', 'ケイコ', 'keiko'],
  ['さくら', 'サクラ', 'sakura'],
  ['愛', 'アイ', 'ai'],
  ['結衣', 'ユイ', 'yui'],
  ['葵', 'アオイ', 'aoi'],
  ['陽菜', 'ヒナ', 'hina'],
  ['真由美', 'マユミ', 'mayumi'],
  ['智子', 'トモコ', 'tomoko'],
  ['裕子', 'ユウコ', 'yuko'],
  ['明美', 'アケミ', 'akemi'],
  ['久美子', 'クミコ', 'kumiko'],
  ['彩', 'アヤ', 'aya'],
];

export const EN_FIRST = [
  'James',
  'John',
  'Robert',
  'Michael',
  'William',
  'David',
  'Richard',
  'Joseph',
  'Thomas',
  'Charles',
  'Daniel',
  'Matthew',
  'Anthony',
  'Mark',
  'Paul',
  'Steven',
  'Mary',
  'Patricia',
  'Jennifer',
  'Linda',
  'Elizabeth',
  'Barbara',
  'Susan',
  'Jessica',
  'Sarah',
  'Karen',
  'Emily',
  'Olivia',
  'Emma',
  'Sophia',
  'Laura',
  'Hannah',
] as const;

// The most common US surnames: [name, % of the population].
export const EN_LAST: readonly [string, number][] = [
  ['Smith', 0.83],
  ['Johnson', 0.66],
  ['Williams', 0.55],
  ['Brown', 0.49],
  ['Jones', 0.48],
  ['Garcia', 0.39],
  ['Miller', 0.38],
  ['Davis', 0.37],
  ['Rodriguez', 0.35],
  ['Martinez', 0.34],
  ['Hernandez', 0.33],
  ['Lopez', 0.27],
  ['Wilson', 0.26],
  ['Anderson', 0.26],
  ['Taylor', 0.24],
  ['Thomas', 0.24],
  ['Moore', 0.22],
  ['Jackson', 0.22],
  ['Martin', 0.22],
  ['Lee', 0.22],
  ['Thompson', 0.21],
  ['White', 0.21],
  ['Harris', 0.2],
  ['Clark', 0.18],
  ['Lewis', 0.18],
  ['Robinson', 0.18],
  ['Walker', 0.18],
  ['Young', 0.16],
  ['Allen', 0.16],
  ['King', 0.16],
  ['Wright', 0.16],
  ['Scott', 0.15],
  ['Green', 0.14],
  ['Baker', 0.14],
  ['Adams', 0.14],
  ['Nelson', 0.14],
  ['Hill', 0.14],
  ['Campbell', 0.13],
  ['Mitchell', 0.13],
  ['Roberts', 0.13],
];

// [region, city, postal prefix, phone area]
export const JP_PLACES: readonly [string, string, string, string][] = [
  ['東京都', '千代田区', '100', '03'],
  ['東京都', '港区', '105', '03'],
  ['東京都', '新宿区', '160', '03'],
  ['東京都', '渋谷区', '150', '03'],
  ['大阪府', '大阪市北区', '530', '06'],
  ['神奈川県', '横浜市西区', '220', '045'],
  ['愛知県', '名古屋市中区', '460', '052'],
  ['北海道', '札幌市中央区', '060', '011'],
  ['福岡県', '福岡市博多区', '812', '092'],
  ['京都府', '京都市下京区', '600', '075'],
  ['兵庫県', '神戸市中央区', '650', '078'],
  ['埼玉県', 'さいたま市大宮区', '330', '048'],
  ['千葉県', '千葉市中央区', '260', '043'],
  ['宮城県', '仙台市青葉区', '980', '022'],
  ['広島県', '広島市中区', '730', '082'],
];
export const JP_TOWNS = ['丸の内', '大手町', '西新宿', '本町', '栄', '梅田', '中央', '錦', '天神', '青葉', '桜木町', '日本橋', '道玄坂'];
export const US_PLACES: readonly [string, string, string][] = [
  ['CA', 'San Francisco', '415'],
  ['NY', 'New York', '212'],
  ['TX', 'Austin', '512'],
  ['WA', 'Seattle', '206'],
  ['MA', 'Boston', '617'],
];
export const US_STREETS = ['Main St', 'Market St', 'Broadway', 'Pine St', 'Oak Ave', 'Mission St', 'Elm St'];

export const JA_TITLES = ['部長', '課長', '係長', '主任', '代表取締役', '取締役', 'マネージャー', 'エンジニア', '営業担当', '総務担当'];
export const EN_TITLES = ['Manager', 'Director', 'VP of Sales', 'Engineer', 'CEO', 'CTO', 'Account Executive', 'Buyer'];

// [kanji, katakana, romaji]
export const JA_COMPANY_STEMS: readonly [string, string, string][] = [
  ['山田', 'ヤマダ', 'yamada'],
  ['東京', 'トウキョウ', 'tokyo'],
  ['日本', 'ニホン', 'nihon'],
  ['大阪', 'オオサカ', 'osaka'],
  ['富士', 'フジ', 'fuji'],
  ['桜', 'サクラ', 'sakura'],
  ['青葉', 'アオバ', 'aoba'],
  ['北斗', 'ホクト', 'hokuto'],
  ['光', 'ヒカリ', 'hikari'],
  ['新星', 'シンセイ', 'shinsei'],
  ['みらい', 'ミライ', 'mirai'],
  ['大和', 'ヤマト', 'yamato'],
  ['瑞穂', 'ミズホ', 'mizuho'],
  ['明星', 'ミョウジョウ', 'myojo'],
  ['朝日', 'アサヒ', 'asahi'],
  ['中央', 'チュウオウ', 'chuo'],
  ['東洋', 'トウヨウ', 'toyo'],
  ['三和', 'サンワ', 'sanwa'],
  ['平和', 'ヘイワ', 'heiwa'],
  ['若葉', 'ワカバ', 'wakaba'],
  ['浪速', 'ナニワ', 'naniwa'],
  ['北陸', 'ホクリク', 'hokuriku'],
  ['九州', 'キュウシュウ', 'kyushu'],
  ['四季', 'シキ', 'shiki'],
];
// [kanji, katakana, industry, romaji]
export const JA_COMPANY_KINDS: readonly [string, string, string, string][] = [
  ['商事', 'ショウジ', 'retail', 'shoji'],
  ['工業', 'コウギョウ', 'manufacturing', 'kogyo'],
  ['製作所', 'セイサクショ', 'manufacturing', 'seisakusho'],
  ['電機', 'デンキ', 'manufacturing', 'denki'],
  ['システムズ', 'システムズ', 'it', 'systems'],
  ['ソリューションズ', 'ソリューションズ', 'it', 'solutions'],
  ['物流', 'ブツリュウ', 'logistics', 'butsuryu'],
  ['建設', 'ケンセツ', 'construction', 'kensetsu'],
  ['不動産', 'フドウサン', 'real_estate', 'fudosan'],
  ['食品', 'ショクヒン', 'retail', 'shokuhin'],
  ['化学', 'カガク', 'manufacturing', 'kagaku'],
  ['銀行', 'ギンコウ', 'finance', 'bank'],
  ['保険', 'ホケン', 'finance', 'hoken'],
  ['メディカル', 'メディカル', 'healthcare', 'medical'],
  ['学園', 'ガクエン', 'education', 'gakuen'],
  ['ホールディングス', 'ホールディングス', 'other', 'hd'],
];
export const EN_COMPANY_A = ['Blue', 'Red', 'Silver', 'North', 'Pacific', 'Summit', 'Bright', 'Green', 'Iron', 'Golden', 'Clear', 'Rapid'];
export const EN_COMPANY_B = ['River', 'Peak', 'Harbor', 'Stone', 'Field', 'Bridge', 'Star', 'Oak', 'Cloud', 'Wave', 'Forge', 'Lake'];
export const EN_COMPANY_C: readonly [string, string][] = [
  ['Systems', 'it'],
  ['Labs', 'it'],
  ['Logistics', 'logistics'],
  ['Foods', 'retail'],
  ['Capital', 'finance'],
  ['Health', 'healthcare'],
  ['Builders', 'construction'],
  ['Realty', 'real_estate'],
  ['Manufacturing', 'manufacturing'],
  ['Partners', 'other'],
];
export const EN_COMPANY_SUFFIX = ['Inc.', 'LLC', 'Ltd.', 'Corp.'];

export const SIZES: readonly [string, number, number][] = [
  ['1_10', 1, 10],
  ['11_50', 11, 50],
  ['51_200', 51, 200],
  ['201_1000', 201, 1000],
  ['1001_plus', 1001, 20000],
];
export const SOURCES = ['web', 'email', 'phone', 'import', 'referral', 'event'];
export const TAGS = ['vip', 'newsletter', 'partner', 'press', 'decision_maker'];

/** lead 40 %, prospect 25 %, customer 25 %, churned 10 %. */
export function lifecycle(r: Rng): string {
  const x = r.next();
  return x < 0.4 ? 'lead' : x < 0.65 ? 'prospect' : x < 0.9 ? 'customer' : 'churned';
}

/**
 * A deterministic UUIDv7 for a given millisecond: 48-bit time, version 7, 74 random bits.
 * Seed rows get increasing times, so id order is creation order as with the platform's ids.
 */
export function uuidv7At(ms: number, r: Rng): string {
  const hex = (n: number, len: number) => Math.floor(n).toString(16).padStart(len, '0');
  const t = hex(ms, 12);
  const rand = () => r.int(0, 0xffff);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(r.int(0, 0xfff), 3)}-${hex(0x8000 | (rand() & 0x3fff), 4)}-${hex(rand(), 4)}${hex(rand(), 4)}${hex(rand(), 4)}`;
}

/** Queries of the q workload: Japanese 2-character names (bigram path), katakana, English/romaji substrings. */
export const SEARCH_QUERIES = [
  '田中',
  '佐藤',
  '鈴木',
  '高橋',
  '山田',
  '渡辺',
  '太郎',
  '美咲',
  'タナカ',
  'スズキ',
  'smith',
  'johnson',
  'emily',
  'tanaka',
  'yamamoto',
  'taylor',
];

// The long tail. Real surnames are spread thin (the 48 most common Japanese ones cover about
// 23 % of people, the 40 most common US ones about 11 %), and a search benchmark over a few
// dozen names would make every name query match tens of thousands of rows. So the rest are
// composed from parts: 山+崎 → 山崎 (ヤマザキ is read ヤマサキ here: readings are approximate).
const JA_SURNAME_PARTS: readonly [string, string, string][] = [
  ['山', 'ヤマ', 'yama'],
  ['川', 'カワ', 'kawa'],
  ['田', 'タ', 'ta'],
  ['中', 'ナカ', 'naka'],
  ['小', 'コ', 'ko'],
  ['大', 'オオ', 'o'],
  ['高', 'タカ', 'taka'],
  ['石', 'イシ', 'ishi'],
  ['松', 'マツ', 'matsu'],
  ['竹', 'タケ', 'take'],
  ['井', 'イ', 'i'],
  ['木', 'キ', 'ki'],
  ['森', 'モリ', 'mori'],
  ['村', 'ムラ', 'mura'],
  ['本', 'モト', 'moto'],
  ['野', 'ノ', 'no'],
  ['原', 'ハラ', 'hara'],
  ['上', 'カミ', 'kami'],
  ['下', 'シモ', 'shimo'],
  ['西', 'ニシ', 'nishi'],
  ['東', 'ヒガシ', 'higashi'],
  ['北', 'キタ', 'kita'],
  ['南', 'ミナミ', 'minami'],
  ['藤', 'フジ', 'fuji'],
  ['吉', 'ヨシ', 'yoshi'],
  ['岡', 'オカ', 'oka'],
  ['島', 'シマ', 'shima'],
  ['宮', 'ミヤ', 'miya'],
  ['池', 'イケ', 'ike'],
  ['平', 'ヒラ', 'hira'],
  ['長', 'ナガ', 'naga'],
  ['新', 'ニイ', 'nii'],
  ['古', 'フル', 'furu'],
  ['金', 'カネ', 'kane'],
  ['水', 'ミズ', 'mizu'],
  ['谷', 'タニ', 'tani'],
  ['沢', 'サワ', 'sawa'],
  ['浜', 'ハマ', 'hama'],
  ['橋', 'ハシ', 'hashi'],
  ['内', 'ウチ', 'uchi'],
  ['菊', 'キク', 'kiku'],
  ['岩', 'イワ', 'iwa'],
  ['星', 'ホシ', 'hoshi'],
  ['崎', 'サキ', 'saki'],
];
const JA_GIVEN_HEAD: readonly [string, string, string][] = [
  ['健', 'ケン', 'ken'],
  ['翔', 'ショウ', 'sho'],
  ['大', 'ダイ', 'dai'],
  ['拓', 'タク', 'taku'],
  ['直', 'ナオ', 'nao'],
  ['浩', 'コウ', 'ko'],
  ['隆', 'タカ', 'taka'],
  ['悠', 'ユウ', 'yu'],
  ['陽', 'ヨウ', 'yo'],
  ['和', 'カズ', 'kazu'],
  ['誠', 'セイ', 'sei'],
  ['美', 'ミ', 'mi'],
  ['由', 'ユ', 'yu'],
  ['恵', 'メグ', 'megu'],
  ['智', 'トモ', 'tomo'],
  ['裕', 'ヒロ', 'hiro'],
  ['明', 'アキ', 'aki'],
  ['真', 'マ', 'ma'],
  ['結', 'ユイ', 'yui'],
  ['千', 'チ', 'chi'],
  ['優', 'ユウ', 'yu'],
  ['春', 'ハル', 'haru'],
  ['夏', 'ナツ', 'natsu'],
  ['秋', 'アキ', 'aki'],
  ['光', 'ミツ', 'mitsu'],
  ['正', 'マサ', 'masa'],
  ['信', 'ノブ', 'nobu'],
  ['幸', 'ユキ', 'yuki'],
];
const JA_GIVEN_TAIL: readonly [string, string, string][] = [
  ['太', 'タ', 'ta'],
  ['介', 'スケ', 'suke'],
  ['輔', 'スケ', 'suke'],
  ['也', 'ヤ', 'ya'],
  ['樹', 'キ', 'ki'],
  ['人', 'ト', 'to'],
  ['斗', 'ト', 'to'],
  ['平', 'ヘイ', 'hei'],
  ['子', 'コ', 'ko'],
  ['美', 'ミ', 'mi'],
  ['香', 'カ', 'ka'],
  ['奈', 'ナ', 'na'],
  ['菜', 'ナ', 'na'],
  ['花', 'カ', 'ka'],
  ['代', 'ヨ', 'yo'],
  ['江', 'エ', 'e'],
  ['里', 'リ', 'ri'],
  ['希', 'キ', 'ki'],
  ['郎', 'ロウ', 'ro'],
  ['彦', 'ヒコ', 'hiko'],
  ['男', 'オ', 'o'],
  ['生', 'キ', 'ki'],
];
const EN_SURNAME_HEAD = [
  'Ash',
  'Black',
  'Brad',
  'Brook',
  'Craw',
  'Fair',
  'Green',
  'Hart',
  'Holt',
  'Lang',
  'Mar',
  'Mil',
  'New',
  'Ox',
  'Red',
  'Rad',
  'Stan',
  'Sum',
  'Thorn',
  'West',
  'Whit',
  'Win',
  'Wood',
  'North',
  'Bright',
];
const EN_SURNAME_TAIL = [
  'ford',
  'wood',
  'ley',
  'ton',
  'field',
  'by',
  'well',
  'worth',
  'man',
  'son',
  'er',
  'ham',
  'brook',
  'stone',
  'ridge',
];

const topJaFamily = weightedBy(JA_FAMILY, (x) => x[3]);
const topEnLast = weightedBy(EN_LAST, (x) => x[1]);
const JA_TOP_SHARE = JA_FAMILY.reduce((a, x) => a + x[3], 0) / 100;
const EN_TOP_SHARE = EN_LAST.reduce((a, x) => a + x[1], 0) / 100;

/** [kanji, katakana, romaji] of a Japanese surname, common ones at their real share. */
export function jaFamilyName(r: Rng): readonly [string, string, string] {
  if (r.chance(JA_TOP_SHARE)) {
    const [k, kana, romaji] = topJaFamily(r);
    return [k, kana, romaji];
  }
  const a = r.pick(JA_SURNAME_PARTS);
  let b = r.pick(JA_SURNAME_PARTS);
  while (b === a) b = r.pick(JA_SURNAME_PARTS);
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/** [kanji, katakana, romaji] of a Japanese given name: 30 % common ones, the rest composed. */
export function jaGivenName(r: Rng): readonly [string, string, string] {
  if (r.chance(0.3)) return r.pick(JA_GIVEN);
  const a = r.pick(JA_GIVEN_HEAD);
  const b = r.pick(JA_GIVEN_TAIL);
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

export function enLastName(r: Rng): string {
  if (r.chance(EN_TOP_SHARE)) return topEnLast(r)[0];
  return r.pick(EN_SURNAME_HEAD) + r.pick(EN_SURNAME_TAIL);
}
