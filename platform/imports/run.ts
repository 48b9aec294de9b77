// The import job. Rows stream from the stored upload in batches; each batch is converted,
// its relation cells looked up, and written through records.importBatch in ONE transaction
// together with its error rows and the job's checkpoint (rows consumed so far). A restart
// resumes after the last committed batch: nothing is lost, nothing written twice.
//
// all_or_nothing cannot be one transaction over a million rows cheaply, so it is two passes:
// pass 1 validates every row (same validators, permissions and lookups, no writes); any bad
// row fails the import with its error report and nothing written. Pass 2 writes in committed
// batches (records are visible to others meanwhile). If pass 2 still fails (a unique value
// taken concurrently, a target deleted meanwhile), the records it created are erased again —
// found by the import's request id in the history — and the import fails. Records an upsert
// updated in pass 2 keep their new values then (their history shows the change).
import { dbErrorOf, sql, type Database, type Transaction } from '../db/index.ts';
import type { Job, JobContext, JobQueue } from '../jobs/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { importKeyOf, type Actor, type RecordService } from '../records/index.ts';
import { batchPipeline, type PipelineLinks } from './pipeline.ts';
import { settleTable, statisticsRefresher } from './table-upkeep.ts';
import { rowConverter, type Mapping } from './mapping.ts';
import { resolveLookups, type LookupCache } from './lookups.ts';
import { forgetRepeatedValues, repeatedUniqueValues } from './repeated-values.ts';
import { readRows } from './rows.ts';
import type { ImportPrincipal } from './principal.ts';

export const IMPORT_JOB = 'import';

export interface ImportOptions {
  mapping: Mapping;
  mode: 'partial' | 'all_or_nothing';
  upsert_on?: string[];
  create_missing: string[];
  utc_offset: string;
  /** The rows' writes ask to override plugins' refusals (allowed at start; each batch checks again). */
  override?: boolean;
}

export interface ImportProgressState {
  phase: 'validating' | 'writing' | 'erasing';
  /** Data rows consumed in the current phase (the resume point). */
  rows_done: number;
  rows_read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Bytes of the upload consumed (an estimate, for the ETA). */
  bytes: number;
  elapsed_ms: number;
}

export interface RunDeps {
  db: Database;
  registry: Registry;
  records: RecordService;
  actorFor(principal: ImportPrincipal, requestId: string): Promise<Actor>;
  /** Whether the owner may still act: an active user, and the key it started with not revoked. */
  ownerActive(principal: ImportPrincipal): Promise<boolean>;
  batchSize?: number;
}

export function registerImportJob(jobs: JobQueue, deps: RunDeps): void {
  jobs.register<{ import_id: string }, ImportProgressState>(IMPORT_JOB, (job, ctx) => runImport(deps, job, ctx));
}

// Keeping the search index (GIN over the document's grams) up to date is most of an import's
// database time. Import batches let GIN queue new entries in its pending list (64 MB instead of
// the default 4 MB; only for these transactions) and merge them in bulk, ~1.3× faster end to end
// here; when the import ends the list is merged at once, so searches do not scan a long list.
const IMPORT_GIN_PENDING_KB = 65536;

type ImportJob = Job<{ import_id: string }, ImportProgressState>;
type ImportContext = JobContext<ImportProgressState>;

/** One run of an import job: what it was given, and its progress as it goes. */
interface ImportRun {
  deps: RunDeps;
  ctx: ImportContext;
  id: string;
  source: { id: string; format: 'csv' | 'xlsx'; encoding: string | null; delimiter: string | null };
  options: ImportOptions;
  requestId: string;
  principal: ImportPrincipal;
  actor: Actor;
  model: ObjectModel;
  convert: ReturnType<typeof rowConverter>;
  batchSize: number;
  /** The objects create_missing may create records of (locked per batch, in this order). */
  createTargets: string[];
  cache: LookupCache;
  p: ImportProgressState;
  /** Adds the time since the last tick to p.elapsed_ms. */
  tick(): void;
}

