// The records service: the only writer of record data. Routes, importers, plugins and
// workflows all come here, so validation, history and events can never be skipped.
import { sql } from 'drizzle-orm';
import type { Database, Executor, Transaction } from '../db/index.ts';
import { dbErrorOf } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { fieldOf, type ObjectModel } from '../model/index.ts';
import { badRequest, conflict, notFound, preconditionFailed, ProblemError, tooLarge, validation } from '../problems/index.ts';
import { expandIncludes, parseListParams, runList, selectList, type ListParams, type Page } from '../query/index.ts';
import { checkInput } from './validate.ts';
import { eraseSql, insertSql, restoreSql, softDeleteSql, updateSql, type WriteContext } from './write-sql.ts';
import { uuidv7 } from './uuid.ts';

export type RecordRow = Record<string, unknown>;
export type Actor = WriteContext;

export interface BulkInput {
  records: unknown;
  upsert_on?: unknown;
  partial?: unknown;
}

export interface BulkResult {
  created: number;
  updated: number;
  failed: number;
  records: { index: number; id: string; action: 'created' | 'updated' | 'unchanged' }[];
  errors: { index: number; status: number; title: string; detail?: string; errors?: unknown[] }[];
}

export interface TimelineEntry {
  id: string;
  action: string;
  version: number;
  changes: Record<string, unknown>;
  actor: string | null;
  request_id: string | null;
  at: string;
}

