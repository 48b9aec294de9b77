// The bulk write path for imports: every row is checked by the same validators (checkInput)
// and field permissions as a single create, then written set-based: creates by bulk-insert.ts
// (unique values and relation targets checked in SQL), upserts matched and updated by
// bulk-upsert.ts — one history row and one outbox event per record, the single-record write
// shapes in bulk. A key repeated inside the batch is upserted in rounds (each round set-based,
// one row per key). Plugins' before-hooks that all have a batch form run once per statement,
// in its savepoint, over the rows it will write (creates, and apart the matched updates with
// their ids). Rows the set-based path cannot take (callers with a scoped permission, a
// before-hook without a batch form, a statement the database refuses) go through the
// single-record path one by one, each in a savepoint, with their own problem.
//
// The steps live apart: import-batch-run.ts (the batch's state and shared steps),
// import-batch-check.ts (the dry run), import-batch-write.ts (the writes).
import type { Transaction } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { assertObject } from '../query/index.ts';
import { checkInput } from './validate.ts';
import type { WriteContext } from './write-sql.ts';
import { matchKey } from './bulk-upsert.ts';
import {
  createCheck,
  fail,
  newBatchRun,
  type BatchRun,
  type ImportBatchOptions,
  type ImportBatchResult,
  type ImportBatchTools,
  type ImportRow,
} from './import-batch-run.ts';
import { checkBatch } from './import-batch-check.ts';
import { createAll, upsertInRounds, writeSingly } from './import-batch-write.ts';

/**
 * Whether import batches for this object and caller can be written by concurrent
 * transactions: set-based writes only — no unique field (one batch would wait on the other's
 * uncommitted value), and no before-hooks: they may lock anything, and a hook looking for
 * what an earlier batch wrote (a duplicate check) must find it committed — unless every hook
 * says it can run concurrently (BeforeHook.concurrent), reading the previous batch's rows from
 * `earlier`, on creates (an upsert's update hooks would need the rows it updates too). Upserts
 * qualify on non-relation keys: the importer then keeps two batches with a key in common from
 * being in flight together (importKeyOf).
 */
export function batchesIndependent(tools: ImportBatchTools, model: ObjectModel, actor: WriteContext, upsertOn?: string[]): boolean {
  if (model.fieldList.some((f) => f.spec.unique)) return false;
  const hooks = [...tools.beforeHooks(model, 'create'), ...(upsertOn?.length ? tools.beforeHooks(model, 'update') : [])];
  if (hooks.length && (upsertOn?.length || !hooks.every((h) => h.batch && h.concurrent))) return false;
  if (!upsertOn?.length) return !tools.scopedCreate(model, actor);
  return (
    !tools.scopedUpsert(model, actor) && !upsertOn.some((n) => ['relation', 'user'].includes(model.fields.get(n)?.spec.type ?? 'relation'))
  );
}

/** The normalized upsert key of an import row (as a batch matches it), or null without one. */
export function importKeyOf(model: ObjectModel, upsertOn: string[], input: Record<string, unknown>): string | null {
  const k = matchKey(model, upsertOn, input);
  return 'key' in k ? JSON.stringify(k.key) : null;
}

export async function importBatch(
  tools: ImportBatchTools,
  tx: Transaction,
  model: ObjectModel,
  rows: ImportRow[],
  actor: WriteContext,
  opts: ImportBatchOptions = {},
): Promise<ImportBatchResult> {
  assertObject(model, 'create', actor.access);
  if (opts.upsertOn) assertObject(model, 'read', actor.access);
  const run = newBatchRun(tools, tx, model, actor, opts);
  sortRows(run, rows);
  if (opts.dryRun) {
    await checkBatch(run);
    return run.result;
  }
  if (!opts.upsertOn)
    await createAll(
      run,
      run.fast.map((p) => ({ row: p.row, values: p.createValues })),
    );
  else await upsertInRounds(run, opts.upsertOn);
  run.hooksDone([]); // when no row reached the create hooks
  await writeSingly(run);
  return run.result;
}

/** Checks each row's values and field permissions, and sorts it into the set-based or the single-record path. */
function sortRows(run: BatchRun, rows: ImportRow[]): void {
  const { tools, model, actor, opts } = run;
  const singlePath = opts.upsertOn ? tools.scopedUpsert(model, actor) : tools.scopedCreate(model, actor);
  for (const row of rows) {
    try {
      const values = checkInput(model, row.input, opts.upsertOn ? 'update' : 'create');
      tools.assertWritable(model, actor, new Set(Object.keys(row.input)));
      if (singlePath) run.slow.push(row);
      else run.fast.push({ row, values, createValues: opts.upsertOn ? createCheck(model, row.input) : values });
    } catch (e) {
      fail(run, row.index, e);
    }
  }
}
