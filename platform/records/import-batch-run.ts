// One import batch as its steps pass it along (import-batch.ts): what the caller gave, the
// rows sorted into the set-based and the single-record path, the outcomes so far, and the
// steps that both the check (import-batch-check.ts) and the write (import-batch-write.ts) take.
import type { Transaction } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { conflict, validation, ProblemError } from '../problems/index.ts';
import { checkInput } from './validate.ts';
import { runBatchHooks, type BeforeHook } from './hooks.ts';
import type { WriteContext } from './write-sql.ts';
import { reasonParts } from './bulk-insert.ts';
import { matchKey, matchSql } from './bulk-upsert.ts';

export interface ImportRow {
  /** The caller's row number, echoed back in outcomes. */
  index: number;
  input: Record<string, unknown>;
}

export type RowAction = 'created' | 'updated' | 'unchanged';

export interface ImportBatchResult {
  written: { index: number; id: string; action: RowAction }[];
  failed: { index: number; problem: ProblemError }[];
}

export interface ImportBatchOptions {
  upsertOn?: string[];
  /** Validate and check permissions only; write nothing. */
  dryRun?: boolean;
  /**
   * Concurrent batches (batchesIndependent with concurrent hooks): the rows the previous batch,
   * still in flight, is writing — awaited before this batch's hooks run, and handed to them.
   */
  earlier?: Promise<EarlierRow[]>;
  /** Called once, when this batch's hooks have run, with the rows it is about to create (the next batch's `earlier`). */
  onHooked?: (rows: EarlierRow[]) => void;
}

/** A row an earlier, uncommitted batch is writing: the id it gets and its values after hooks. */
export type EarlierRow = { index: number; id: string; values: Record<string, unknown> };

/** What the batch path borrows from the records service (its closures hold the permissions). */
export interface ImportBatchTools {
  assertWritable(model: ObjectModel, actor: WriteContext, provided: Set<string>): void;
  /** True when the caller's rows need the single-record path: a create scope each new record must satisfy, or a before-hook without a batch form. */
  scopedCreate(model: ObjectModel, actor: WriteContext): boolean;
  /** The same for upserts: a read, update or create scope, or a create or update hook without a batch form. */
  scopedUpsert(model: ObjectModel, actor: WriteContext): boolean;
  /** The object's before-hooks (all with a batch form when the set-based path is taken). */
  beforeHooks(model: ObjectModel, event: 'create' | 'update'): BeforeHook[];
  writeOne(
    tx: Transaction,
    model: ObjectModel,
    input: Record<string, unknown>,
    upsertOn: string[] | undefined,
    actor: WriteContext,
  ): Promise<{ id: string; action: RowAction }>;
}

/**
 * A row of the set-based path with its checked values. An upsert row is an update when its key
 * matches a record (only the fields it provides are checked, as a bulk upsert does) and a
 * create otherwise (every required field): which one is known only once the batch is matched,
 * so the create check's problem waits in `createValues` until then.
 */
export type FastRow = { row: ImportRow; values: Record<string, unknown>; createValues: Record<string, unknown> | ProblemError };
/** A row that would create a record, with its create check's values or problem. */
export type WouldCreate = { row: ImportRow; values: Record<string, unknown> | ProblemError };
/** A row with its normalized upsert key (`text` compares keys). */
export type Keyed = { p: FastRow; key: unknown[]; text: string };
/** A row a statement is about to write, with its values (and its id when it updates). */
export type HookedRow = { row: ImportRow; values: Record<string, unknown>; id?: string };

export interface BatchRun {
  tools: ImportBatchTools;
  tx: Transaction;
  model: ObjectModel;
  actor: WriteContext;
  opts: ImportBatchOptions;
  result: ImportBatchResult;
  fast: FastRow[];
  /** Rows for the single-record path, written one by one after the set-based statements. */
  slow: ImportRow[];
  /** Tells opts.onHooked, once, the rows this batch is about to create. */
  hooksDone(rows: EarlierRow[]): void;
}

/** Rows per set-based statement (one JSON parameter of a few MB at most). */
export const BULK_ROWS = 5000;

/** Thrown to roll back a dry run's savepoint. */
export const DRY_RUN = Symbol('dry run');

export function newBatchRun(
  tools: ImportBatchTools,
  tx: Transaction,
  model: ObjectModel,
  actor: WriteContext,
  opts: ImportBatchOptions,
): BatchRun {
  let told = false;
  const hooksDone = (rows: EarlierRow[]) => {
    if (!told) opts.onHooked?.(rows);
    told = true;
  };
  return { tools, tx, model, actor, opts, result: { written: [], failed: [] }, fast: [], slow: [], hooksDone };
}

