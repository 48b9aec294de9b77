// Imports: upload and detect, mapping suggestions and preview, start/cancel as a durable job,
// progress and the error report. The rows are written by run.ts through the records service.
import iconv from 'iconv-lite';
import { sql, uuidv7, type Database } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { assertObject } from '../query/index.ts';
import { badRequest, conflict, forbidden, notFound, validation, ProblemError } from '../problems/index.ts';
import { fileProblem } from './file-problem.ts';
import { assertOverride, parseUpsertOn, type Actor, type RecordService } from '../records/index.ts';
import { assertEncoding, assertText, detectDelimiter, detectEncoding, detectFormat, ENCODINGS } from './detect.ts';
import { checkMapping, columnNames, rowConverter, SPLIT_TARGETS, suggestMapping, type Mapping } from './mapping.ts';
import { csvText } from './csv-text.ts';
import { resolveLookups } from './lookups.ts';
import { readRows, type SourceShape } from './rows.ts';
import { headOf, storeUpload } from './storage.ts';
import { importProgress, IMPORT_JOB, type ImportOptions } from './run.ts';
import type { ImportPrincipal } from './principal.ts';

export interface ImportDeps {
  db: Database;
  registry: Registry;
  records: RecordService;
  jobs: JobQueue;
}

interface ImportRow extends SourceShape {
  object: string;
  filename: string | null;
  size: number;
  columns: string[];
  created_by: string | null;
  job_id: string | null;
  options: ImportOptions | null;
  created_at: string;
}

const SAMPLE = 64 * 1024;

