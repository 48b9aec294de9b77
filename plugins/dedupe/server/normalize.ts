// Normalization of the values duplicate rules compare: each function turns one raw value into
// a comparison key, or null when the value cannot take part (empty, not an email, …).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { getDomain } from 'tldts';
import { unifyKanji, variantsOf } from './kanji.ts';
import { foldKana, foldRomaji, kanaToRomaji } from './romaji.ts';
import { stripJapaneseForms, stripLatinForms, type LegalForm } from './legal-forms.ts';

export { legalFormsConflict, type LegalForm } from './legal-forms.ts';

const HIRAGANA = /[\u3041-\u3096]/g;

/** NFKC (full-width → ASCII, half-width ｶﾅ → カナ, ㈱ → (株)), lower case, hiragana → katakana, variant kanji unified (kanji.ts). */
export function foldText(value: string): string {
  return unifyKanji(
    value
      .normalize('NFKC')
      .toLowerCase()
      .replace(HIRAGANA, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60)),
  );
}

// A dash after katakana is the long-vowel mark typed on the wrong key (コンピュ-タ, ｺﾝﾋﾟｭｰﾀ).
const KANA_DASH = /(?<=[\u30a1-\u30fa\u30fc])[-\u2010-\u2015\u2212\uff70]/g;
/** Spaces and punctuation people write or leave out at will (山田 太郎 / 山田・太郎 / エヌ・ティ・ティ); the long-vowel mark ー (a letter, Lm) stays. */
const dropNoise = (folded: string) => folded.replace(KANA_DASH, 'ー').replace(/[\s\p{P}\p{S}]+/gu, '');

const HAN = /\p{sc=Han}/u;
const KANA = /[\p{sc=Katakana}\p{sc=Hiragana}]/u;
const LATIN = /\p{sc=Latin}/u;
const latinOnly = (s: string) => LATIN.test(s) && !HAN.test(s) && !KANA.test(s);
/** Accents off, for Latin text only: NFD would also split the dakuten off ガ. */
const unaccent = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');

/**
 * The writing system of a key, for the scorer: two names in different ones (Taro Yamada / 山田太郎,
 * ヤマダタロウ / 山田太郎) cannot be compared without a reading, so they are neither a match nor a
 * conflict. 'kanji' is any key holding a kanji (山田あかり too).
 */
export function scriptOf(key: string): 'latin' | 'kana' | 'kanji' | 'other' {
  if (HAN.test(key)) return 'kanji';
  if (KANA.test(key)) return 'kana';
  return LATIN.test(key) ? 'latin' : 'other';
}

export function normalizeName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return dropNoise(foldText(value)) || null;
}

/**
 * One key for a person's full name from its parts in order (last, first): the parts are joined,
 * so 中村美咲 typed into last_name alone is the key of 中村 + 美咲. Names in Latin letters are
 * written in either order and with a comma (Taro Yamada / Yamada Taro / YAMADA, Taro): their
 * words are sorted, accents dropped, and the key keeps one space between words ("taro yamada").
 * Readings are folded (romaji.ts foldKana: サトー = サトウ).
 */