/** Records a row's problem; anything that is not a client's problem stops the batch. */
export function fail(run: BatchRun, index: number, e: unknown): void {
  if (!(e instanceof ProblemError) || e.status >= 500) throw e;
  run.result.failed.push({ index, problem: e });
}

/** The create check of an upsert row: its values, or the problem a create would fail with. */
export function createCheck(model: ObjectModel, input: Record<string, unknown>): Record<string, unknown> | ProblemError {
  try {
    return checkInput(model, input, 'create');
  } catch (e) {
    if (e instanceof ProblemError && e.status < 500) return e;
    throw e;
  }
}

/** The rows with their normalized upsert key; a row without one fails (it cannot match). */
export function keyedRows(run: BatchRun, upsertOn: string[]): Keyed[] {
  const keyed: Keyed[] = [];
  for (const p of run.fast) {
    const k = matchKey(run.model, upsertOn, p.row.input);
    if ('key' in k) keyed.push({ p, key: k.key, text: JSON.stringify(k.key) });
    else run.result.failed.push({ index: p.row.index, problem: validation([{ field: k.field, message: k.message }]) });
  }
  return keyed;
}

/** Row index → the ids of the live records its key matches (rows matching none are absent). */
export async function matchesOf(run: BatchRun, upsertOn: string[], keyed: Keyed[]): Promise<Map<number, string[]>> {
  const matches = new Map<number, string[]>();
  for (let i = 0; i < keyed.length; i += BULK_ROWS) {
    const part = keyed.slice(i, i + BULK_ROWS).map((x) => ({ index: x.p.row.index, key: x.key }));
    for (const m of await run.tx.query<{ index: number; ids: string[] | string }>(matchSql(run.model, upsertOn, part))) {
      matches.set(m.index, typeof m.ids === 'string' ? m.ids.replace(/^\{|\}$/g, '').split(',') : m.ids);
    }
  }
  return matches;
}

export function severalMatch(model: ObjectModel, upsertOn: string[]): ProblemError {
  return conflict(
    `More than one ${model.name} record matches ${upsertOn.join(', ')}; cannot choose which to update`,
    upsertOn.map((f) => ({ field: f, message: 'matches several records' })),
  );
}

/**
 * The batch before-hooks over rows a statement is about to write, in its savepoint t: the
 * rows they let through, with their values (re-checked when a hook changed them, as a single
 * write's are), and apart the rows they refused, counted once the statement stands.
 */
export async function hooked<R extends HookedRow>(run: BatchRun, t: Transaction, event: 'create' | 'update', part: R[]) {
  const { model, actor, opts } = run;
  const hooks = run.tools.beforeHooks(model, event);
  if (!hooks.length || !part.length) return { kept: part, refused: [] as ImportBatchResult['failed'] };
  const rows = part.map((r) => ({ index: r.row.index, id: r.id, values: r.values }));
  const earlier = opts.earlier && (await opts.earlier);
  // The fields a hook set are checked as an update's are: alone, without the create's required list.
  const outcomes = await runBatchHooks(hooks, { object: model.name, event, rows, actor, tx: t, ...(earlier && { earlier }) }, (v, scope) =>
    checkInput(model, v, scope === 'fields' ? 'update' : event),
  );
  const kept: R[] = [];
  const refused: ImportBatchResult['failed'] = [];
  part.forEach((r, n) => {
    const o = outcomes[n];
    if (o instanceof ProblemError) refused.push({ index: r.row.index, problem: o });
    else kept.push({ ...r, values: o });
  });
  return { kept, refused };
}

/** A would-be create whose create check failed fails with that problem; the others go on. */
export function createsOnly(run: BatchRun, all: WouldCreate[]): { row: ImportRow; values: Record<string, unknown> }[] {
  const out: { row: ImportRow; values: Record<string, unknown> }[] = [];
  for (const { row, values } of all) {
    if (values instanceof ProblemError) run.result.failed.push({ index: row.index, problem: values });
    else out.push({ row, values });
  }
  return out;
}

/** The problem of a row bulk-insert.ts refused: 409 for a taken unique value, else 422. */
export function problemOf(model: ObjectModel, reason: string): ProblemError {
  const { field, message } = reasonParts(reason);
  return /already used/.test(message)
    ? conflict(`Another ${model.name} record already has this ${field}`, [{ field, message }])
    : validation([{ field, message, keyword: 'reference' }]);
}
