// How an import batch reaches PostgreSQL: as a staging relation `s` with one row per record —
// its batch index (i), new id, changes for the history row (ch) and one typed column per staged
// field column (c0, c1…) — that bulk-insert.ts and bulk-upsert.ts check and merge set-based.
//
// The batch is ONE bound JSON parameter read by json_to_recordset, inside the statement that
// merges it. COPY into a temporary table parses faster in PostgreSQL (~2 µs a row against
// ~10), but it costs each batch three more round trips, each waiting for a turn of Node's
// event loop while it converts the next batch: measured end to end on PostgreSQL it was 15–25%
// slower (bench/RESULTS.md, issue 8, session 4). PGlite could not take COPY data inside a
// drizzle transaction anyway (it reads a blob passed to its own query()).
import { sql, type SQL } from 'drizzle-orm';
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
      out.push({
        field: f,
        column: cols[0].name,
        alias: a,
        stagedType: 'numeric',
        value: sql`s.${id(a)}`,
        text: (v) => (v === null ? null : String((v as { amount: unknown }).amount)),
      });
      const b = alias();
      out.push({
        field: f,
        column: cols[1].name,
        alias: b,
        stagedType: 'text',
        value: sql`s.${id(b)}`,
        text: (v) => (v === null ? null : ((v as { currency?: string }).currency ?? f.spec.currency ?? null)),
      });
    } else if (f.type.list) {
      // A text[] value (multi_select, tags) stages as its JSON array: json_to_recordset has no array type.
      const a = alias();
      out.push({
        field: f,
        column: cols[0].name,
        alias: a,
        stagedType: 'jsonb',
        value: sql`case when s.${id(a)} is null then null else array(select jsonb_array_elements_text(s.${id(a)})) end`,
        text: (v) => v,
      });
    } else {
      const a = alias();
      // json columns stage as jsonb: the value is staged as itself.
      out.push({
        field: f,
        column: cols[0].name,
        alias: a,
        stagedType: cols[0].type,
        value: sql`s.${id(a)}`,
        text: (v) => (v === null || typeof v === 'object' ? v : f.spec.type === 'json' ? v : String(v)),
      });
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

/** The rows of a batch as the staging relation. */
export function stageRows(model: ObjectModel, rows: BulkRow[]): Stage {
  const present = new Set(rows.flatMap((r) => Object.keys(r.values)));
  const fields = model.fieldList.filter((f) => present.has(f.name));
  const staged = stagedColumns(fields);
  const records = rows.map((r) => {
    const rec: Record<string, unknown> = { i: r.index, id: r.id, ch: r.values };
    for (const c of staged) {
      const v = r.values[c.field.name];
      if (v !== undefined) rec[c.alias] = c.text(v);
    }
    return rec;
  });
  const defs = [sql`i int`, sql`id uuid`, sql`ch jsonb`, ...staged.map((c) => sql`${id(c.alias)} ${sql.raw(c.stagedType)}`)];
  return { fields, staged, relation: sql`json_to_recordset(${JSON.stringify(records)}::json) as s(${sql.join(defs, sql`, `)})` };
}
