// An import batch's writes: creates by bulk-insert.ts, upserts matched and updated by
// bulk-upsert.ts, each statement in its savepoint with the batch hooks over its rows; rows a
// statement cannot take go to the single-record path, written one by one at the end.
import { dbErrorOf, uuidv7 } from '../db/index.ts';
import { bulkInsertSql } from './bulk-insert.ts';
import { bulkUpdateSql } from './bulk-upsert.ts';
import { stageRows } from './staging.ts';
import {
  BULK_ROWS,
  createsOnly,
  fail,
  hooked,
  keyedRows,
  matchesOf,
  problemOf,
  severalMatch,
  type BatchRun,
  type EarlierRow,
  type FastRow,
  type ImportBatchResult,
  type ImportRow,
  type Keyed,
  type WouldCreate,
} from './import-batch-run.ts';

/** Creates set-based; rows the statement cannot take go to the single-record path. */
export async function createAll(run: BatchRun, all: WouldCreate[]): Promise<void> {
  const creates = createsOnly(run, all);
  const hookedRows: EarlierRow[] = [];
  for (let i = 0; i < creates.length; i += BULK_ROWS) {
    const part = creates.slice(i, i + BULK_ROWS);
    let written: { outcome: { index: number; reason: string | null }[]; rowsIn: EarlierRow[]; refused: ImportBatchResult['failed'] };
    try {
      written = await run.tx.savepoint(async (t) => {
        const h = await hooked(run, t, 'create', part);
        const rowsIn = h.kept.map((p) => ({ index: p.row.index, id: uuidv7(), values: p.values }));
        // The next batch's hooks may go on now (concurrent batches): this one's rows are known.
        hookedRows.push(...rowsIn);
        if (i + BULK_ROWS >= creates.length) run.hooksDone(hookedRows);
        const outcome = rowsIn.length
          ? await t.query<{ index: number; reason: string | null }>(bulkInsertSql(run.model, stageRows(run.model, rowsIn), run.actor))
          : [];
        return { outcome, rowsIn, refused: h.refused };
      });
    } catch (e) {
      // Something the set-based checks do not foresee (a target deleted meanwhile…): the
      // single-record path finds the row(s) and names their problem.
      if (!dbErrorOf(e)) throw e;
      run.slow.push(...part.map((p) => p.row));
      continue;
    }
    const { outcome, rowsIn } = written;
    run.result.failed.push(...written.refused);
    // The statement answers only the rows it did not write.
    const refused = new Map(outcome.map((o) => [o.index, o.reason!]));
    for (const r of rowsIn) {
      const reason = refused.get(r.index);
      if (reason === undefined) run.result.written.push({ index: r.index, id: r.id, action: 'created' });
      else run.result.failed.push({ index: r.index, problem: problemOf(run.model, reason) });
    }
  }
}

/**
 * Upserts every row. A key that repeats inside the batch (the same email twice in a file) is
 * written in rounds: each round takes the first remaining row of every key, set-based, so a
 * later row of a key finds the record its earlier row created or updated — the file's order,
 * per key.
 */
export async function upsertInRounds(run: BatchRun, upsertOn: string[]): Promise<void> {
  let pending = keyedRows(run, upsertOn);
  while (pending.length) {
    const { round, later } = nextRound(pending);
    const slowBefore = run.slow.length;
    await upsertAll(run, upsertOn, round);
    pending = later;
    // Rows of this round sent to the single-record path run after the batch: the later rows
    // of their keys must then follow them there, in order.
    if (run.slow.length > slowBefore) {
      run.slow.push(...pending.map((x) => x.p.row));
      pending = [];
    }
  }
}

/** The first pending row of every key (this round), and the rest (later rounds). */
function nextRound(pending: Keyed[]): { round: Keyed[]; later: Keyed[] } {
  const seen = new Set<string>();
  const round: Keyed[] = [];
  const later: Keyed[] = [];
  for (const x of pending) {
    if (seen.has(x.text)) later.push(x);
    else {
      seen.add(x.text);
      round.push(x);
    }
  }
  return { round, later };
}

/** Upserts rows whose keys are all different: match, update the matched, create the rest. */
async function upsertAll(run: BatchRun, upsertOn: string[], keyed: Keyed[]): Promise<void> {
  const matches = await matchesOf(run, upsertOn, keyed);
  const updates: { p: FastRow; id: string }[] = [];
  const creates: WouldCreate[] = [];
  for (const { p } of keyed) {
    const ids = matches.get(p.row.index);
    if (!ids) creates.push({ row: p.row, values: p.createValues });
    else if (ids.length > 1) run.result.failed.push({ index: p.row.index, problem: severalMatch(run.model, upsertOn) });
    else updates.push({ p, id: ids[0] });
  }
  for (let i = 0; i < updates.length; i += BULK_ROWS) await updateMatched(run, updates.slice(i, i + BULK_ROWS));
  await createAll(run, creates);
}

/** Updates matched records in one statement; if the database refuses it, its rows go to the single-record path. */
async function updateMatched(run: BatchRun, part: { p: FastRow; id: string }[]): Promise<void> {
  let written: {
    outcome: { index: number; changed: boolean }[];
    kept: { row: ImportRow; id: string }[];
    refused: ImportBatchResult['failed'];
  };
  try {
    written = await run.tx.savepoint(async (t) => {
      const h = await hooked(
        run,
        t,
        'update',
        part.map((u) => ({ row: u.p.row, values: u.p.values, id: u.id })),
      );
      const staged = h.kept.length
        ? stageRows(
            run.model,
            h.kept.map((u) => ({ index: u.row.index, id: u.id, values: u.values })),
          )
        : undefined;
      const outcome = staged ? await t.query<{ index: number; changed: boolean }>(bulkUpdateSql(run.model, staged, run.actor)) : [];
      return { outcome, kept: h.kept, refused: h.refused };
    });
  } catch (e) {
    // A unique value or a relation target the update breaks: the single-record path names it.
    if (!dbErrorOf(e)) throw e;
    run.slow.push(...part.map((u) => u.p.row));
    return;
  }
  const { outcome, kept } = written;
  run.result.failed.push(...written.refused);
  const byIndex = new Map(kept.map((u) => [u.row.index, u.id]));
  for (const o of outcome)
    run.result.written.push({ index: o.index, id: byIndex.get(o.index)!, action: o.changed ? 'updated' : 'unchanged' });
}

/** The single-record path: each row in its own savepoint, in the caller's order, with its own problem. */
export async function writeSingly(run: BatchRun): Promise<void> {
  for (const row of run.slow.sort((a, b) => a.index - b.index)) {
    try {
      const r = await run.tx.savepoint((t) => run.tools.writeOne(t, run.model, row.input, run.opts.upsertOn, run.actor));
      run.result.written.push({ index: row.index, ...r });
    } catch (e) {
      fail(run, row.index, e);
    }
  }
}
