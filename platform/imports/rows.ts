// The stored upload as a stream of rows (arrays of cell text), header first: CSV/TSV through
// iconv-lite and csv-parse, xlsx through exceljs's streaming reader. Memory stays bounded by
// one chunk plus one parser buffer.
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';
import type { Database } from '../db/index.ts';
import { fileProblem } from './file-problem.ts';
import { readUpload } from './storage.ts';

export const MAX_COLUMNS = 1000;
const MAX_CELL = 1024 * 1024;

export interface SourceShape {
  id: string;
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
}

/** `onBytes` hears how many bytes of the upload have been read so far (for progress). */
export function readRows(db: Database, source: SourceShape, onBytes?: (bytes: number) => void): AsyncIterable<string[]> {
  const bytes = Readable.from(counted(readUpload(db, source.id), onBytes));
  return source.format === 'xlsx' ? xlsxRows(bytes) : csvRows(bytes, source.encoding ?? 'utf-8', source.delimiter ?? ',');
}

// Stored chunks are 1 MiB; the decoder makes one string per piece it is given, and a 1 MiB
// string lives in V8's large-object space until a full GC. 64 KiB pieces (views, not copies)
// keep those strings short-lived, which is most of an import's memory peak.
const PIECE = 64 * 1024;

async function* counted(chunks: AsyncIterable<Buffer>, onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const c of chunks) {
    for (let at = 0; at < c.byteLength; at += PIECE) {
      const piece = c.subarray(at, at + PIECE);
      n += piece.byteLength;
      onBytes?.(n);
      yield piece;
    }
  }
}

function csvRows(bytes: Readable, encoding: string, delimiter: string): AsyncIterable<string[]> {
  const text = bytes.pipe(iconv.decodeStream(encoding, { stripBOM: true }));
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    // A stray quote inside an unquoted cell (5" screen) is data, not an error.
    relax_quotes: true,
    skip_empty_lines: true,
    // Any of the three line endings, even mixed in one file (csv-parse otherwise keeps the
    // first one it sees, and the rows after a different one run together).
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_CELL,
  });
  text.on('error', (e) => parser.destroy(e));
  bytes.on('error', (e) => parser.destroy(e));
  return guard(text.pipe(parser) as AsyncIterable<string[]>);
}

async function* guard(rows: AsyncIterable<string[]>): AsyncGenerator<string[]> {
  try {
    for await (const row of rows) {
      if (row.length > MAX_COLUMNS)
        throw fileProblem('too_many_columns', `A row has ${row.length} columns; an import takes at most ${MAX_COLUMNS}`);
      yield row;
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_'))
      throw fileProblem('unreadable_csv', `The file cannot be read as CSV: ${(e as Error).message}`);
    throw e;
  }
}

async function* xlsxRows(bytes: Readable): AsyncGenerator<string[]> {
  // Loaded on first use (see export.ts).
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(bytes, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'emit',
  });
  try {
    for await (const sheet of reader) {
      // The first worksheet is the table; the others are ignored (documented).
      let expected = 1;
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        // Blank rows are not emitted: keep row numbers honest by yielding nothing for them.
        expected = row.number + 1;
        if (row.cellCount > MAX_COLUMNS)
          throw fileProblem('too_many_columns', `A row has ${row.cellCount} columns; an import takes at most ${MAX_COLUMNS}`);
        const cells: string[] = [];
        row.eachCell({ includeEmpty: true }, (cell, col) => (cells[col - 1] = cellText(cell.value, cell.numFmt)));
        yield Array.from(cells, (c) => c ?? '');
      }
      void expected;
      return;
    }
  } catch (e) {
    if ((e as { status?: number }).status) throw e;
    throw fileProblem('unreadable_xlsx', `The Excel file cannot be read: ${(e as Error).message}`);
  }
}

/**
 * A cell as the text a person sees. Excel stores date-times without a zone (the wall clock);
 * exceljs hands them over as Dates whose UTC fields are that wall clock, so they are written
 * without a zone and take the import's utc_offset like typed text does. Formulas import the
 * value Excel last computed and saved with them (a formula saved without one — files written
 * by programs — imports as an empty cell; imports do not evaluate formulas); error values too.
 */
export function cellText(v: unknown, numFmt?: string): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return wallClock(v);
  if (typeof v === 'number' && numFmt && isDateFormat(numFmt)) return wallClock(new Date(Math.round((v - 25569) * 86_400_000)));
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join('');
    if ('formula' in o || 'sharedFormula' in o) return 'result' in o ? cellText(o.result, numFmt) : '';
    if ('text' in o) return cellText(o.text);
    return '';
  }
  return String(v);
}

/** "2026-01-05" at midnight, else "2026-01-05 09:30:00" (to the second: Excel's floats land a hair off). */
function wallClock(d: Date): string {
  const t = new Date(Math.round(d.getTime() / 1000) * 1000).toISOString();
  return t.endsWith('T00:00:00.000Z') ? t.slice(0, 10) : `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/** A number format that shows a date or time: y, m, d, h or s outside quotes, brackets and escapes. */
const isDateFormat = (fmt: string) => /[ymdhs]/i.test(fmt.replace(/"[^"]*"|\\.|\[[^\]]*\]|_.|\*./g, '')) && !/^general$/i.test(fmt);
