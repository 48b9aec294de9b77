// Cell text → an API value, per field type, the way people write values in spreadsheets.
// A cell that cannot be read is passed on as text so the records validator names the problem
// with the same message an API client would get. Empty cells are left out (defaults apply).
import { parseMoney, SIGN_CURRENCIES, type FieldModel, type FieldTypeName } from '../model/index.ts';

type Parser = (text: string, f: FieldModel, opts: ValueOptions) => unknown;

export interface ValueOptions {
  /** Offset applied to date-times written without one, e.g. "+09:00". */
  utcOffset: string;
}

const nfkc = (s: string) => s.normalize('NFKC').trim();

const TRUE = new Set(['true', 'yes', 'y', '1', 'はい', '○', '◯', '〇', 'on', '✓', '✔', 'x', 'ok', '有', 'あり']);
const FALSE = new Set(['false', 'no', 'n', '0', 'いいえ', '×', '✗', 'off', '-', '無', 'なし']);

/**
 * Numbers as spreadsheets write them: 1,234.5 (Japan, US), full-width digits, ¥/$ signs,
 * (123) for negatives, and the European 1.234,5 or 12,5 when the comma can only be a decimal
 * comma. "1,234" stays one thousand two hundred thirty-four. A comma in any other place is not
 * guessed at: the cell goes on as text and fails its row as "must be a number".
 */
function number(text: string): number | string {
  // ▲ and △ mark negatives in Japanese accounts (▲1,234 = -1234).
  let s = nfkc(text)
    .replace(/[\s_]/g, '')
    .replace(/^[▲△]/, '-')
    .replace(/^(-?)[¥$€£]/, '$1')
    .replace(/^\((.*)\)$/, '-$1')
    .replace('−', '-');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replaceAll(',', '');
  else if (/^[-+]?\d{1,3}(\.\d{3})+,\d+$/.test(s)) s = s.replaceAll('.', '').replace(',', '.');
  else if (/^[-+]?\d+,(\d{1,2}|\d{4,})$/.test(s)) s = s.replace(',', '.');
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) ? Number(s) : text;
}

// 令和, 平成 and 昭和 dates as they appear in Japanese forms (R8 = 2026), each only within its
// era: 平成31年5月1日 or 令和元年4月30日 name no day that existed.
const ERAS: Record<string, { offset: number; from: string; to: string }> = {
  令和: { offset: 2018, from: '2019-05-01', to: '9999-12-31' },
  平成: { offset: 1988, from: '1989-01-08', to: '2019-04-30' },
  昭和: { offset: 1925, from: '1926-12-25', to: '1989-01-07' },
};
const ERA_LETTERS: Record<string, string> = { R: '令和', H: '平成', S: '昭和' };

/** A calendar date, alone: "2026/1/5", "2026年1月5日", "令和8年1月5日" (a midnight time may follow, as exports write dates). */
export function parseDate(text: string): string | undefined {
  const s = nfkc(text).replace(/[ T]00:00(:00(\.0+)?)?$/, '');
  return dayOf(s);
}

