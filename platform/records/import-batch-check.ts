// An import batch's dry run: what the writes would refuse is found here too, set-based, so
// all_or_nothing reports it in its first pass — unique values and relation targets of creates;
// for upserts also a missing key and a key matching several records (every row of that key
// would fail). A value taken by a row of an EARLIER batch is the import's to find
// (imports/repeated-values.ts).
import { uuidv7 } from '../db/index.ts';
import { bulkInsertSql } from './bulk-insert.ts';
import { stageRows } from './staging.ts';
import {
  BULK_ROWS,
  DRY_RUN,
  createsOnly,
  fail,
  hooked,
  keyedRows,
  matchesOf,
  problemOf,
  severalMatch,
  type BatchRun,
  type HookedRow,
  type Keyed,
  type WouldCreate,
} from './import-batch-run.ts';

/** Checks every row of the batch as its write would, writing nothing; the outcomes land in run.result. */
export async function checkBatch(run: BatchRun): Promise<void> {
  const { upsertOn } = run.opts;
  if (!upsertOn)
    await checkCreates(
      run,
      run.fast.map((p) => ({ row: p.row, values: p.values })),
    );
  else await checkUpserts(run, upsertOn);
  await checkSingly(run);
}

/** A dry run's batch before-hooks, in savepoints rolled back: their refusals count, their writes are undone. */
async function dryHooked<R extends HookedRow>(run: BatchRun, event: 'create' | 'update', all: R[]): Promise<R[]> {
  if (!run.tools.beforeHooks(run.model, event).length) return all;
  const kept: R[] = [];
  for (let i = 0; i < all.length; i += BULK_ROWS) {
    try {
      await run.tx.savepoint(async (t) => {
        const h = await hooked(run, t, event, all.slice(i, i + BULK_ROWS));
        kept.push(...h.kept);
        run.result.failed.push(...h.refused);
        throw DRY_RUN;
      });
    } catch (e) {
      if (e !== DRY_RUN) throw e;
    }
  }
  return kept;
}

/** Unique values and relation targets of would-be creates (after their hooks), checked set-based; nothing written. */
async function checkCreates(run: BatchRun, all: WouldCreate[]): Promise<void> {
  const creates = await dryHooked(run, 'create', createsOnly(run, all));
  for (let i = 0; i < creates.length; i += BULK_ROWS) {
    const part = creates.slice(i, i + BULK_ROWS).map((c) => ({ index: c.row.index, values: c.values, id: uuidv7() }));
    const outcome = await run.tx.query<{ index: number; reason: string | null }>(
      bulkInsertSql(run.model, stageRows(run.model, part), run.actor, { checkOnly: true }),
    );
    for (const o of outcome) if (o.reason !== null) run.result.failed.push({ index: o.index, problem: problemOf(run.model, o.reason) });
  }
}

/** Upsert rows: missing keys, keys matching several records, then the hooks and checks of what each key would do. */
async function checkUpserts(run: BatchRun, upsertOn: string[]): Promise<void> {
  const keyed = keyedRows(run, upsertOn);
  const firsts = new Map<string, Keyed>();
  for (const x of keyed) if (!firsts.has(x.text)) firsts.set(x.text, x);
  const matches = await matchesOf(run, upsertOn, [...firsts.values()]);
  const several = new Set([...firsts.values()].filter((x) => (matches.get(x.p.row.index)?.length ?? 0) > 1).map((x) => x.text));
  for (const x of keyed)
    if (several.has(x.text)) run.result.failed.push({ index: x.p.row.index, problem: severalMatch(run.model, upsertOn) });
  // Rows whose key matches one record would update it: their update hooks run too.
  const updateOf = (x: Keyed) => matches.get(firsts.get(x.text)!.p.row.index);
  await dryHooked(
    run,
    'update',
    keyed.filter((x) => updateOf(x)?.length === 1).map((x) => ({ row: x.p.row, values: x.p.values, id: updateOf(x)![0] })),
  );
  // The first row of a key nothing matches creates the record; its later rows update it.
  await checkCreates(
    run,
    [...firsts.values()].filter((x) => !matches.has(x.p.row.index)).map((x) => ({ row: x.p.row, values: x.p.createValues })),
  );
}

/**
 * Rows of the single-record path (a scoped permission, per-record hooks) are written for real
 * in a savepoint that is always rolled back: only the write itself knows its scope check.
 */
async function checkSingly(run: BatchRun): Promise<void> {
  for (const row of run.slow) {
    try {
      await run.tx.savepoint(async (t) => {
        await run.tools.writeOne(t, run.model, row.input, run.opts.upsertOn, run.actor);
        throw DRY_RUN;
      });
    } catch (e) {
      if (e !== DRY_RUN) fail(run, row.index, e);
    }
  }
}
