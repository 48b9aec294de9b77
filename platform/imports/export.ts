// Export of a list (its filter, sort, q and fields, within the caller's permissions) as CSV or
// xlsx, streamed: the list is read page by page with its keyset cursor and each page is
// written out before the next is read, so memory does not grow with the table.
import { PassThrough } from 'node:stream';
import iconv from 'iconv-lite';
import type { Executor } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { resolveOption, type FieldModel } from '../model/index.ts';
import { readableFields, type ListParams } from '../query/index.ts';
import { badRequest } from '../problems/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import { csvText } from './csv-text.ts';
import { neutralizeFormula } from './formula-cells.ts';
import { exportNamer, type NameLanguage, type PageNames } from './export-names.ts';
import { parseCell } from './values.ts';

export interface ExportOptions {
  format: 'csv' | 'xlsx';
  header: 'en' | 'ja' | 'api';
  encoding: 'utf-8' | 'utf-8-bom' | 'shift_jis';
  /** Text cells that start like a formula get a leading ' (default; false writes them as they are). */
  escapeFormulas: boolean;
  /** Relation and user cells as names that import back to the same ids (default), or as the ids. */
  relations: 'names' | 'ids';
}

export function exportOptions(q: Record<string, string | undefined>): ExportOptions {
  const pick = <T extends string>(name: string, allowed: readonly T[], dflt: T): T => {
    const v = q[name] ?? dflt;
    if (!allowed.includes(v as T))
      throw badRequest(`${name} must be one of ${allowed.join(', ')}`, [{ field: name, message: `must be one of ${allowed.join(', ')}` }]);
    return v as T;
  };
  const format = pick('format', ['csv', 'xlsx'], 'csv');
  // A workbook stores its text as UTF-8 by definition: an encoding asked for it would be ignored.
  if (format === 'xlsx' && q.encoding !== undefined)
    throw badRequest('encoding applies to CSV only (xlsx is always Unicode)', [
      { field: 'encoding', message: 'is not an option of format=xlsx' },
    ]);
  return {
    format,
    header: pick('header', ['en', 'ja', 'api'], 'en'),
    encoding: pick('encoding', ['utf-8', 'utf-8-bom', 'shift_jis'], 'utf-8'),
    escapeFormulas: pick('escape_formulas', ['true', 'false'], 'true') === 'true',
    relations: pick('relations', ['names', 'ids'], 'names'),
  };
}

const SYSTEM = ['id', 'created_at', 'updated_at'];
const SYSTEM_LABELS: Record<string, { en: string; ja: string }> = {
  id: { en: 'ID', ja: 'ID' },
  created_at: { en: 'Created At', ja: '作成日時' },
  updated_at: { en: 'Updated At', ja: '更新日時' },
};

/**
 * An option as its label in the header's language, when an import reads that label back as the
 * same option (no other option has it as its value, no list separator inside); else its value.
 */
function optionText(f: FieldModel, value: string, ctx: CellContext & { labels: NameLanguage }): string {
  const label = f.spec.options?.find((o) => o.value === value)?.label;
  const text = label?.[ctx.labels] ?? label?.en;
  if (!text || (ctx.escape && neutralizeFormula(text) !== text)) return value;
  const back = parseCell(text, f, { utcOffset: 'Z' });
  const one = Array.isArray(back) ? (back.length === 1 ? back[0] : undefined) : back;
  return resolveOption(f.spec, one) === value ? text : value;
}

interface CellContext {
  /** Names for relation and user ids (undefined: ids are written). */
  names?: PageNames;
  /** Options as labels in this language (undefined: API values). */
  labels?: NameLanguage;
  /**
   * Formulas are escaped: a name or label that starts like one is written as the id or value
   * instead, which imports back as itself (an escaped name would not).
   */
  escape: boolean;
}