export const MAX_BULK = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createRecordService({ db, registry }: { db: Database; registry: Registry }) {
  const ctx = () => ({ models: registry.snapshot().models });

  const mustBeId = (model: ObjectModel, recordId: string) => {
    if (!UUID.test(recordId)) throw notFound(`No ${model.name} record with id "${recordId}"`);
  };

  /** Turns constraint and data errors into problems that name the field. */
  const translate = (model: ObjectModel, e: unknown, values?: Record<string, unknown>): never => {
    if (e instanceof ProblemError) throw e;
    const err = dbErrorOf(e);
    if (err?.code === '23505') {
      const field = (err.constraint && model.constraintFields.get(err.constraint)) || 'id';
      throw conflict(`Another ${model.name} record already has this ${field}`, [{ field, message: 'is already used by another record' }]);
    }
    if (err?.code === '23503') {
      const field = (err.constraint && model.constraintFields.get(err.constraint)) || undefined;
      const f = field ? model.fields.get(field) : undefined;
      if (f) {
        const target = f.spec.type === 'user' ? 'user' : `${f.spec.target} record`;
        throw validation([{ field: f.name, message: `no ${target} with id ${String(values?.[f.name] ?? '')}`.trim(), keyword: 'reference' }]);
      }
      throw conflict('The record is still referenced by other records');
    }
    if (err?.code?.startsWith('22')) {
      throw validation([{ field: '(record)', message: err.message }], 'A value does not fit its field');
    }
    throw e;
  };

  async function get(object: string, recordId: string, opts: { include?: string; fields?: string } = {}, exec: Executor = db): Promise<RecordRow> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    const q = parseListParams(model, { include: opts.include, fields: opts.fields });
    const [row] = await exec.query(sql`select ${selectList(model, 't', q.fields)} from ${sql.identifier(model.table)} as t where t.id = ${recordId}::uuid and t.deleted_at is null`);
    if (!row) throw notFound(`No ${model.name} record with id "${recordId}"`);
    if (q.include.length) await expandIncludes(exec, model, [row], q.include, ctx());
    return row;
  }

  async function list(object: string, params: ListParams, exec: Executor = db): Promise<Page> {
    const model = registry.get(object);
    return runList(exec, model, parseListParams(model, params), ctx());
  }

  async function create(object: string, input: unknown, actor: Actor, exec: Executor = db): Promise<RecordRow> {
    const model = registry.get(object);
    const values = checkInput(model, input, 'create');
    try {
      const [row] = await exec.query(insertSql(model, uuidv7(), values, actor));
      return row;
    } catch (e) {
      return translate(model, e, values);
    }
  }

  async function update(object: string, recordId: string, input: unknown, actor: Actor, opts: { ifMatch?: number } = {}, exec: Executor = db): Promise<RecordRow & { __unchanged?: boolean }> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    const values = checkInput(model, input, 'update');
    if (Object.keys(values).length > 0) {
      try {
        const [row] = await exec.query(updateSql(model, recordId, values, actor, opts.ifMatch));
        if (row) return row;
      } catch (e) {
        return translate(model, e, values);
      }
    }
    // Nothing written: the record is missing, at another version, or already has these values.
    const current = await get(object, recordId, {}, exec);
    if (opts.ifMatch !== undefined && current.version !== opts.ifMatch) {
      throw preconditionFailed(`${model.name} ${recordId} is at version ${current.version}, not ${opts.ifMatch}; it was changed by someone else`, { current_version: current.version });
    }
    return current;
  }

  async function remove(object: string, recordId: string, actor: Actor, opts: { permanent?: boolean; ifMatch?: number } = {}, exec: Executor = db): Promise<void> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    try {
      const rows = await exec.query(opts.permanent ? eraseSql(model, recordId, actor) : softDeleteSql(model, recordId, actor, opts.ifMatch));
      if (rows.length) return;
    } catch (e) {
      translate(model, e);
    }
    const [row] = await exec.query<{ version: number; deleted: boolean }>(
      sql`select version, deleted_at is not null as deleted from ${sql.identifier(model.table)} where id = ${recordId}::uuid`,
    );
    if (row && !row.deleted && opts.ifMatch !== undefined) {
      throw preconditionFailed(`${model.name} ${recordId} is at version ${row.version}, not ${opts.ifMatch}`, { current_version: row.version });
    }
    throw notFound(`No ${model.name} record with id "${recordId}"${row?.deleted ? ' (it is already in the trash)' : ''}`);
  }

  async function restore(object: string, recordId: string, actor: Actor, exec: Executor = db): Promise<RecordRow> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    try {
      const [row] = await exec.query(restoreSql(model, recordId, actor));
      if (row) return row;
    } catch (e) {
      translate(model, e);
    }
    throw notFound(`No ${model.name} record with id "${recordId}" in the trash`);
  }

  async function bulk(object: string, body: BulkInput, actor: Actor): Promise<BulkResult> {
    const model = registry.get(object);
    if (!Array.isArray(body?.records)) throw validation([{ field: 'records', message: 'must be an array of records' }]);
    const records = body.records as unknown[];
    if (records.length > MAX_BULK) throw tooLarge(`A bulk request takes at most ${MAX_BULK} records (got ${records.length})`);
    const partial = body.partial === undefined ? false : body.partial;
    if (typeof partial !== 'boolean') throw validation([{ field: 'partial', message: 'must be true or false' }]);
    const upsertOn = parseUpsertOn(model, body.upsert_on);

    const result: BulkResult = { created: 0, updated: 0, failed: 0, records: [], errors: [] };
    const fail = (index: number, e: unknown) => {
      if (!(e instanceof ProblemError) || e.status >= 500) throw e;
      result.failed++;
      result.errors.push({ index, status: e.status, title: e.title, detail: e.detail, errors: e.errors });
    };
    // Validate everything first: an all-or-nothing request with a bad row writes nothing.
    const checked: (Record<string, unknown> | undefined)[] = records.map((r, i) => {
      try {
        return upsertOn ? (checkInput(model, r, 'update'), r as Record<string, unknown>) : checkInput(model, r, 'create');
      } catch (e) {
        fail(i, e);
        return undefined;
      }
    });
    if (result.failed && !partial) throw bulkFailure(result);

    class Abort extends Error {}
    try {
      await db.transaction(async (tx) => {
        for (let i = 0; i < records.length; i++) {
          const input = checked[i];
          if (!input) continue;
          const run = (t: Transaction) => writeOne(t, model, input, upsertOn, actor);
          try {
            const r = partial ? await tx.savepoint(run) : await run(tx);
            result.records.push({ index: i, ...r });
            if (r.action === 'created') result.created++;
            else if (r.action === 'updated') result.updated++;
          } catch (e) {
            fail(i, e);
            if (!partial) throw new Abort();
          }
        }
      });
    } catch (e) {
      if (e instanceof Abort || (e as Error)?.name === 'TransactionRollbackError') throw bulkFailure(result);
      throw e;
    }
    return result;
  }

  async function writeOne(tx: Transaction, model: ObjectModel, input: Record<string, unknown>, upsertOn: string[] | undefined, actor: Actor) {
    if (upsertOn) {
      const match = await findMatch(tx, model, upsertOn, input);
      if (match) {
        const before = Number(match.version);
        const row = await update(model.name, match.id, input, actor, {}, tx);
        return { id: row.id as string, action: Number(row.version) === before ? ('unchanged' as const) : ('updated' as const) };
      }
    }
    const row = await create(model.name, input, actor, tx);
    return { id: row.id as string, action: 'created' as const };
  }

  async function findMatch(tx: Executor, model: ObjectModel, upsertOn: string[], input: Record<string, unknown>) {
    const conds = upsertOn.map((name) => {
      const f = model.fields.get(name)!;
      const v = f.type.normalize ? f.type.normalize(input[name]) : input[name];
      if (v === undefined || v === null) throw validation([{ field: name, message: 'is needed to match an existing record (upsert_on)' }]);
      const problem = f.type.checkValue(v, f.spec);
      if (problem) throw validation([{ field: name, message: problem }]);
      const col = f.col('t')();
      // Emails match as people mean them: without case or surrounding spaces.
      return f.spec.type === 'email'
        ? sql`lower(btrim(${col})) = lower(btrim(${v as string}::text))`
        : sql`${f.type.key(f.col('t'))} = ${f.type.bind(v)}`;
    });
    const rows = await tx.query<{ id: string; version: number }>(
      sql`select t.id::text as id, t.version from ${sql.identifier(model.table)} as t where t.deleted_at is null and ${sql.join(conds, sql` and `)} order by t.id limit 2 for update`,
    );
    if (rows.length > 1) throw conflict(`More than one ${model.name} record matches ${upsertOn.join(', ')}; cannot choose which to update`, upsertOn.map((f) => ({ field: f, message: 'matches several records' })));
    return rows[0];
  }

  async function timeline(object: string, recordId: string, params: { cursor?: string; limit?: string }): Promise<{ data: TimelineEntry[]; page: { next_cursor: string | null; has_more: boolean } }> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    const limit = params.limit === undefined ? 50 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw badRequest('limit must be a whole number from 1 to 500', [{ field: 'limit', message: 'must be 1–500' }]);
    let before: string | undefined;
    if (params.cursor) {
      before = Buffer.from(params.cursor, 'base64url').toString('utf8');
      if (!/^\d{1,18}$/.test(before)) throw badRequest('The cursor is not valid', [{ field: 'cursor', message: 'is not a cursor this API issued' }]);
    }
    const [exists] = await db.query(sql`select 1 from ${sql.identifier(model.table)} where id = ${recordId}::uuid`);
    const rows = await db.query<TimelineEntry & Record<string, unknown>>(sql`select id::text as id, action, version, changes, actor::text as actor, request_id,
        to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
      from kizuna_history where object = ${model.name} and record_id = ${recordId}::uuid
        ${before ? sql`and id < ${before}::bigint` : sql``}
      order by id desc limit ${limit + 1}`);
    if (!exists && rows.length === 0) throw notFound(`No ${model.name} record with id "${recordId}"`);
    const hasMore = rows.length > limit;
    const data = hasMore ? rows.slice(0, limit) : rows;
    for (const r of data) if (typeof r.changes === 'string') r.changes = JSON.parse(r.changes);
    return { data, page: { next_cursor: hasMore ? Buffer.from(data[data.length - 1].id).toString('base64url') : null, has_more: hasMore } };
  }

  return { get, list, create, update, remove, restore, bulk, timeline };
}