export function createImportService(deps: ImportDeps) {
  const { db, registry, records, jobs } = deps;

  const columnsSql = sql`id::text as id, object, filename, format, encoding, delimiter, size::float8 as size, columns,
    created_by::text as created_by, job_id::text as job_id, options, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`;
  const parsed = (row: ImportRow & Record<string, unknown>): ImportRow => {
    for (const k of ['columns', 'options'] as const)
      if (typeof row[k] === 'string') (row as Record<string, unknown>)[k] = JSON.parse(row[k] as string);
    return row;
  };

  async function load(id: string, actor: Actor): Promise<ImportRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`No import "${id}"`);
    const [row] = await db.query<ImportRow & Record<string, unknown>>(sql`select ${columnsSql} from kizuna_imports where id = ${id}::uuid`);
    // Someone else's import is as good as absent, except for admins.
    if (!row || (actor.access && row.created_by !== actor.actor)) throw notFound(`No import "${id}"`);
    return parsed(row);
  }

  /** The caller's imports (an admin's: everyone's), newest first, with their progress; uploads still streaming in are left out. */
  async function list(params: { object?: string; limit?: string; cursor?: string }, actor: Actor) {
    const limit = params.limit === undefined ? 20 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw badRequest('limit must be 1–100', [{ field: 'limit', message: 'must be an integer from 1 to 100' }]);
    let after: string | undefined;
    if (params.cursor !== undefined) {
      after = Buffer.from(params.cursor, 'base64url').toString();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(after))
        throw badRequest('cursor is not one this API gave out', [{ field: 'cursor', message: 'is invalid' }]);
    }
    if (params.object !== undefined) registry.get(params.object); // 404 for an unknown object
    const rows = await db.query<ImportRow & Record<string, unknown>>(sql`select ${columnsSql} from kizuna_imports
      where jsonb_array_length(columns) > 0 ${actor.access ? sql`and created_by = ${actor.actor}::uuid` : sql``}
      ${params.object !== undefined ? sql`and object = ${params.object}` : sql``}
      ${after ? sql`and id < ${after}::uuid` : sql``}
      order by id desc limit ${limit + 1}`);
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map(parsed);
    const data = [];
    for (const imp of page) data.push(await statusOf(imp));
    return { data, page: { next_cursor: more ? Buffer.from(page[page.length - 1].id).toString('base64url') : null, has_more: more } };
  }

  /** Deletes an import that is not running: its stored upload, error report and job (records stay). */
  async function remove(id: string, actor: Actor): Promise<void> {
    const imp = await load(id, actor);
    await db.transaction(async (tx) => {
      const [row] = await tx.query<{ job_id: string | null }>(
        sql`select job_id::text as job_id from kizuna_imports where id = ${id}::uuid for update`,
      );
      if (!row) return;
      const job = row.job_id ? await jobs.get(row.job_id, tx) : undefined;
      if (job && (job.state === 'queued' || job.state === 'running')) {
        throw conflict('This import is running; cancel it first', [{ field: 'id', message: `is ${job.state}` }]);
      }
      await tx.query(sql`delete from kizuna_imports where id = ${imp.id}::uuid`);
      if (job) await jobs.remove(job.id, tx);
    });
  }

  async function create(
    input: { object: string; filename?: string; encoding?: string; delimiter?: string; body: AsyncIterable<Uint8Array>; limit: number },
    actor: Actor,
    principal: ImportPrincipal,
  ) {
    const model = registry.get(input.object);
    assertObject(model, 'create', actor.access);
    if (input.encoding && !ENCODINGS.includes(input.encoding.toLowerCase()))
      throw badRequest(`encoding must be one of ${ENCODINGS.join(', ')}`, [{ field: 'encoding', message: 'is not a supported encoding' }]);
    if (input.delimiter && ![',', '\t', ';', '|', 'tab'].includes(input.delimiter))
      throw badRequest('delimiter must be , ; | or tab', [{ field: 'delimiter', message: 'is not a supported delimiter' }]);
    const id = uuidv7();
    await db.query(
      sql`insert into kizuna_imports (id, object, filename, format, created_by, principal) values (${id}::uuid, ${model.name}, ${input.filename ?? null}, 'csv', ${actor.actor}::uuid, ${JSON.stringify(principal)}::jsonb)`,
    );
    try {
      const size = await storeUpload(db, id, input.body, input.limit);
      if (size === 0) throw fileProblem('empty', 'The file is empty');
      const head = await headOf(db, id, SAMPLE);
      const format = detectFormat(head, input.filename);
      const encoding = format === 'xlsx' ? null : (input.encoding?.toLowerCase() ?? detectEncoding(head));
      let delimiter: string | null = null;
      if (encoding) {
        // A declared encoding that does not fit is named as such; an undetectable one may be binary.
        if (input.encoding) assertEncoding(head, encoding, true);
        const sample = iconv.decode(head, encoding);
        assertText(sample);
        assertEncoding(head, encoding, false);
        delimiter = input.delimiter === 'tab' ? '\t' : (input.delimiter ?? detectDelimiter(sample, input.filename));
      }
      const shape = { id, format, encoding, delimiter };
      const [header, first] = await firstRows(shape, 2);
      if (!header) throw fileProblem('empty', 'The file has no rows');
      const columns = columnNames(header);
      if (!first)
        throw fileProblem('no_data_rows', 'The file has a header row but no data rows', `columns: ${columns.slice(0, 20).join(', ')}`);
      await db.query(
        sql`update kizuna_imports set format = ${format}, encoding = ${encoding}, delimiter = ${delimiter}, size = ${size}, columns = ${JSON.stringify(columns)}::jsonb where id = ${id}::uuid`,
      );
      return summary(
        { id, object: model.name, filename: input.filename ?? null, format, encoding, delimiter, size, columns },
        suggestMapping(model, columns),
      );
    } catch (e) {
      await db.query(sql`delete from kizuna_imports where id = ${id}::uuid`).catch(() => {});
      throw e;
    }
  }

  async function firstRows(shape: SourceShape, n: number): Promise<string[][]> {
    const out: string[][] = [];
    for await (const row of readRows(db, shape)) {
      out.push(row);
      if (out.length >= n) break;
    }
    return out;
  }

  const summary = (
    r: Pick<ImportRow, 'id' | 'object' | 'filename' | 'format' | 'encoding' | 'delimiter' | 'size' | 'columns'>,
    suggested: Mapping,
  ) => ({
    id: r.id,
    object: r.object,
    filename: r.filename,
    format: r.format,
    encoding: r.encoding,
    delimiter: r.delimiter,
    size: r.size,
    columns: r.columns,
    suggested_mapping: suggested,
  });

  /** The first rows as they would be imported, with the problems each would get; writes nothing. */
  async function preview(
    id: string,
    params: { mapping?: unknown; rows?: number; create_missing?: string[]; upsert_on?: string[]; override?: boolean },
    actor: Actor,
  ) {
    const imp = await load(id, actor);
    const model = registry.get(imp.object);
    const mapping = params.mapping === undefined ? suggestMapping(model, imp.columns) : checkMapping(model, imp.columns, params.mapping);
    // With the start's upsert_on, a row matching a record is previewed as the update it would be.
    const upsertOn = checkUpsertOn(model, mapping, params.upsert_on);
    const limit = Math.min(Math.max(params.rows ?? 20, 1), 200);
    const convert = rowConverter(model, imp.columns, mapping, { utcOffset: '+09:00' });
    const sample = (await firstRows(imp, limit + 1)).slice(1);
    const rows = sample.map((cells, i) => ({ index: i + 1, cells, converted: convert(cells) }));
    const createMissing = createMissingOf(model, params.create_missing ?? [], actor);
    const lookupFailures = await resolveLookups({ records, registry, db }, model, rows, actor, {
      createMissing,
      cache: new Map(),
      dryRun: true,
    });
    // Every problem of a row, not only its first: a row whose company is unknown is still
    // checked for everything else (without that relation value, which has its own error).
    const lookupField = (index: number) => lookupFailures.get(index)?.field;
    const checked = await db.transaction((tx) =>
      records.importBatch(
        tx,
        model.name,
        rows.map((r) => {
          const field = lookupField(r.index);
          const { [field ?? '']: _unresolved, ...rest } = r.converted.input;
          return { index: r.index, input: field ? rest : r.converted.input };
        }),
        params.override ? { ...actor, override: true } : actor,
        { dryRun: true, upsertOn },
      ),
    );
    const problems = new Map(
      checked.failed.map((f) => [
        f.index,
        f.problem.errors?.length ? f.problem.errors : [{ field: '(record)', message: f.problem.detail ?? f.problem.title }],
      ]),
    );
    return {
      mapping,
      rows: rows.map((r) => ({
        row: r.index,
        cells: r.cells,
        values: r.converted.input,
        errors: [
          ...(lookupFailures.has(r.index) ? [lookupFailures.get(r.index)!] : []),
          // A required relation left out above reports "is required": the lookup error says why.
          ...(problems.get(r.index) ?? []).filter((e) => e.field !== lookupField(r.index)),
        ],
      })),
    };
  }

  /**
   * create_missing: relation fields whose missing targets the import creates — as the caller,
   * so refused up front (403) when the caller may not create them, not row by row later.
   */
  function createMissingOf(model: ObjectModel, value: unknown, actor: Actor): string[] {
    if (!Array.isArray(value) || !value.every((n) => typeof n === 'string' && model.fields.get(n)?.spec.type === 'relation'))
      throw validation([{ field: 'create_missing', message: 'must list relation fields' }]);
    for (const name of value as string[]) {
      const target = registry.get(model.fields.get(name)!.spec.target!);
      try {
        assertObject(target, 'create', actor.access);
      } catch (e) {
        if (!(e instanceof ProblemError)) throw e;
        throw forbidden(`create_missing would create ${target.name} records, which you may not create`, [
          { field: 'create_missing', message: `${name}: you may not create ${target.name} records` },
        ]);
      }
    }
    return value as string[];
  }

  /** `upsert_on` of a start or a preview: fields that identify records, each filled from a column. */
  function checkUpsertOn(model: ObjectModel, mapping: Mapping, value: unknown): string[] | undefined {
    const upsertOn = parseUpsertOn(model, value);
    // A key the file does not provide would fail every row: say so now, not after the run.
    const mapped = new Set(Object.values(mapping).flatMap((t) => (t === null ? [] : (SPLIT_TARGETS[t] ?? [t]))));
    const unmapped = upsertOn?.filter((n) => !mapped.has(n)) ?? [];
    if (unmapped.length)
      throw validation([
        { field: 'upsert_on', message: `${unmapped.join(', ')} ${unmapped.length > 1 ? 'are' : 'is'} not mapped to a column` },
      ]);
    return upsertOn;
  }

  async function start(id: string, body: unknown, actor: Actor) {
    const imp = await load(id, actor);
    if (imp.job_id) throw conflict('This import has already been started', [{ field: 'id', message: 'is already running or done' }]);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('The body must be { "mapping": {...}, "mode": "partial" | "all_or_nothing", "upsert_on"?: ... }');
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !['mapping', 'mode', 'upsert_on', 'create_missing', 'utc_offset', 'override'].includes(k));
    if (unknown.length)
      throw badRequest(
        `Unknown key ${unknown.join(', ')}`,
        unknown.map((k) => ({ field: k, message: 'is not an import option' })),
      );
    const model = registry.get(imp.object);
    const mapping = checkMapping(model, imp.columns, b.mapping ?? suggestMapping(model, imp.columns));
    const mode = b.mode ?? 'all_or_nothing';
    if (mode !== 'partial' && mode !== 'all_or_nothing')
      throw validation([{ field: 'mode', message: 'must be "partial" or "all_or_nothing"' }]);
    const upsertOn = checkUpsertOn(model, mapping, b.upsert_on);
    const createMissing = createMissingOf(model, b.create_missing ?? [], actor);
    // all_or_nothing's first pass writes nothing, so a company that create_missing would make
    // has no id yet to match an upsert key with: that combination could only fail every new row.
    const keyCreated = mode === 'all_or_nothing' ? (upsertOn?.filter((n) => createMissing.includes(n)) ?? []) : [];
    if (keyCreated.length)
      throw validation([
        {
          field: 'upsert_on',
          message: `${keyCreated.join(', ')} cannot be an upsert key of an all_or_nothing import that creates missing targets (create_missing); use mode "partial"`,
        },
      ]);
    const utcOffset = b.utc_offset ?? '+09:00';
    if (typeof utcOffset !== 'string' || !/^(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/.test(utcOffset))
      throw validation([{ field: 'utc_offset', message: 'must be Z or ±hh:mm from -14:00 to +14:00' }]);
    const override = b.override ?? false;
    if (typeof override !== 'boolean') throw validation([{ field: 'override', message: 'must be true or false' }]);
    // Asked without the permission: refused now, not row by row.
    if (override) assertOverride(model, { ...actor, override });
    const options: ImportOptions = {
      mapping,
      mode,
      upsert_on: upsertOn,
      create_missing: createMissing,
      utc_offset: utcOffset,
      ...(override && { override }),
    };
    const jobId = uuidv7();
    const claimed = await db.transaction(async (tx) => {
      const rows = await tx.query(
        sql`update kizuna_imports set job_id = ${jobId}::uuid, options = ${JSON.stringify(options)}::jsonb where id = ${id}::uuid and job_id is null returning 1 as ok`,
      );
      if (rows.length) await jobs.enqueue(IMPORT_JOB, { import_id: id }, tx, jobId);
      return rows.length > 0;
    });
    if (!claimed) {
      await load(id, actor); // deleted meanwhile: 404
      throw conflict('This import has already been started', [{ field: 'id', message: 'is already running or done' }]);
    }
    return status(id, actor);
  }

  async function status(id: string, actor: Actor) {
    return statusOf(await load(id, actor));
  }

  async function statusOf(imp: ImportRow) {
    const job = imp.job_id ? await jobs.get(imp.job_id) : undefined;
    return {
      ...summary(imp, imp.options?.mapping ?? suggestMapping(registry.get(imp.object), imp.columns)),
      options: imp.options,
      created_at: imp.created_at,
      ...importProgress(imp.size, job),
    };
  }

  async function cancel(id: string, actor: Actor) {
    const imp = await load(id, actor);
    if (!imp.job_id) throw conflict('This import has not been started');
    const job = await jobs.cancel(imp.job_id);
    if (job && !job.cancel_requested) throw conflict(`This import has already ${job.state}`, [{ field: 'id', message: `is ${job.state}` }]);
    return status(id, actor);
  }

  /** Failed rows with a reason column, encoded like the source (xlsx sources get UTF-8 with BOM). */
  async function* errorReport(id: string, actor: Actor, header = 'reason'): AsyncGenerator<Buffer> {
    const imp = await load(id, actor);
    const enc = imp.encoding ?? 'utf-8';
    const encode = (rows: string[][]) => iconv.encode(csvText(rows), enc);
    yield Buffer.concat([enc === 'utf-8' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), encode([['row', ...imp.columns, header]])]);
    let after = 0;
    for (;;) {
      const rows = await db.query<{
        row_no: number;
        cells: string[] | string;
        reason: string;
      }>(sql`select row_no, cells, reason from kizuna_import_errors
        where import_id = ${id}::uuid and row_no > ${after} order by row_no limit 1000`);
      if (!rows.length) return;
      yield encode(
        rows.map((r) => {
          const cells = typeof r.cells === 'string' ? (JSON.parse(r.cells) as string[]) : r.cells;
          return [String(r.row_no), ...imp.columns.map((_, i) => cells[i] ?? ''), r.reason];
        }),
      );
      after = rows[rows.length - 1].row_no;
    }
  }

  return { create, list, preview, start, status, cancel, remove, errorReport, load };
}

export type ImportService = ReturnType<typeof createImportService>;
export { ProblemError };