function cellOf(v: unknown, f: FieldModel | undefined, ctx: CellContext): string | number | boolean {
  if (v === null || v === undefined) return '';
  const type = f?.spec.type;
  // A json field's value is written as JSON (an array, a string "123"), so it imports back as itself.
  if (type === 'json') return JSON.stringify(v);
  if ((type === 'relation' || type === 'user') && ctx.names && typeof v === 'string') {
    const name = ctx.names(f!, v);
    return ctx.escape && neutralizeFormula(name) !== name ? v : name;
  }
  if ((type === 'select' || type === 'multi_select') && ctx.labels) {
    const labelled = { ...ctx, labels: ctx.labels };
    if (Array.isArray(v)) return v.map((x) => optionText(f!, String(x), labelled)).join(';');
    return optionText(f!, String(v), labelled);
  }
  if (Array.isArray(v)) return v.join(';');
  if (type === 'currency' && typeof v === 'object') {
    const c = v as { amount: string; currency: string };
    return `${c.amount} ${c.currency}`;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return v as string | number | boolean;
}

/** Checks the request (object, fields, filter: a bad one is a 4xx before any byte is sent) and answers the stream. */
export async function exportRecords(
  deps: { records: RecordService; registry: Registry; db: Executor },
  object: string,
  params: ListParams,
  actor: Actor,
  opts: ExportOptions,
) {
  const model = deps.registry.get(object);
  const visible = readableFields(model, actor.access);
  const wanted = params.fields
    ? params.fields
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : visible.map((f) => f.name);
  const fields = wanted
    .filter((n) => !SYSTEM.includes(n))
    .map((n) => model.fields.get(n))
    .filter((f): f is FieldModel => !!f);
  const base: ListParams = { ...params, fields: wanted.join(','), limit: '500' };
  // The first page is read now so that errors (hidden field, bad filter) are problems, not a broken download.
  const first = await deps.records.list(object, base, actor);
  const names = ['id', ...fields.map((f) => f.name), 'created_at', 'updated_at'];
  const header = names.map((n) => {
    if (opts.header === 'api') return n;
    const label = model.fields.get(n)?.spec.label ?? SYSTEM_LABELS[n];
    return (opts.header === 'ja' ? label?.ja : undefined) ?? label?.en ?? n;
  });
  const lang: NameLanguage = opts.header === 'ja' ? 'ja' : 'en';
  const namer = opts.relations === 'names' ? exportNamer(deps, fields, actor, lang) : undefined;
  const labels = opts.header === 'api' ? undefined : lang;
  const rowOf = (r: Record<string, unknown>, ctx: CellContext) =>
    names.map((n) => {
      const f = model.fields.get(n);
      const cell = cellOf(r[n], f, ctx);
      // System columns (id, timestamps) and types whose values cannot be formulas go as they are.
      return opts.escapeFormulas && typeof cell === 'string' && f && !f.type.formulaFree ? neutralizeFormula(cell) : cell;
    });

  async function* pages() {
    let page = first;
    for (;;) {
      const ctx: CellContext = {
        labels,
        escape: opts.escapeFormulas,
        names: namer && (await namer(page.data as Record<string, unknown>[])),
      };
      yield page.data.map((r) => rowOf(r, ctx));
      if (!page.page.next_cursor) return;
      // PGlite answers synchronously as microtasks: give the event loop a turn between pages,
      // or a long export would hold every other request (and timer) until it ends.
      await new Promise((r) => setImmediate(r));
      page = await deps.records.list(object, { ...base, cursor: page.page.next_cursor }, actor);
    }
  }

  const filename = `${model.name}.${opts.format}`;
  if (opts.format === 'xlsx')
    return {
      filename,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      body: xlsxStream(header, pages()),
    };
  const encode = (rows: unknown[][]) => {
    const text = csvText(rows);
    return opts.encoding === 'shift_jis' ? iconv.encode(text, 'cp932') : Buffer.from(text, 'utf8');
  };
  async function* csv() {
    yield Buffer.concat([opts.encoding === 'utf-8-bom' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), encode([header])]);
    for await (const rows of pages()) if (rows.length) yield encode(rows);
  }
  const charset = opts.encoding === 'shift_jis' ? 'Shift_JIS' : 'utf-8';
  return { filename, contentType: `text/csv; charset=${charset}`, body: csv() };
}

function xlsxStream(header: string[], pages: AsyncIterable<unknown[][]>): AsyncIterable<Buffer> {
  const out = new PassThrough();
  (async () => {
    // exceljs is loaded on first use: it is ~27 MB of memory a server without xlsx work never needs.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
    const ws = wb.addWorksheet('export');
    ws.addRow(header).commit();
    for await (const rows of pages) for (const r of rows) ws.addRow(r).commit();
    ws.commit();
    await wb.commit();
  })().catch((e) => out.destroy(e));
  return out;
}