export type RecordService = ReturnType<typeof createRecordService>;

function parseUpsertOn(model: ObjectModel, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const names = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 ? (v as string[]) : undefined;
  if (!names) throw validation([{ field: 'upsert_on', message: 'must be a field name or a list of field names' }]);
  for (const n of names) {
    const f = fieldOf(model, n);
    if (!f || !model.fields.has(n)) throw validation([{ field: 'upsert_on', message: `"${n}" is not a field of ${model.name}` }]);
    if (!f.type.sortable || f.type.readOnly && f.spec.type !== 'autonumber') throw validation([{ field: 'upsert_on', message: `a ${f.spec.type} field cannot identify records` }]);
  }
  return names;
}

function bulkFailure(result: BulkResult): ProblemError {
  const status = result.errors.every((e) => e.status === 409) ? 409 : 422;
  return new ProblemError({
    status,
    type: status === 409 ? 'conflict' : 'validation',
    title: status === 409 ? 'Conflict' : 'Validation failed',
    detail: `${result.errors.length} of the records ${result.errors.length === 1 ? 'is' : 'are'} invalid; nothing was written (send "partial": true to write the valid ones)`,
    errors: result.errors.flatMap((r) =>
      ((r.errors as { field: string; message: string }[] | undefined) ?? [{ field: '(record)', message: r.detail ?? r.title }]).map((e) => ({
        field: `records[${r.index}].${e.field}`,
        message: e.message,
      })),
    ),
    extra: { created: 0, updated: 0, failed: result.errors.length, rows: result.errors },
  });
}
