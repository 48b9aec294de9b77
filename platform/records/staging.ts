// How an import batch reaches PostgreSQL: as a staging relation `s` with one row per record —
// its batch index (i), new id, changes for the history row (ch) and one typed column per staged
// field column (c0, c1…) — that bulk-insert.ts and bulk-upsert.ts check and merge set-based.
//
// On PostgreSQL the rows are COPYed into a temporary table (COPY's text format parses in ~2 µs
// a row where json_to_recordset takes ~10: measured in bench/RESULTS.md, issue 8, session 4).
// PGlite cannot take COPY data inside a drizzle transaction (it reads a blob passed to its own
// query()), so there the batch is one bound JSON parameter read by json_to_recordset.
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Transaction } from '../db/index.ts';
import type { FieldModel, ObjectModel } from '../model/index.ts';

const id = sql.identifier;

/** One staged column: its name in the staging record, its SQL type there, and how it becomes the table's value. */
export interface StagedColumn {
  field: FieldModel;
  column: string;
  /** Name in the staging record (c0, c1…: column names are metadata, but short aliases keep the rows small). */
  alias: string;
  stagedType: string;
  /** SQL for the table column's value from the staged alias on s. */
  value: SQL;
  /** The staged value: text, or a JSON value for a jsonb column. */
  text(v: unknown): unknown;
}

/**
 * How each field's value is staged. Every field type but three writes one value cast to its
 * column type (field-types.ts: `cast(v, type)`), so it is staged as that type directly.
 */
export function stagedColumns(fields: FieldModel[]): StagedColumn[] {
  const out: StagedColumn[] = [];
  for (const f of fields) {
    const cols = f.type.columns(f.spec);
    const alias = () => `c${out.length}`;
    if (f.spec.type === 'currency') {
      const a = alias();
      out.push({ field: f, column: cols[0].name, alias: a, stagedType: 'numeric', value: sql`s.${id(a)}`, text: (v) => (v === null ? null : String((v as { amount: unknown }).amount)) });
      const b = alias();
      out.push({ field: f, column: cols[1].name, alias: b, stagedType: 'text', value: sql`s.${id(b)}`, text: (v) => (v === null ? null : ((v as { currency?: string }).currency ?? f.spec.currency ?? null)) });
    } else if (f.spec.type === 'multi_select') {
      const a = alias();
      out.push({ field: f, column: cols[0].name, alias: a, stagedType: 'jsonb', value: sql`case when s.${id(a)} is null then null else array(select jsonb_array_elements_text(s.${id(a)})) end`, text: (v) => v });
    } else {
      const a = alias();
      // json columns stage as jsonb: the value is staged as itself.
      out.push({ field: f, column: cols[0].name, alias: a, stagedType: cols[0].type, value: sql`s.${id(a)}`, text: (v) => (v === null || typeof v === 'object' ? v : f.spec.type === 'json' ? v : String(v)) });
    }
  }
  return out;
}

export interface BulkRow {
  index: number;
  id: string;
  values: Record<string, unknown>;
}

/** A staged batch: the fields any row provides, their staged columns, and the relation (aliased s). */
export interface Stage {
  fields: FieldModel[];
  staged: StagedColumn[];
  relation: SQL;
}

/** Stages the rows of a batch inside `tx` (see the top of this file for the two ways). */
export async function stageBatch(tx: Transaction, model: ObjectModel, rows: BulkRow[]): Promise<Stage> {
  const present = new Set(rows.flatMap((r) => Object.keys(r.values)));
  const fields = model.fieldList.filter((f) => present.has(f.name));
  const staged = stagedColumns(fields);
  const types = ['int', 'uuid', 'jsonb', ...staged.map((c) => c.stagedType)];
  const names = ['i', 'id', 'ch', ...staged.map((c) => c.alias)];
  if (!tx.copyIn) {
    const records = rows.map((r) => {
      const rec: Record<string, unknown> = { i: r.index, id: r.id, ch: r.values };
      for (const c of staged) {
        const v = r.values[c.field.name];
        if (v !== undefined) rec[c.alias] = c.text(v);
      }
      return rec;
    });
    const defs = names.map((n, k) => sql`${id(n)} ${sql.raw(types[k])}`);
    return { fields, staged, relation: sql`json_to_recordset(${JSON.stringify(records)}::json) as s(${sql.join(defs, sql`, `)})` };
  }
  // One temporary table per column layout and connection, emptied at every commit; the name
  // says the layout, so a batch never meets a table of another shape. The types come from
  // the field-type table, never from input.
  const layout = names.map((n, k) => `"${n}" ${types[k]}`).join(', ');
  const table = `kizuna_stage_${createHash('sha1').update(layout).digest('hex').slice(0, 16)}`;
  await tx.query(sql.raw(`create temp table if not exists ${table} (${layout}) on commit delete rows`));
  // An earlier batch of the same transaction (an upsert round, a dry run) may have left rows.
  await tx.query(sql.raw(`truncate pg_temp.${table}`));
  await tx.copyIn(`pg_temp.${table}`, copyText(rows, staged));
  return { fields, staged, relation: sql`${sql.raw(`pg_temp.${table}`)} as s` };
}

/** The rows in COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyText(rows: BulkRow[], staged: StagedColumn[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    let line = `${r.index}\t${r.id}\t${copyValue(JSON.stringify(r.values))}`;
    for (const c of staged) {
      const v = r.values[c.field.name];
      const t = v === undefined ? null : c.text(v);
      line += `\t${t === null || t === undefined ? '\\N' : copyValue(c.stagedType === 'jsonb' ? JSON.stringify(t) : String(t))}`;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const copyValue = (s: string) => (/[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : s);
