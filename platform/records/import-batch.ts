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
import type { Transaction } from '../db/index.ts';
import { dbErrorOf } from '../db/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { assertObject } from '../query/index.ts';
import { conflict, validation, ProblemError } from '../problems/index.ts';
import { uuidv7 } from '../db/index.ts';
import { checkInput } from './validate.ts';
import { runBatchHooks, type BeforeHook } from './hooks.ts';
import type { WriteContext } from './write-sql.ts';
import { bulkInsertSql, reasonParts } from './bulk-insert.ts';
import { bulkUpdateSql, matchKey, matchSql } from './bulk-upsert.ts';
import { stageRows } from './staging.ts';

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

/** Thrown to roll back a dry run's savepoint. */
const DRY_RUN = Symbol('dry run');

/** Rows per set-based statement (one JSON parameter of a few MB at most). */
const BULK_ROWS = 5000;

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
  const result: ImportBatchResult = { written: [], failed: [] };
  let told = false;
  const hooksDone = (rows: EarlierRow[]) => {
    if (!told) opts.onHooked?.(rows);
    told = true;
  };
  const fail = (index: number, e: unknown) => {
    if (!(e instanceof ProblemError) || e.status >= 500) throw e;
    result.failed.push({ index, problem: e });
  };
  // An upsert row is an update when its key matches a record (only the fields it provides are
  // checked, as a bulk upsert does) and a create otherwise (every required field): which one is
  // known only once the batch is matched, so the create check's problem waits until then.
  const fast: { row: ImportRow; values: Record<string, unknown>; createValues: Record<string, unknown> | ProblemError }[] = [];
  const slow: ImportRow[] = [];
  const singlePath = opts.upsertOn ? tools.scopedUpsert(model, actor) : tools.scopedCreate(model, actor);
  for (const row of rows) {
    try {
      const values = checkInput(model, row.input, opts.upsertOn ? 'update' : 'create');
      tools.assertWritable(model, actor, new Set(Object.keys(row.input)));
      if (singlePath) slow.push(row);
      else fast.push({ row, values, createValues: opts.upsertOn ? createCheck(model, row.input) : values });
    } catch (e) {
      fail(row.index, e);
    }
  }
  type Fast = (typeof fast)[number];
  /** A row that would create a record, with its create check's values or problem. */
  type WouldCreate = { row: ImportRow; values: Record<string, unknown> | ProblemError };
  type Keyed = { p: Fast; key: unknown[]; text: string };

  /** The rows with their normalized upsert key; a row without one fails (it cannot match). */
  const keyedRows = (upsertOn: string[]): Keyed[] => {
    const keyed: Keyed[] = [];
    for (const p of fast) {
      const k = matchKey(model, upsertOn, p.row.input);
      if ('key' in k) keyed.push({ p, key: k.key, text: JSON.stringify(k.key) });
      else result.failed.push({ index: p.row.index, problem: validation([{ field: k.field, message: k.message }]) });
    }
    return keyed;
  };

  /** Row index → the ids of the live records its key matches (rows matching none are absent). */
  const matchesOf = async (upsertOn: string[], keyed: Keyed[]): Promise<Map<number, string[]>> => {
    const matches = new Map<number, string[]>();
    for (let i = 0; i < keyed.length; i += BULK_ROWS) {
      const part = keyed.slice(i, i + BULK_ROWS).map((x) => ({ index: x.p.row.index, key: x.key }));
      for (const m of await tx.query<{ index: number; ids: string[] | string }>(matchSql(model, upsertOn, part))) {
        matches.set(m.index, typeof m.ids === 'string' ? m.ids.replace(/^\{|\}$/g, '').split(',') : m.ids);
      }
    }
    return matches;
  };

  const severalMatch = (upsertOn: string[]) =>
    conflict(
      `More than one ${model.name} record matches ${upsertOn.join(', ')}; cannot choose which to update`,
      upsertOn.map((f) => ({ field: f, message: 'matches several records' })),
    );

  /**
   * The batch before-hooks over rows a statement is about to write, in its savepoint t: the
   * rows they let through, with their values (re-checked when a hook changed them, as a single
   * write's are), and apart the rows they refused, counted once the statement stands.
   */
  async function hooked<R extends { row: ImportRow; values: Record<string, unknown>; id?: string }>(
    t: Transaction,
    event: 'create' | 'update',
    part: R[],
  ) {
    const hooks = tools.beforeHooks(model, event);
    if (!hooks.length || !part.length) return { kept: part, refused: [] as ImportBatchResult['failed'] };
    const rows = part.map((r) => ({ index: r.row.index, id: r.id, values: r.values }));
    const earlier = opts.earlier && (await opts.earlier);
    const outcomes = await runBatchHooks(hooks, { object: model.name, event, rows, actor, tx: t, ...(earlier && { earlier }) }, (v) =>
      checkInput(model, v, event),
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

  /** A dry run's batch before-hooks, in savepoints rolled back: their refusals count, their writes are undone. */
  async function dryHooked<R extends { row: ImportRow; values: Record<string, unknown>; id?: string }>(
    event: 'create' | 'update',
    all: R[],
  ): Promise<R[]> {
    if (!tools.beforeHooks(model, event).length) return all;
    const kept: R[] = [];
    for (let i = 0; i < all.length; i += BULK_ROWS) {
      try {
        await tx.savepoint(async (t) => {
          const h = await hooked(t, event, all.slice(i, i + BULK_ROWS));
          kept.push(...h.kept);
          result.failed.push(...h.refused);
          throw DRY_RUN;
        });
      } catch (e) {
        if (e !== DRY_RUN) throw e;
      }
    }
    return kept;
  }

  /** Unique values and relation targets of would-be creates (after their hooks), checked set-based; nothing written. */
  const checkCreates = async (all: WouldCreate[]) => {
    const creates = await dryHooked('create', createsOnly(all));
    for (let i = 0; i < creates.length; i += BULK_ROWS) {
      const part = creates.slice(i, i + BULK_ROWS).map((c) => ({ index: c.row.index, values: c.values, id: uuidv7() }));
      const outcome = await tx.query<{ index: number; reason: string | null }>(
        bulkInsertSql(model, stageRows(model, part), actor, { checkOnly: true }),
      );
      for (const o of outcome) if (o.reason !== null) result.failed.push({ index: o.index, problem: problemOf(model, o.reason) });
    }
  };

  if (opts.dryRun) {
    // What the writes would refuse is found here too, set-based, so all_or_nothing reports it
    // in its first pass: unique values and relation targets of creates; for upserts also a
    // missing key and a key matching several records (every row of that key would fail). A
    // value taken by a row of an EARLIER batch is the import's to find (imports/repeated-values.ts).
    if (!opts.upsertOn) await checkCreates(fast.map((p) => ({ row: p.row, values: p.values })));
    else {
      const keyed = keyedRows(opts.upsertOn);
      const firsts = new Map<string, Keyed>();
      for (const x of keyed) if (!firsts.has(x.text)) firsts.set(x.text, x);
      const matches = await matchesOf(opts.upsertOn, [...firsts.values()]);
      const several = new Set([...firsts.values()].filter((x) => (matches.get(x.p.row.index)?.length ?? 0) > 1).map((x) => x.text));
      for (const x of keyed) if (several.has(x.text)) result.failed.push({ index: x.p.row.index, problem: severalMatch(opts.upsertOn) });
      // Rows whose key matches one record would update it: their update hooks run too.
      const updateOf = (x: Keyed) => matches.get(firsts.get(x.text)!.p.row.index);
      await dryHooked(
        'update',
        keyed.filter((x) => updateOf(x)?.length === 1).map((x) => ({ row: x.p.row, values: x.p.values, id: updateOf(x)![0] })),
      );
      // The first row of a key nothing matches creates the record; its later rows update it.
      await checkCreates(
        [...firsts.values()].filter((x) => !matches.has(x.p.row.index)).map((x) => ({ row: x.p.row, values: x.p.createValues })),
      );
    }
    // Rows of the single-record path (a scoped permission, per-record hooks) are written for real
    // in a savepoint that is always rolled back: only the write itself knows its scope check.
    for (const row of slow) {
      try {
        await tx.savepoint(async (t) => {
          await tools.writeOne(t, model, row.input, opts.upsertOn, actor);
          throw DRY_RUN;
        });
      } catch (e) {
        if (e !== DRY_RUN) fail(row.index, e);
      }
    }
    return result;
  }

  /** A would-be create whose create check failed fails with that problem; the others go on. */
  function createsOnly(all: WouldCreate[]): { row: ImportRow; values: Record<string, unknown> }[] {
    const out: { row: ImportRow; values: Record<string, unknown> }[] = [];
    for (const { row, values } of all) {
      if (values instanceof ProblemError) result.failed.push({ index: row.index, problem: values });
      else out.push({ row, values });
    }
    return out;
  }

  /** Creates set-based; rows the statement cannot take go to the single-record path. */
  async function createAll(all: WouldCreate[]): Promise<void> {
    const creates = createsOnly(all);
    const hookedRows: EarlierRow[] = [];
    for (let i = 0; i < creates.length; i += BULK_ROWS) {
      const part = creates.slice(i, i + BULK_ROWS);
      let written: { outcome: { index: number; reason: string | null }[]; rowsIn: EarlierRow[]; refused: ImportBatchResult['failed'] };
      try {
        written = await tx.savepoint(async (t) => {
          const h = await hooked(t, 'create', part);
          const rowsIn = h.kept.map((p) => ({ index: p.row.index, id: uuidv7(), values: p.values }));
          // The next batch's hooks may go on now (concurrent batches): this one's rows are known.
          hookedRows.push(...rowsIn);
          if (i + BULK_ROWS >= creates.length) hooksDone(hookedRows);
          const outcome = rowsIn.length
            ? await t.query<{ index: number; reason: string | null }>(bulkInsertSql(model, stageRows(model, rowsIn), actor))
            : [];
          return { outcome, rowsIn, refused: h.refused };
        });
      } catch (e) {
        // Something the set-based checks do not foresee (a target deleted meanwhile…): the
        // single-record path finds the row(s) and names their problem.
        if (!dbErrorOf(e)) throw e;
        slow.push(...part.map((p) => p.row));
        continue;
      }
      const { outcome, rowsIn } = written;
      result.failed.push(...written.refused);
      // The statement answers only the rows it did not write.
      const refused = new Map(outcome.map((o) => [o.index, o.reason!]));
      for (const r of rowsIn) {
        const reason = refused.get(r.index);
        if (reason === undefined) result.written.push({ index: r.index, id: r.id, action: 'created' });
        else result.failed.push({ index: r.index, problem: problemOf(model, reason) });
      }
    }
  }

  /** Upserts rows whose keys are all different: match, update the matched, create the rest. */
  async function upsertAll(upsertOn: string[], keyed: Keyed[]): Promise<void> {
    const matches = await matchesOf(upsertOn, keyed);
    const updates: { p: Fast; id: string }[] = [];
    const creates: WouldCreate[] = [];
    for (const { p } of keyed) {
      const ids = matches.get(p.row.index);
      if (!ids) creates.push({ row: p.row, values: p.createValues });
      else if (ids.length > 1) result.failed.push({ index: p.row.index, problem: severalMatch(upsertOn) });
      else updates.push({ p, id: ids[0] });
    }
    for (let i = 0; i < updates.length; i += BULK_ROWS) {
      const part = updates.slice(i, i + BULK_ROWS);
      let written: {
        outcome: { index: number; changed: boolean }[];
        kept: { row: ImportRow; id: string }[];
        refused: ImportBatchResult['failed'];
      };
      try {
        written = await tx.savepoint(async (t) => {
          const h = await hooked(
            t,
            'update',
            part.map((u) => ({ row: u.p.row, values: u.p.values, id: u.id })),
          );
          const staged = h.kept.length
            ? stageRows(
                model,
                h.kept.map((u) => ({ index: u.row.index, id: u.id, values: u.values })),
              )
            : undefined;
          const outcome = staged ? await t.query<{ index: number; changed: boolean }>(bulkUpdateSql(model, staged, actor)) : [];
          return { outcome, kept: h.kept, refused: h.refused };
        });
      } catch (e) {
        // A unique value or a relation target the update breaks: the single-record path names it.
        if (!dbErrorOf(e)) throw e;
        slow.push(...part.map((u) => u.p.row));
        continue;
      }
      const { outcome, kept } = written;
      result.failed.push(...written.refused);
      const byIndex = new Map(kept.map((u) => [u.row.index, u.id]));
      for (const o of outcome)
        result.written.push({ index: o.index, id: byIndex.get(o.index)!, action: o.changed ? 'updated' : 'unchanged' });
    }
    await createAll(creates);
  }

  if (!opts.upsertOn) await createAll(fast.map((p) => ({ row: p.row, values: p.createValues })));
  else {
    let pending = keyedRows(opts.upsertOn);
    // A key that repeats inside the batch (the same email twice in a file) is written in
    // rounds: each round takes the first remaining row of every key, set-based, so a later row
    // of a key finds the record its earlier row created or updated — the file's order, per key.
    while (pending.length) {
      const seen = new Set<string>();
      const round: typeof pending = [];
      const later: typeof pending = [];
      for (const x of pending) {
        if (seen.has(x.text)) later.push(x);
        else {
          seen.add(x.text);
          round.push(x);
        }
      }
      const slowBefore = slow.length;
      await upsertAll(opts.upsertOn, round);
      pending = later;
      // Rows of this round sent to the single-record path run after the batch: the later rows
      // of their keys must then follow them there, in order.
      if (slow.length > slowBefore) {
        slow.push(...pending.map((x) => x.p.row));
        pending = [];
      }
    }
  }
  hooksDone([]); // when no row reached the create hooks
  for (const row of slow.sort((a, b) => a.index - b.index)) {
    try {
      const r = await tx.savepoint((t) => tools.writeOne(t, model, row.input, opts.upsertOn, actor));
      result.written.push({ index: row.index, ...r });
    } catch (e) {
      fail(row.index, e);
    }
  }
  return result;
}

/** The create check of an upsert row: its values, or the problem a create would fail with. */
function createCheck(model: ObjectModel, input: Record<string, unknown>): Record<string, unknown> | ProblemError {
  try {
    return checkInput(model, input, 'create');
  } catch (e) {
    if (e instanceof ProblemError && e.status < 500) return e;
    throw e;
  }
}

/** The problem of a row bulk-insert.ts refused: 409 for a taken unique value, else 422. */
function problemOf(model: ObjectModel, reason: string): ProblemError {
  const { field, message } = reasonParts(reason);
  return /already used/.test(message)
    ? conflict(`Another ${model.name} record already has this ${field}`, [{ field, message }])
    : validation([{ field, message, keyword: 'reference' }]);
}