export function personNameKey(parts: unknown[]): string | null {
  const texts = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map(foldText);
  if (!texts.length) return null;
  const all = texts.join(' ');
  if (latinOnly(all)) {
    const words = unaccent(all)
      .replace(/['’`]/g, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .sort();
    return words.join(' ') || null;
  }
  return foldKana(dropNoise(all)) || null;
}

export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const key = value.normalize('NFKC').trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(key) ? key : null;
}

// Mailboxes of a function, not of a person: shared by colleagues, so the same one on two
// contacts says they work together, not that they are one person. A fixed vocabulary, written
// folded (katakana) because local parts are folded before the look-up.
const ROLE_LOCAL_PARTS = new Set([
  'info',
  'information',
  'infomation',
  'inquiry',
  'inquiries',
  'enquiry',
  'enquiries',
  'contact',
  'contactus',
  'toiawase',
  'otoiawase',
  'support',
  'help',
  'helpdesk',
  'service',
  'services',
  'customer',
  'customers',
  'cs',
  'sales',
  'eigyo',
  'eigyou',
  'office',
  'jimukyoku',
  'admin',
  'administrator',
  'webmaster',
  'postmaster',
  'hostmaster',
  'root',
  'noreply',
  'donotreply',
  'mailer-daemon',
  'mail',
  'email',
  'hello',
  'team',
  'staff',
  'all',
  'general',
  'soumu',
  'somu',
  'keiri',
  'jinji',
  'saiyo',
  'saiyou',
  'recruit',
  'recruiting',
  'jobs',
  'careers',
  'hr',
  'pr',
  'press',
  'media',
  'kouhou',
  'koho',
  'ir',
  'marketing',
  'billing',
  'invoice',
  'accounts',
  'accounting',
  'order',
  'orders',
  'shop',
  'store',
  'reception',
  'uketsuke',
  'daihyo',
  'daihyou',
  'security',
  'privacy',
  'legal',
  'abuse',
  'partner',
  'partners',
  'event',
  'events',
  'seminar',
  ...[
    'お問い合わせ',
    'お問合せ',
    'お問合わせ',
    '問い合わせ',
    '問合せ',
    '総務',
    '営業',
    '採用',
    '代表',
    '受付',
    '事務局',
    '広報',
    '経理',
    '人事',
  ].map(foldText),
]);

/** Whether an email names a role mailbox (info@, support@, sales-jp@, noreply@, お問い合わせ@, …) rather than a person. */
export function isRoleAddress(email: unknown): boolean {
  const key = normalizeEmail(email);
  if (!key) return false;
  const part = key.slice(0, key.lastIndexOf('@')).split('+')[0];
  // A folded key's ASCII is already what foldText makes of it (NFKC, lower case, no kana or kanji).
  const local = /^[\x00-\x7f]*$/.test(part) ? part : foldText(part);
  const plain = local.replace(/[-_.]/g, '');
  const first = local.split(/[-_.]/)[0];
  return [local, plain, first].some((s) => ROLE_LOCAL_PARTS.has(s) || ROLE_LOCAL_PARTS.has(s.replace(/\d+$/, '')));
}

/** E.164 (`+81357087760`) by libphonenumber; numbers without a country code are read in `region`. */
export function normalizePhone(value: unknown, region: string = 'JP'): string | null {
  if (typeof value !== 'string' || !value.trim()) return null;
  const folded = value.normalize('NFKC');
  const common = japanesePhone(folded, region);
  if (common !== undefined) return common;
  const phone = parsePhoneNumberFromString(folded, region as CountryCode);
  return phone?.isPossible() ? phone.number : null;
}

// The shapes most Japanese phones are written in, read without libphonenumber: its parse took
// ~7 µs a number, a quarter of a new record's keys in an import with the duplicate check
// (issue 14). Digits with the usual separators, and either a national number of 10 or 11
// digits (0 and an area or mobile code; not 010, the international call prefix) read in JP,
// or +81 and 9 or 10 digits (no trunk 0). libphonenumber calls each of these possible and
// answers +81 and the digits after the 0 — normalize.test.ts holds both readings equal on
// every 0XYZ prefix and the fixtures' phones. Anything else goes to libphonenumber.
const PHONE_SEPARATORS = /[-\s().]/g;
const NATIONAL_JP = /^0(?!10)[1-9]\d{8,9}$/;
const INTERNATIONAL_JP = /^\+81[1-9]\d{8,9}$/;
const PHONE_CHARS = /^\+?[-\s().\d]+$/;

/** The E.164 key of a common Japanese shape, or undefined when libphonenumber must read it. */
export function japanesePhone(folded: string, region: string): string | undefined {
  if (!PHONE_CHARS.test(folded)) return undefined;
  const compact = folded.replace(PHONE_SEPARATORS, '');
  if (INTERNATIONAL_JP.test(compact)) return compact;
  if (region === 'JP' && NATIONAL_JP.test(compact)) return `+81${compact.slice(1)}`;
  return undefined;
}

/** The host of a website without scheme, port, path or a leading www. */
export function websiteDomain(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const host = value
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .split(/[/?#]/)[0]
    .replace(/:\d+$/, '')
    .replace(/^www\d?\./, '')
    .replace(/\.$/, '');
  return /^[^\s.]+(\.[^\s.]+)+$/.test(host) ? host : null;
}

/**
 * The domain a website's owner registered, by the Public Suffix List (tldts; private suffixes
 * such as github.io count, so two sites there are two owners): sony.co.jp for www.sony.co.jp and
 * life.sony.co.jp. Group companies share it, so it says "same group", not "same company".
 */
export function registrableDomain(value: unknown): string | null {
  const host = websiteDomain(value);
  if (!host) return null;
  return getDomain(host, { allowPrivateDomains: true }) ?? host;
}

/** The folded name with its legal forms taken out, as words, and the form found. */
function companyWords(value: string): { words: string[]; form: LegalForm | null } {
  const { rest, form } = stripJapaneseForms(foldText(value));
  if (!/[a-z]/.test(rest)) return { words: rest.split(/[\s,]+/).filter(Boolean), form };
  // Latin legal forms are whole words, written with or without dots: K.K., Co., Ltd., L.L.C.
  const words = rest
    .replace(/\b([a-z])\.(?=[a-z]\.)/g, '$1')
    .replace(/\./g, ' ')
    .split(/[\s,]+/)
    .filter(Boolean);
  const latin = stripLatinForms(words.map((w) => (latinOnly(w) ? unaccent(w) : w)));
  return { words: latin.words, form: form ?? latin.form };
}

/**
 * The legal form of a company name, canonical: 株式会社さくら, さくら(株), ㈱さくら, Sakura K.K. →
 * 'kabushiki'; 有限会社 → 'yugen'; (一財) and 一般財団法人 → 'ippan_zaidan'; 医療法人社団 →
 * 'iryo_shadan'; Inc., Co., Ltd., Corp. → 'corporation'; null when none is written.
 */
export function legalFormOf(value: unknown): LegalForm | null {
  return typeof value === 'string' ? companyWords(value).form : null;
}

// Small kana written large, as bank transfers (全銀 format) and many ledgers print them
// (ｺｲｽﾞﾐｼﾖｳｼﾞ for コイズミショウジ), and as people mistype a name (キヤノン / キャノン).
const SMALL_KANA: Record<string, string> = {
  ァ: 'ア',
  ィ: 'イ',
  ゥ: 'ウ',
  ェ: 'エ',
  ォ: 'オ',
  ッ: 'ツ',
  ャ: 'ヤ',
  ュ: 'ユ',
  ョ: 'ヨ',
  ヮ: 'ワ',
  ヵ: 'カ',
  ヶ: 'ケ',
};
const SMALL_KANA_RE = /[ァィゥェォッャュョヮヵヶ]/g;

// 本社 (head office) after a name is the company itself: the record of a company is its head
// office, and its branches (大阪支店) are records of their own (kept apart: one contains the other).
const HEAD_OFFICE = /(?<=.{2})本社$/u;

/** The folded name without legal forms, a trailing 本社, spaces and punctuation (small kana as written). */
const companyText = (value: string) => dropNoise(companyWords(value).words.join('')).replace(HEAD_OFFICE, '');

/** A company name without its legal form: 株式会社トヨタ / トヨタ(株) / ﾄﾖﾀ㈱ → トヨタ; "Acme, Inc." → acme; 医療法人社団 健康会 → 健康会; small kana large (キャノン → キヤノン). */
export function normalizeCompanyName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return companyText(value).replace(SMALL_KANA_RE, (ch) => SMALL_KANA[ch]) || null;
}

/**
 * A company name in loose romaji, marked with a leading ~ (romaji.ts foldRomaji), when it can be
 * read: a name in kana (its reading: ホクショウサンギョウ, ｶ)ｺｲｽﾞﾐｼｮｳｼﾞ) or in Latin letters
 * (Hokusho Sangyo Co., Ltd.), legal forms left out — so that a romanized trade name meets the
 * reading of the Japanese one. null for names holding kanji, digits or anything else.
 */
export function companyReading(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = foldKana(companyText(value));
  const romaji = /^[\u30a1-\u30fc]+$/.test(text) ? kanaToRomaji(text) : /^[a-z]+$/.test(text) ? text : null;
  const folded = romaji ? foldRomaji(romaji) : '';
  return folded ? `~${folded}` : null;
}

/** Spellings of a folded term with each unified kanji written the old way too (高橋 → 髙橋), at most `max`. */
export function variantSpellings(term: string, max = 4): string[] {
  let out = [''];
  for (const ch of term) {
    const alts = [ch, ...variantsOf(ch)];
    out = out.flatMap((prefix) => alts.map((a) => prefix + a)).slice(0, max);
  }
  return out;
}

/** The longest word of a value, for a search that finds candidates (legal forms left out for companies). */
export function searchTerm(value: unknown, company = false): string | null {
  if (typeof value !== 'string') return null;
  const words = company ? companyWords(value).words.flatMap((w) => w.split(/[\s\p{P}\p{S}]+/u)) : foldText(value).split(/[\s\p{P}\p{S}]+/u);
  const longest = words.filter((w) => w.length > 0).sort((a, b) => b.length - a.length)[0];
  return longest ? longest.slice(0, 100) : null;
}

// A leading prefecture, so that 東京都千代田区 and 千代田区 are one city; alone it loses 都/府/県
// (東京都 = 東京, 大阪府 = 大阪), 北海道 keeps 道 (北海 is no prefecture).
const PREFECTURE = /^(東京都|北海道|京都府|大阪府|\p{sc=Han}{2,3}県)/u;

/** A place (prefecture, city, postal code, country): folded, without spaces and punctuation; a city without its prefecture. */
export function normalizePlace(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let s = dropNoise(foldText(value));
  if (latinOnly(s)) s = unaccent(s);
  const pref = PREFECTURE.exec(s)?.[1];
  if (pref) s = s.length > pref.length ? s.slice(pref.length) : pref === '北海道' ? pref : pref.slice(0, -1);
  return s || null;
}

/** Any other value: folded text, or the value itself for ids, numbers and booleans. */
export function normalizeExact(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return foldText(value).trim().replace(/\s+/g, ' ') || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
