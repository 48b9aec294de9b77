// Cell text → an API value, per field type, the way people write values in spreadsheets.
// A cell that cannot be read is passed on as text so the records validator names the problem
// with the same message an API client would get. Empty cells are left out (defaults apply).
import type { FieldModel, FieldTypeName } from '../model/index.ts';

type Parser = (text: string, f: FieldModel, opts: ValueOptions) => unknown;

export interface ValueOptions {
  /** Offset applied to date-times written without one, e.g. "+09:00". */
  utcOffset: string;
}

const nfkc = (s: string) => s.normalize('NFKC').trim();

const TRUE = new Set(['true', 'yes', 'y', '1', 'はい', '○', '◯', '〇', 'on', '✓', 'x', 'ok', '有', 'あり']);
const FALSE = new Set(['false', 'no', 'n', '0', 'いいえ', '×', '✗', 'off', '-', '無', 'なし']);

/**
 * Numbers as spreadsheets write them: 1,234.5 (Japan, US), full-width digits, ¥/$ signs,
 * (123) for negatives, and the European 1.234,5 or 12,5 when the comma can only be a decimal
 * comma. "1,234" stays one thousand two hundred thirty-four. A comma in any other place is not
 * guessed at: the cell goes on as text and fails its row as "must be a number".
 */
function number(text: string): number | string {
  let s = nfkc(text).replace(/[\s_]/g, '').replace(/^[¥$€£]/, '').replace(/^\((.*)\)$/, '-$1').replace('−', '-');
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replaceAll(',', '');
  else if (/^[-+]?\d{1,3}(\.\d{3})+,\d+$/.test(s)) s = s.replaceAll('.', '').replace(',', '.');
  else if (/^[-+]?\d+,(\d{1,2}|\d{4,})$/.test(s)) s = s.replace(',', '.');
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) ? Number(s) : text;
}

// 令和 and 平成 dates as they appear in Japanese forms (R8 = 2026).
const ERAS: Record<string, number> = { 令和: 2018, R: 2018, 平成: 1988, H: 1988, 昭和: 1925, S: 1925 };

export function parseDate(text: string): string | undefined {
  const s = nfkc(text);
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$/.exec(s);
  let year: number | undefined;
  if (m) year = Number(m[1]);
  else {
    m = /^(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
    if (m) year = ERAS[m[1]] + (m[2] === '元' ? 1 : Number(m[2]));
    if (m) m = [m[0], String(year), m[3], m[4]] as unknown as RegExpExecArray;
  }
  if (!m || !year) return undefined;
  const iso = `${String(year).padStart(4, '0')}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === iso ? iso : undefined;
}

function dateTime(text: string, _f: FieldModel, opts: ValueOptions): string {
  const s = nfkc(text);
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s))) return s.replace(' ', 'T');
  const m = /^(.+?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  const day = parseDate(m ? m[1] : s);
  if (!day) return text;
  const time = m ? `${m[2].padStart(2, '0')}:${m[3]}:${m[4] ?? '00'}` : '00:00:00';
  return `${day}T${time}${opts.utcOffset}`;
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
    const s = nfkc(t);
    const code = /\b([A-Z]{3})\b/.exec(s)?.[1] ?? (/^[¥￥]/.test(s) || /円$/.test(s) ? 'JPY' : /^\$/.test(s) ? 'USD' : undefined) ?? f.spec.currency;
    const amount = number(s.replace(/\b[A-Z]{3}\b/, '').replace(/円$/, '').replace(/^[¥$]/, ''));
    return { amount: typeof amount === 'number' ? String(amount) : amount, ...(code && { currency: code }) };
  },
  boolean: (t) => {
    const s = nfkc(t).toLowerCase();
    return TRUE.has(s) ? true : FALSE.has(s) ? false : t;
  },
  date: (t) => parseDate(t) ?? t,
  datetime: dateTime,
  select: (t) => nfkc(t),
  multi_select: (t) => nfkc(t).split(/\s*[;,、|\n]\s*/).filter(Boolean),
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
