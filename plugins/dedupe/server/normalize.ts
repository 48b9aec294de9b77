// Normalization of the values duplicate rules compare: each function turns one raw value into
// a comparison key, or null when the value cannot take part (empty, not an email, …).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Old and variant kanji written interchangeably in names (髙橋 = 高橋, 山﨑 = 山崎). */
const KANJI_VARIANTS: Record<string, string> = {
  '髙': '高', '﨑': '崎', '嵜': '崎', '碕': '崎', '齋': '斎', '齊': '斉', '邊': '辺', '邉': '辺',
  '澤': '沢', '濱': '浜', '櫻': '桜', '冨': '富', '鐵': '鉄', '國': '国', '廣': '広', '德': '徳',
  '瀨': '瀬', '眞': '真', '槇': '槙', '𠮷': '吉', '藏': '蔵', '會': '会', '團': '団', '體': '体',
  '學': '学', '舘': '館', '峯': '峰', '嶋': '島', '嶌': '島', '惠': '恵', '榮': '栄',
};
const VARIANT_RE = new RegExp(Object.keys(KANJI_VARIANTS).join('|'), 'gu');

/** NFKC (full-width → ASCII, half-width ｶﾅ → カナ), lower case, hiragana → katakana, kanji variants unified. */
export function foldText(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(VARIANT_RE, (ch) => KANJI_VARIANTS[ch]);
}

/** Spaces and punctuation people write or leave out at will (山田 太郎 / 山田・太郎 / Yamada, Taro). */
const NOISE = /[\s\p{P}\p{S}]/gu;

export function normalizeName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // The long-vowel mark ー is part of a katakana name, not punctuation.
  const key = foldText(value).replace(/[\s\p{P}\p{S}]/gu, (ch) => (ch === 'ー' ? ch : ''));
  return key || null;
}

export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const key = value.normalize('NFKC').trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(key) ? key : null;
}

/** E.164 (`+81357087760`) by libphonenumber; numbers without a country code are read in `region`. */
export function normalizePhone(value: unknown, region: string = 'JP'): string | null {
  if (typeof value !== 'string' || !value.trim()) return null;
  const phone = parsePhoneNumberFromString(value.normalize('NFKC'), region as CountryCode);
  return phone?.isPossible() ? phone.number : null;
}

/** The host of a website without scheme, port, path or a leading www. */
export function websiteDomain(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const host = value.normalize('NFKC').trim().toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .split(/[/?#]/)[0]
    .replace(/:\d+$/, '')
    .replace(/^www\d?\./, '')
    .replace(/\.$/, '');
  return /^[^\s.]+(\.[^\s.]+)+$/.test(host) ? host : null;
}

// Legal forms, after NFKC (which turns （株） and ㈱ into (株)). Longest first.
const JA_FORMS = [
  '特定非営利活動法人', '一般社団法人', '一般財団法人', '公益社団法人', '公益財団法人', '社会福祉法人',
  '独立行政法人', '株式会社', '有限会社', '合同会社', '合資会社', '合名会社', '相互会社', '医療法人', '学校法人', 'npo法人',
  '(株)', '(有)', '(同)', '(合)', '(資)', '(名)', '(医)', '(学)', '(財)', '(社)',
];
const EN_FORMS = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'llp', 'lp',
  'kk', 'gk', 'gmbh', 'ag', 'sa', 'sas', 'sarl', 'bv', 'nv', 'plc', 'pte', 'pty', 'oy', 'ab', 'as', 'spa', 'srl', 'the',
]);

/** Spellings of a folded term with each unified kanji written the old way too (高橋 → 髙橋), at most `max`. */
export function variantSpellings(term: string, max = 4): string[] {
  const back = new Map<string, string[]>();
  for (const [old, std] of Object.entries(KANJI_VARIANTS)) back.set(std, [...(back.get(std) ?? []), old]);
  let out = [''];
  for (const ch of term) {
    const alts = [ch, ...(back.get(ch) ?? [])];
    out = out.flatMap((prefix) => alts.map((a) => prefix + a)).slice(0, max);
  }
  return out;
}

/** The longest word of a value, for a search that finds candidates (legal forms left out for companies). */
export function searchTerm(value: unknown, company = false): string | null {
  if (typeof value !== 'string') return null;
  let s = foldText(value);
  if (company) for (const form of JA_FORMS) s = s.split(foldText(form)).join(' ');
  const words = s.split(/[\s\p{P}\p{S}]+/u).filter((w) => w.length > 0 && !(company && EN_FORMS.has(w)));
  const longest = words.sort((a, b) => b.length - a.length)[0];
  return longest ? longest.slice(0, 100) : null;
}

/** A company name without its legal form: 株式会社トヨタ / トヨタ(株) / ﾄﾖﾀ㈱ → トヨタ; "Acme, Inc." → acme. */
export function normalizeCompanyName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let s = foldText(value).replace(/[（]/g, '(').replace(/[）]/g, ')');
  for (const form of JA_FORMS) s = s.split(foldText(form)).join(' ');
  // Latin legal forms are whole words, written with or without dots: K.K., Co., Ltd., L.L.C.
  const words = s.replace(/\b([a-z])\.(?=[a-z]\.)/g, '$1').replace(/\./g, ' ').split(/[\s,]+/).filter(Boolean);
  while (words.length > 1 && EN_FORMS.has(words[words.length - 1])) words.pop();
  while (words.length > 1 && EN_FORMS.has(words[0])) words.shift();
  const key = words.join('').replace(NOISE, (ch) => (ch === 'ー' ? ch : ''));
  return key || null;
}

/** Any other value: folded text, or the value itself for ids, numbers and booleans. */
export function normalizeExact(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return foldText(value).trim().replace(/\s+/g, ' ') || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
