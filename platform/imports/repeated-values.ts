// all_or_nothing's first pass sees one batch at a time, and the set-based check of a batch
// finds a unique value repeated inside it; a value repeated in a LATER batch would only surface
// in pass 2, after earlier batches were committed (and then erased again). So pass 1 remembers
// each unique value it accepted, per import, in kizuna_import_keys — in the batch's transaction,
// so a batch redone after a restart meets only the values of batches before it.
import { sql, type Executor, type Transaction } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';

/** The rows of this batch whose unique value an earlier batch of the import already holds, with the field. */
export async function repeatedUniqueValues(
  tx: Transaction,
  importId: string,
  model: ObjectModel,
  rows: { index: number; input: Record<string, unknown> }[],
): Promise<Map<number, string>> {
  const keys: { row: number; field: string; value: string }[] = [];
  for (const f of model.fieldList.filter((x) => x.spec.unique)) {
    for (const r of rows) {
      const raw = r.input[f.name];
      const v = f.type.normalize ? f.type.normalize(raw, f.spec) : raw;
      if (v !== undefined && v !== null) keys.push({ row: r.index, field: f.name, value: typeof v === 'string' ? v : JSON.stringify(v) });
    }
  }
  if (!keys.length) return new Map();
  // The select reads the table as it was before this statement's insert: earlier batches only
  // (a repeat inside the batch is the batch check's to report).
  const found = await tx.query<{ row: number; field: string }>(sql`with k as (
      select * from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(row int, field text, value text)
    ), kept as (
      insert into kizuna_import_keys (import_id, field, value, row_no) select ${importId}::uuid, k.field, k.value, k.row from k
      on conflict do nothing
    )
    select k.row, min(k.field) as field from k join kizuna_import_keys x on x.import_id = ${importId}::uuid and x.field = k.field and x.value = k.value and x.row_no < k.row
    group by k.row`);
  return new Map(found.map((f) => [f.row, f.field]));
}

/** Forgets the values pass 1 remembered (when it ends, either way). */
export async function forgetRepeatedValues(exec: Executor, importId: string): Promise<void> {
  await exec.query(sql`delete from kizuna_import_keys where import_id = ${importId}::uuid`);
}