function dayOf(s: string): string | undefined {
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  let year: number | undefined;
  let era: (typeof ERAS)[string] | undefined;
  if (m) year = Number(m[1]);
  else {
    m = /^(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
    if (!m) return undefined;
    era = ERAS[ERA_LETTERS[m[1]] ?? m[1]];
    const n = m[2] === '元' ? 1 : Number(m[2]);
    if (n < 1) return undefined;
    year = era.offset + n;
    m = [m[0], String(year), m[3], m[4]] as unknown as RegExpExecArray;
  }
  if (!m || !year) return undefined;
  const iso = `${String(year).padStart(4, '0')}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso) return undefined;
  return era && (iso < era.from || iso > era.to) ? undefined : iso;
}

/**
 * A time of day: "9:30", "9:30:15", "9時30分", "15時", "午後3:30", "3:30 PM"; undefined for
 * anything else (a date-time whose time cannot be read fails its row, never becomes midnight).
 */
function timeOf(text: string): string | undefined {
  const m = /^(午前|午後)?\s*(\d{1,2})(?::(\d{2})(?::(\d{2}))?|時(?:\s*(\d{1,2})分(?:\s*(\d{1,2})秒)?)?)\s*(am|pm|午前|午後)?$/i.exec(
    text.trim(),
  );
  if (!m) return undefined;
  let hour = Number(m[2]);
  const minute = Number(m[3] ?? m[5] ?? 0);
  const second = Number(m[4] ?? m[6] ?? 0);
  const half = (m[1] ?? m[7] ?? '').toLowerCase();
  if (half) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (half === 'pm' || half === '午後' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return [hour, minute, second].map((n) => String(n).padStart(2, '0')).join(':');
}

const ZONES: Record<string, string> = { JST: '+09:00', UTC: 'Z', GMT: 'Z' };

function dateTime(text: string, _f: FieldModel, opts: ValueOptions): string {
  const s = nfkc(text);
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s) && /\d[ T]\d/.test(s) && !Number.isNaN(Date.parse(s))) return s.replace(' ', 'T');
  // The date, then (after a space, a T, or 日) the time, then perhaps a zone name.
  const m = /^(.+?日|\S+?)(?:[ T]+|(?<=日))(.+?)(?:\s+(JST|UTC|GMT))?$/i.exec(s);
  const day = dayOf(m ? m[1] : s);
  if (!day) return text;
  if (!m) return `${day}T00:00:00${opts.utcOffset}`;
  const time = timeOf(m[2]);
  if (!time) return text;
  return `${day}T${time}${m[3] ? ZONES[m[3].toUpperCase()] : opts.utcOffset}`;
}

const parsers: Partial<Record<FieldTypeName, Parser>> = {
  text: (t) => t.trim(),
  long_text: (t) => t,
  // NFKC: full-width ＠, digits and letters become their ASCII forms.
  email: (t) => nfkc(t),
  phone: (t) => nfkc(t),
  url: (t) => nfkc(t),
  integer: number,
  number,
  percent: (t) => number(t.replace(/[%％]\s*$/, '')),
  currency: (t, f) => {
    // As the API reads amounts (digits kept as text), else the wider forms of number():
    // "(1,234)", "1.234,50".
    const m = parseMoney(t);
    if (m) return { amount: m.amount, ...((m.currency ?? f.spec.currency) && { currency: m.currency ?? f.spec.currency }) };
    const s = nfkc(t);
    const code = /\b([A-Z]{3})\b/.exec(s)?.[1] ?? SIGN_CURRENCIES[s[0]] ?? (/円$/.test(s) ? 'JPY' : undefined) ?? f.spec.currency;
    // number() drops the leading sign itself.
    const amount = number(s.replace(/\b[A-Z]{3}\b/, '').replace(/円$/, ''));
    return { amount: typeof amount === 'number' ? String(amount) : amount, ...(code && { currency: code }) };
  },
  boolean: (t) => {
    const s = nfkc(t).toLowerCase();
    return TRUE.has(s) ? true : FALSE.has(s) ? false : t;
  },
  date: (t) => parseDate(t) ?? t,
  datetime: dateTime,
  select: (t) => nfkc(t),
  multi_select: (t) =>
    nfkc(t)
      .split(/\s*[;,、|\n]\s*/)
      .filter(Boolean),
  // multi_select's separators, but free text is kept as written (no NFKC, unlike option
  // values), so the full-width ；，｜ are separators too. Repeats are dropped by normalize.
  tags: (t) =>
    t
      .split(/[;,、|\n；，｜]/)
      .map((s) => s.trim())
      .filter(Boolean),
  json: (t) => {
    try {
      return JSON.parse(t);
    } catch {
      return t;
    }
  },
};

/** The API value for a cell, or undefined for an empty cell. */
export function parseCell(text: string, f: FieldModel, opts: ValueOptions): unknown {
  if (text.trim() === '') return undefined;
  const parser = parsers[f.spec.type];
  return parser ? parser(text, f, opts) : text.trim();
}
