// Encoding, format and delimiter detection. Encodings: BOMs first, then strict UTF-8, then
// encoding-japanese (which reads Shift_JIS, EUC-JP, JIS and UTF-16 from their byte structure,
// so a 200-byte export from Japanese Excel is recognized: jschardet's statistics call such a
// sample ISO-8859-2), then jschardet for the rest (Windows-1252, …). Delimiters: the sample
// is parsed by csv-parse with each candidate and the most consistent table wins.
import iconv from 'iconv-lite';
import Encoding from 'encoding-japanese';
import jschardet from 'jschardet';
import { parse } from 'csv-parse/sync';
import { badRequest } from '../problems/index.ts';
import { fileProblem } from './file-problem.ts';

export type Format = 'csv' | 'xlsx';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** xlsx is a zip; anything else must look like text. Binary files are a 400. */
export function detectFormat(head: Buffer, filename?: string): Format {
  if (head.subarray(0, 4).equals(ZIP) || /\.xlsx$/i.test(filename ?? '')) {
    if (!head.subarray(0, 4).equals(ZIP)) throw fileProblem('not_xlsx', 'The file is named .xlsx but is not an Excel workbook');
    return 'xlsx';
  }
  return 'csv';
}

/** iconv-lite's name for the file's encoding. */
export function detectEncoding(head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // JIS is 7-bit, so it passes as UTF-8: its escape sequences give it away.
  if (head.includes(0x1b) && Encoding.detect(head) === 'JIS') throw unsupportedJis();
  if (isUtf8(head)) return 'utf-8';
  const japanese = Encoding.detect(head);
  if (japanese === 'SJIS') return 'cp932';
  if (japanese === 'EUCJP') return 'euc-jp';
  if (japanese === 'UTF16') return utf16Order(head);
  if (japanese === 'JIS') throw unsupportedJis();
  const guess = jschardet.detect(head, { minimumThreshold: 0.1 });
  const name = (guess.encoding ?? '').toUpperCase();
  // CP932 is what Japanese Excel writes when it says "Shift_JIS" (it adds ①, ㈱, NEC/IBM kanji).
  if (name === 'SHIFT_JIS' || name === 'WINDOWS-31J' || name === 'CP932') return 'cp932';
  if (name === 'EUC-JP') return 'euc-jp';
  if (name === 'UTF-16LE' || name === 'UTF-16BE') return name.toLowerCase();
  if (name === 'ISO-2022-JP') throw unsupportedJis();
  if (name && iconv.encodingExists(name) && name !== 'ASCII') return name.toLowerCase();
  return 'utf-8';
}

/** UTF-16 without a BOM: ASCII-range text has its zero bytes on the odd (LE) or even (BE) side. */
function utf16Order(head: Buffer): 'utf-16le' | 'utf-16be' {
  let even = 0;
  let odd = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  return even > odd ? 'utf-16be' : 'utf-16le';
}

// ISO-2022-JP (7-bit JIS) is a mail encoding; no spreadsheet writes CSV in it, and the stream
// decoder we use does not read it.
const unsupportedJis = () =>
  badRequest('The file is in ISO-2022-JP (JIS), which imports do not read; save it as UTF-8 or Shift_JIS', [
    { field: 'encoding', message: 'ISO-2022-JP is not supported', keyword: 'jis' },
  ]);

/** Strict UTF-8 check that tolerates a multi-byte character cut off at the sample's end. */
function isUtf8(head: Buffer): boolean {
  let end = head.length;
  // Step back over at most 3 continuation bytes and their lead byte.
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = head[end - i];
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) end -= i;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** A file read as UTF-8 must be UTF-8: anything else would import as mojibake (U+FFFD). */
export function assertEncoding(head: Buffer, encoding: string, declared: boolean): void {
  if (!/^utf-?8$/i.test(encoding) || isUtf8(head)) return;
  let bad = 0;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // Find the first offending byte for the message (the sample is at most 64 KiB).
    for (let lo = 0, hi = head.length; lo < hi;) {
      const mid = (lo + hi) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, mid));
        lo = mid + 1;
        bad = mid;
      } catch {
        hi = mid;
      }
    }
  }
  throw badRequest(
    declared
      ? `The file is not valid UTF-8 (near byte ${bad}); send encoding=cp932 for Shift_JIS, or leave encoding out to detect it`
      : `The file's encoding could not be recognized (it is not UTF-8, UTF-16, Shift_JIS or EUC-JP); save it as UTF-8 or pass encoding=`,
    declared
      ? [{ field: 'encoding', message: 'does not match the file', keyword: 'mismatch' }]
      : [{ field: 'encoding', message: 'could not be detected', keyword: 'undetected' }],
  );
}

export const ENCODINGS = ['utf-8', 'cp932', 'shift_jis', 'euc-jp', 'utf-16le', 'utf-16be'];

/**
 * Text that is mostly control characters is not a table (an image, a zip, a PDF…); nor is
 * text with more than a trace of code points no writing uses — unassigned, private-use or lone
 * surrogates: random bytes read as UTF-16 are ~15% of those, real text (gaiji aside) none.
 */
export function assertText(sample: string): void {
  if (!sample.length) return;
  let control = 0;
  let unwritten = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  for (const ch of sample.matchAll(UNWRITTEN)) unwritten += ch[0].length;
  if (control / sample.length > 0.05 || unwritten / sample.length > 0.02)
    throw fileProblem('binary', 'The file is not a CSV, TSV or Excel file (it looks binary)');
}
const UNWRITTEN = /[\p{Cn}\p{Co}\p{Cs}]/gu;

const CANDIDATES = [',', '\t', ';', '|'];

/** Picks the delimiter under which the sample's rows have the most consistent, widest shape. */
export function detectDelimiter(sample: string, filename?: string): string {
  if (/\.tsv$/i.test(filename ?? '')) return '\t';
  // Drop the last, probably cut, line of the sample.
  const cut = sample.lastIndexOf('\n');
  const text = cut > 0 ? sample.slice(0, cut) : sample;
  let best = { delimiter: ',', score: -1 };
  for (const delimiter of CANDIDATES) {
    let rows: string[][];
    try {
      rows = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, to_line: 50, bom: true, skip_empty_lines: true });
    } catch {
      continue;
    }
    if (!rows.length) continue;
    const widths = rows.map((r) => r.length);
    const width = widths[0];
    if (width < 2) continue;
    const consistent = widths.filter((w) => w === width).length / widths.length;
    const score = consistent * 1000 + width;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}