type BatchRow = { index: number; cells: string[]; converted: ReturnType<ImportRun['convert']> };

async function runImport(deps: RunDeps, job: ImportJob, ctx: ImportContext) {
  const run = await startRun(deps, job, ctx);
  if (!run) return { state: 'failed' as const, error: 'the import is gone' };
  const { p } = run;
  if (p.phase === 'erasing') return erase(run);
  while (p.phase === 'validating' || p.phase === 'writing') {
    const stopped = await runPhase(run);
    if (stopped) return stopped;
    if (p.phase === 'validating') {
      if (p.failed > 0) {
        await forgetRepeatedValues(deps.db, run.id);
        return {
          state: 'failed' as const,
          result: summaryOf(p),
          error: `${p.failed} row${p.failed === 1 ? ' is' : 's are'} invalid; nothing was written (see the error report)`,
        };
      }
      await nextPhase(run, 'writing');
    } else if (run.options.mode === 'all_or_nothing' && p.failed > 0) {
      await nextPhase(run, 'erasing');
      return erase(run);
    } else {
      await settleTable(deps.db, run.model);
      return { state: 'succeeded' as const, result: summaryOf(p) };
    }
  }
  return { state: 'failed' as const, error: `unknown phase ${p.phase}` };
}

/** The import as stored, its owner acting, and its progress so far (a restart resumes from it); undefined when it is gone. */
async function startRun(deps: RunDeps, job: ImportJob, ctx: ImportContext): Promise<ImportRun | undefined> {
  const id = job.payload.import_id;
  const [imp] = await deps.db.query<{
    object: string;
    format: 'csv' | 'xlsx';
    encoding: string | null;
    delimiter: string | null;
    columns: unknown;
    principal: unknown;
    options: unknown;
  }>(sql`select object, format, encoding, delimiter, columns, principal, options from kizuna_imports where id = ${id}::uuid`);
  if (!imp) return undefined;
  const parse = <T>(v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  const columns = parse<string[]>(imp.columns);
  const options = parse<ImportOptions>(imp.options);
  const requestId = `import:${id}`;
  const principal = parse<ImportPrincipal>(imp.principal);
  const actor = await deps.actorFor(principal, requestId);
  const model = deps.registry.get(imp.object);
  const convert = rowConverter(model, columns, options.mapping, { utcOffset: options.utc_offset });
  const createTargets = [
    ...new Set(options.create_missing.map((n) => model.fields.get(n)?.spec.target).filter((t): t is string => !!t)),
  ].sort();
  const p: ImportProgressState = {
    phase: options.mode === 'all_or_nothing' ? 'validating' : 'writing',
    rows_done: 0,
    rows_read: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    bytes: 0,
    elapsed_ms: 0,
    ...(job.progress as Partial<ImportProgressState>),
  };
  let clock = performance.now();
  const tick = () => {
    const now = performance.now();
    p.elapsed_ms += Math.round(now - clock);
    clock = now;
  };
  const source = { id, format: imp.format, encoding: imp.encoding, delimiter: imp.delimiter };
  const batchSize = deps.batchSize ?? 2000;
  return {
    deps,
    ctx,
    id,
    source,
    options,
    requestId,
    principal,
    actor,
    model,
    convert,
    batchSize,
    createTargets,
    cache: new Map(),
    p,
    tick,
  };
}

/**
 * One pass over the file (validating or writing), batch by batch; answers how the job ends
 * when it stopped early (released, cancelled, the owner's access gone), else undefined.
 */
async function runPhase(run: ImportRun) {
  const { deps, p, model, options } = run;
  const { db, records } = deps;
  const dryRun = p.phase === 'validating';
  let n = 0;
  let batch: BatchRow[] = [];
  let header = true;
  // Batches are read, parsed and converted while earlier ones are written: one in flight on
  // PGlite (one connection), and on PostgreSQL three when batches cannot touch each other's
  // rows (records.importBatchesIndependent; lookups that create records need one), so both
  // cores work on the database side, which is where an import spends its time, while this
  // thread prepares the next (measured on 100k contacts: two ~1.3× one; three ~1.15× two with
  // the dedupe plugin's batch hooks, as fast as two without). Hooks that run concurrently see
  // the rows of the batches in flight before them (`earlier`), once their hooks have run.
  const independent =
    db.kind === 'postgres' &&
    !options.create_missing.length &&
    records.importBatchesIndependent(model.name, run.actor, { upsertOn: options.upsert_on });
  const maxInFlight = independent ? 3 : 1;
  const upsertOn = options.upsert_on?.length ? options.upsert_on : undefined;
  const pipeline = batchPipeline<{ rows: BatchRow[]; n: number }>({
    maxInFlight,
    keysOf:
      upsertOn && maxInFlight > 1
        ? ({ rows }) => new Set(rows.map((r) => importKeyOf(model, upsertOn, r.converted.input)).filter((k): k is string => k !== null))
        : undefined,
    flush: ({ rows, n }, after, links) => flushBatch(run, dryRun, rows, n, after, links),
  });
  const refreshStatistics = statisticsRefresher(db, model, { upsert: !!upsertOn });
  // A file that cannot be read further (a record over the size limit, a broken workbook)
  // stops the import there; in partial mode the rows read before it are still written.
  let unreadable: unknown;
  async function* readable() {
    try {
      yield* readRows(db, run.source, (bytes) => (p.bytes = Math.max(p.bytes, bytes)));
    } catch (e) {
      unreadable = e;
    }
  }
  try {
    for await (const cells of readable()) {
      if (header) {
        header = false;
        continue;
      }
      n++;
      if (n <= p.rows_done) continue;
      batch.push({ index: n, cells, converted: run.convert(cells) });
      if (batch.length >= run.batchSize) {
        await pipeline.drain(maxInFlight - 1);
        if (!dryRun) await refreshStatistics(p.created + p.updated);
        // PGlite runs each query synchronously in this thread and resolves it as a microtask:
        // without a turn of the event loop between batches, no HTTP request (a progress poll,
        // a cancel) would be served until the whole import is done.
        await new Promise((r) => setImmediate(r));
        const stopped = await stopBetweenBatches(run, dryRun, () => pipeline.drain(0));
        if (stopped) return stopped;
        await pipeline.launch({ rows: batch, n });
        batch = [];
      }
    }
    if (batch.length && !(unreadable && dryRun)) await pipeline.launch({ rows: batch, n });
    await pipeline.drain(0);
  } catch (e) {
    await pipeline.settle();
    throw e;
  }
  if (unreadable) {
    if (dryRun) await forgetRepeatedValues(db, run.id);
    else await settleTable(db, model);
    throw unreadable;
  }
  return undefined;
}

/** Between batches: whether the job stops here (the node shutting down, a cancel, the owner's access gone), and how it ends. */
async function stopBetweenBatches(run: ImportRun, dryRun: boolean, drain: () => Promise<unknown>) {
  const { deps, ctx, p, model, options } = run;
  if (ctx.stopping()) return (await drain(), 'released' as const);
  if (await ctx.cancelRequested()) {
    await drain();
    if (!dryRun) await settleTable(deps.db, model); // what was written stays: searchable and planned for
    return { state: 'cancelled' as const, result: summaryOf(p) };
  }
  // The import acts for its owner: it stops when the owner's access ends.
  if (!(await deps.ownerActive(run.principal))) {
    await drain();
    const why = "the import's owner no longer has access (user deactivated or API key revoked)";
    if (!dryRun && options.mode === 'all_or_nothing') {
      await nextPhase(run, 'erasing');
      return erase(run, why);
    }
    if (!dryRun) await settleTable(deps.db, model);
    return {
      state: 'failed' as const,
      result: summaryOf(p),
      error: `Stopped: ${why}; ${dryRun ? 'nothing was written' : 'the rows written before stay'}`,
    };
  }
  return undefined;
}

/**
 * Writes (or validates) one batch in its transaction, retried once when a field or object was
 * dropped meanwhile. `after` is the previous batch's commit: a batch does its work meanwhile,
 * but checkpoints (and so commits) only after it, so the resume point and the counts grow in order.
 */
async function flushBatch(run: ImportRun, dryRun: boolean, rows: BatchRow[], n: number, after: Promise<void>, links: PipelineLinks) {
  const attempt = () => run.deps.db.transaction((tx) => batchTransaction(run, tx, dryRun, rows, n, after, links));
  const outcome = await attempt()
    .catch(async (e) => {
      run.cache.clear(); // ids created in a rolled-back transaction must not be reused
      // A field or object dropped while the batch ran (its statement names a column that is
      // gone): once the metadata change is installed, the batch again finds each row's
      // problem with the fields that exist now.
      if (!['42703', '42P01'].includes(dbErrorOf(e)?.code ?? '')) throw e;
      await new Promise((r) => setTimeout(r, 200));
      return attempt();
    })
    .catch((e) => {
      run.cache.clear();
      throw e;
    });
  Object.assign(run.p, outcome);
}

/** One batch's transaction: lookups, the records' batch write, its error rows and the checkpoint; answers the new progress. */
async function batchTransaction(
  run: ImportRun,
  tx: Transaction,
  dryRun: boolean,
  rows: BatchRow[],
  n: number,
  after: Promise<void>,
  links: PipelineLinks,
): Promise<ImportProgressState> {
  const { deps, id, model, options, actor, p } = run;
  const { records, registry } = deps;
  const errors: ErrorRow[] = [];
  if (!dryRun) await tx.query(sql`set local gin_pending_list_limit = ${sql.raw(String(IMPORT_GIN_PENDING_KB))}`);
  // Targets created for missing names (create_missing) are looked up and created under
  // a lock per target object held to commit: a concurrent import naming the same new
  // company waits, then finds it, instead of creating it a second time.
  if (!dryRun) {
    for (const target of run.createTargets)
      await tx.query(sql`select pg_advisory_xact_lock(hashtext(${`kizuna_create_missing:${target}`})::bigint)`);
  }
  const lookupFailures = await resolveLookups(
    { records, registry, db: deps.db },
    model,
    rows,
    actor,
    { createMissing: options.create_missing, cache: run.cache, dryRun },
    tx,
  );
  for (const r of rows)
    if (lookupFailures.has(r.index)) errors.push({ row: r.index, cells: r.cells, reason: lookupFailures.get(r.index)!.message });
  const checked = rows.filter((r) => !lookupFailures.has(r.index)).map((r) => ({ index: r.index, input: r.converted.input }));
  // Only the imported object's rows override; targets create_missing makes are plain creates.
  const result = await records.importBatch(tx, model.name, checked, options.override ? { ...actor, override: true } : actor, {
    dryRun,
    upsertOn: options.upsert_on,
    ...(!dryRun && links),
  });
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  for (const f of result.failed) errors.push({ row: f.index, cells: byIndex.get(f.index)!.cells, reason: reasonOf(f.problem) });
  if (dryRun && !options.upsert_on?.length) {
    const refused = new Set(result.failed.map((f) => f.index));
    const repeated = await repeatedUniqueValues(
      tx,
      id,
      model,
      checked.filter((r) => !refused.has(r.index)),
    );
    for (const [row, field] of repeated)
      errors.push({ row, cells: byIndex.get(row)!.cells, reason: `${field}: is already used by an earlier row of this import` });
  }
  // In pass 2 of all_or_nothing the pass-1 errors are already stored; a new one means a late failure.
  if (errors.length) await storeErrors(tx, id, errors);
  await after; // throws when the previous batch failed: this one rolls back too
  const next = { ...p, rows_done: n, rows_read: Math.max(p.rows_read, n), failed: p.failed + errors.length };
  for (const w of result.written) next[w.action]++;
  run.tick();
  next.elapsed_ms = p.elapsed_ms;
  await run.ctx.checkpoint(tx, next);
  return next;
}

type ErrorRow = { row: number; cells: string[]; reason: string };

/** The batch's refused rows into the error report (a row refused again replaces its reason). */
async function storeErrors(tx: Transaction, id: string, errors: ErrorRow[]): Promise<void> {
  // jsonb cannot hold U+0000, which a row refused for containing it still does: the
  // report shows it as U+FFFD.
  const stored = JSON.stringify(errors).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
  await tx.query(sql`insert into kizuna_import_errors (import_id, row_no, cells, reason)
            select ${id}::uuid, e.row, e.cells, e.reason from jsonb_to_recordset(${stored}::jsonb) as e(row int, cells jsonb, reason text)
            on conflict (import_id, row_no) do update set reason = excluded.reason`);
}

async function nextPhase(run: ImportRun, phase: ImportProgressState['phase']) {
  Object.assign(run.p, { phase, rows_done: 0, bytes: 0 });
  await run.deps.db.transaction(async (tx) => {
    await forgetRepeatedValues(tx, run.id);
    await run.ctx.checkpoint(tx, run.p);
  });
}

/** all_or_nothing failed while writing: the records this import created are erased again. */
async function erase(run: ImportRun, why?: string) {
  const { deps, ctx, p } = run;
  while ((await deps.records.eraseImported(run.model.name, run.requestId, run.actor)) > 0) {
    if (ctx.stopping()) return 'released' as const;
  }
  // The status reads the progress: none of the records it counted as created remain.
  p.created = 0;
  await deps.db.transaction((tx) => ctx.checkpoint(tx, p));
  const cause = why ?? `${p.failed} row${p.failed === 1 ? '' : 's'} failed while writing`;
  return { state: 'failed' as const, result: summaryOf(p), error: `${cause}; the records this import created were erased again` };
}

function reasonOf(problem: { detail?: string; title: string; errors?: { field: string; message: string }[] }): string {
  return problem.errors?.length ? problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : (problem.detail ?? problem.title);
}

const summaryOf = (p: ImportProgressState) => ({
  rows_read: p.rows_read,
  created: p.created,
  updated: p.updated,
  unchanged: p.unchanged,
  failed: p.failed,
});

/** The progress document of GET /api/imports/{id}. */
export function importProgress(size: number, job: Job | undefined) {
  if (!job) return { state: 'uploaded' };
  const p = job.progress as Partial<ImportProgressState>;
  const seconds = (p.elapsed_ms ?? 0) / 1000;
  const rate = seconds > 0 ? Math.round((p.rows_done ?? 0) / seconds) : 0;
  const byteRate = seconds > 0 ? (p.bytes ?? 0) / seconds : 0;
  const running = job.state === 'running' || job.state === 'queued';
  return {
    state: job.state === 'running' && job.cancel_requested ? 'cancelling' : job.state,
    phase: p.phase ?? null,
    rows_read: p.rows_read ?? 0,
    rows_written: (p.created ?? 0) + (p.updated ?? 0) + (p.unchanged ?? 0),
    created: p.created ?? 0,
    updated: p.updated ?? 0,
    unchanged: p.unchanged ?? 0,
    rows_failed: p.failed ?? 0,
    rate,
    eta_seconds: running && byteRate > 0 ? Math.max(0, Math.round((size - (p.bytes ?? 0)) / byteRate)) : null,
    error: job.error,
    started_at: job.started_at,
    finished_at: job.finished_at,
  };
}
