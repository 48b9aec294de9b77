// The records service: the only writer of record data. Routes, importers, plugins and
// workflows all come here, so validation, history and events can never be skipped.
import { sql } from 'drizzle-orm';
import type { Database, Executor, Transaction } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { forbidden, notFound, preconditionFailed } from '../problems/index.ts';
import {
  assertObject,
  expandIncludes,
  parseListParams,
  readableFields,
  runList,
  selectList,
  type ListParams,
  type Page,
} from '../query/index.ts';
import { checkInput } from './validate.ts';
import { createScopeField, createWriteAccess, leftScope } from './write-access.ts';
import { mustBeId, translate } from './write-problems.ts';
import { assertOverride, runBeforeHooks, type HookEvent, type RecordHooks } from './hooks.ts';
import { readTimeline, timelinePage, type TimelineParams } from './timeline.ts';
import { batchesIndependent, importBatch as runImportBatch } from './import-batch.ts';
import type { ImportBatchOptions, ImportRow } from './import-batch-run.ts';
import { eraseCreatedSql, eraseSql, IN_SCOPE, insertSql, restoreSql, softDeleteSql, updateSql, type WriteContext } from './write-sql.ts';
import { createBulkWriter, parseUpsertOn, type Hooked } from './bulk.ts';
import { uuidv7 } from '../db/index.ts';
import { checkMaintainRows, maintainSql, type MaintainRow } from './maintain.ts';
import { checkMarkRows, markSql, type MarkRow } from './mark.ts';

export type RecordRow = Record<string, unknown>;
export type Actor = WriteContext;

export interface RecordServiceDeps {
  db: Database;
  registry: Pick<Registry, 'get' | 'snapshot'>;
  /** Plugins' before-hooks (and a nudge for their after-hooks); none by default. */
  hooks?: RecordHooks;
}

export function createRecordService({ db, registry, hooks }: RecordServiceDeps) {
  /** Runs fn in the caller's transaction (as a savepoint) or in a new one. */
  const inTransaction = <T>(exec: Executor, fn: (tx: Transaction) => Promise<T>): Promise<T> =>
    'savepoint' in exec ? (exec as Transaction).savepoint(fn) : db.transaction(fn);
  const beforeHooks = (object: string, event: HookEvent) => hooks?.before(object, event) ?? [];
  const { ctx, scopeOf, assertWritable, whyNot, singlePath } = createWriteAccess(registry, beforeHooks);

  async function get(
    object: string,
    recordId: string,
    actor: Actor,
    opts: { include?: string; fields?: string } = {},
    exec: Executor = db,
  ): Promise<RecordRow> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    const q = parseListParams(model, { include: opts.include, fields: opts.fields }, actor.access);
    const read = scopeOf(model, 'read', actor);
    const [row] =
      await exec.query(sql`select ${selectList(model, 't', q.fields ?? readableFields(model, actor.access))} from ${sql.identifier(model.table)} as t
      where t.id = ${recordId}::uuid and t.deleted_at is null ${read ? sql`and ${read}` : sql``}`);
    if (!row) throw notFound(`No ${model.name} record with id "${recordId}"`);
    if (q.include.length) await expandIncludes(exec, model, [row], q.include, ctx(actor));
    return row;
  }

  async function list(object: string, params: ListParams, actor: Actor, exec: Executor = db): Promise<Page> {
    const model = registry.get(object);
    return runList(exec, model, parseListParams(model, params, actor.access), ctx(actor));
  }

  /** `opts.hooked`: values the batch before-hooks already gave this record (bulk.ts), written as they are. */
  async function create(object: string, input: unknown, actor: Actor, exec: Executor = db, opts: Hooked = {}): Promise<RecordRow> {
    const model = registry.get(object);
    assertObject(model, 'create', actor.access);
    assertOverride(model, actor);
    const provided = new Set(typeof input === 'object' && input ? Object.keys(input) : []);
    const values = checkInput(model, input, 'create');
    assertWritable(model, actor, provided);
    const scope = scopeOf(model, 'create', actor);
    const fields = readableFields(model, actor.access);
    const recordId = uuidv7();
    const before = beforeHooks(model.name, 'create');
    // A scoped create: with "own", a record that names no owner becomes the caller's — on every
    // path, before any hook sees the values (issue 13 item 14: the hook path skipped this and
    // refused the same input with 403). An explicit null names no owner either: the studio's
    // form and an import's empty cell send it, and refusing it left a sales rep unable to create.
    const scoped = scope ? createScopeField(model, actor) : undefined;
    if (scoped?.own && values[scoped.field] == null && model.fields.has(scoped.field)) values[scoped.field] = actor.actor;
    // A refusal names the user field the scope looks at (owner, assignee), else the object.
    const owned = scoped?.field;
    /** Inserts the record; a scoped create's record must fall inside the scope (a refusal rolls the insert back). */
    const insert = async (tx: Executor, checked: Record<string, unknown>) => {
      const [row] = await tx.query(insertSql(model, recordId, checked, actor, { fields }));
      if (scope) {
        const [inScope] = await tx.query(
          sql`select 1 as ok from ${sql.identifier(model.table)} as t where t.id = ${recordId}::uuid and ${scope}`,
        );
        if (!inScope)
          throw forbidden(`You may only create ${model.name} records within your scope`, [
            { field: owned ?? model.name, message: 'is outside what you may create' },
          ]);
      }
      return row;
    };
    try {
      const row =
        before.length || opts.hooked
          ? await inTransaction(exec, async (tx) => {
              const changed = opts.hooked ?? (await runBeforeHooks(before, { object: model.name, event: 'create', values, actor, tx }));
              return insert(tx, changed === values || opts.hooked ? changed : checkInput(model, changed, 'create'));
            })
          : scope
            ? await inTransaction(exec, (tx) => insert(tx, values))
            : await insert(exec, values);
      hooks?.written?.();
      return row;
    } catch (e) {
      return translate(model, e, values);
    }
  }

  async function update(
    object: string,
    recordId: string,
    input: unknown,
    actor: Actor,
    opts: { ifMatch?: number } & Hooked = {},
    exec: Executor = db,
  ): Promise<RecordRow> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    assertObject(model, 'update', actor.access);
    assertOverride(model, actor);
    const provided = new Set(typeof input === 'object' && input ? Object.keys(input) : []);
    const values = checkInput(model, input, 'update');
    assertWritable(model, actor, provided);
    const scope = scopeOf(model, 'update', actor);
    // The record after the update must still be inside the update scope, unless the role may
    // transfer records of this object: the check runs in the update statement, and a refusal
    // rolls it back.
    const keep = scope && !actor.access!.perms(model).transfer ? scope : undefined;
    const before = beforeHooks(model.name, 'update');
    if (Object.keys(opts.hooked ?? values).length > 0) {
      try {
        const write = async (tx: Executor, v: Record<string, unknown>) => {
          const [row] = await tx.query(
            updateSql(model, recordId, v, actor, opts.ifMatch, { scope, keep, fields: readableFields(model, actor.access) }),
          );
          if (row && keep) {
            const inside = row[IN_SCOPE];
            delete row[IN_SCOPE];
            if (inside !== true) throw leftScope(model, v, actor);
          }
          return row;
        };
        const row =
          before.length || keep || opts.hooked
            ? await inTransaction(exec, async (tx) => {
                if (opts.hooked) return write(tx, opts.hooked);
                if (!before.length) return write(tx, values);
                const changed = await runBeforeHooks(before, { object: model.name, event: 'update', id: recordId, values, actor, tx });
                return write(tx, changed === values ? values : checkInput(model, changed, 'update'));
              })
            : await write(exec, values);
        if (row) {
          hooks?.written?.();
          return row;
        }
      } catch (e) {
        return translate(model, e, values);
      }
    }
    // Nothing written: the record is missing, out of scope, at another version, or unchanged.
    const current = await get(object, recordId, actor, {}, exec);
    if (scope) {
      const [mine] = await exec.query(
        sql`select 1 as ok from ${sql.identifier(model.table)} as t where t.id = ${recordId}::uuid and ${scope}`,
      );
      if (!mine) throw (await whyNot(model, recordId, 'update', actor, exec))!;
    }
    if (opts.ifMatch !== undefined && current.version !== opts.ifMatch) {
      throw preconditionFailed(
        `${model.name} ${recordId} is at version ${current.version}, not ${opts.ifMatch}; it was changed by someone else`,
        { current_version: current.version },
      );
    }
    return current;
  }

  async function remove(
    object: string,
    recordId: string,
    actor: Actor,
    opts: { permanent?: boolean; ifMatch?: number } = {},
    exec: Executor = db,
  ): Promise<void> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    assertObject(model, 'delete', actor.access);
    const scope = scopeOf(model, 'delete', actor);
    const before = beforeHooks(model.name, 'delete');
    try {
      const statement = opts.permanent
        ? eraseSql(model, recordId, actor, { scope })
        : softDeleteSql(model, recordId, actor, opts.ifMatch, { scope });
      const rows = before.length
        ? await inTransaction(exec, async (tx) => {
            await runBeforeHooks(before, { object: model.name, event: 'delete', id: recordId, values: {}, actor, tx });
            return tx.query(statement);
          })
        : await exec.query(statement);
      if (rows.length) {
        hooks?.written?.();
        return;
      }
    } catch (e) {
      translate(model, e);
    }
    if (scope) {
      const refusal =
        (await whyNot(model, recordId, 'delete', actor, exec, false)) ??
        (opts.permanent ? await whyNot(model, recordId, 'delete', actor, exec, true) : undefined);
      if (refusal) throw refusal;
    }
    const read = scopeOf(model, 'read', actor);
    const [row] = await exec.query<{ version: number; deleted: boolean }>(
      sql`select t.version, t.deleted_at is not null as deleted from ${sql.identifier(model.table)} as t where t.id = ${recordId}::uuid ${read ? sql`and ${read}` : sql``}`,
    );
    if (row && !row.deleted && opts.ifMatch !== undefined) {
      throw preconditionFailed(`${model.name} ${recordId} is at version ${row.version}, not ${opts.ifMatch}`, {
        current_version: row.version,
      });
    }
    throw notFound(`No ${model.name} record with id "${recordId}"${row?.deleted ? ' (it is already in the trash)' : ''}`);
  }

  async function restore(object: string, recordId: string, actor: Actor, exec: Executor = db): Promise<RecordRow> {
    const model = registry.get(object);
    mustBeId(model, recordId);
    assertObject(model, 'delete', actor.access);
    const scope = scopeOf(model, 'delete', actor);
    try {
      const [row] = await exec.query(restoreSql(model, recordId, actor, { scope, fields: readableFields(model, actor.access) }));
      if (row) return row;
    } catch (e) {
      translate(model, e);
    }
    if (scope) {
      const refusal = await whyNot(model, recordId, 'restore', actor, exec, true);
      if (refusal) throw refusal;
    }
    throw notFound(`No ${model.name} record with id "${recordId}" in the trash`);
  }

  async function timeline(object: string, recordId: string, actor: Actor, params: TimelineParams) {
    const model = registry.get(object);
    mustBeId(model, recordId);
    const page = timelinePage(params);
    assertObject(model, 'read', actor.access);
    return readTimeline(db, model, recordId, actor.access, scopeOf(model, 'read', actor), page);
  }

  const bulkWriter = createBulkWriter({ db, registry, create, update, scopeOf, beforeHooks, singlePath });

  /** What the bulk import path borrows from this service (its closures hold the permissions). */
  const importTools = {
    assertWritable,
    scopedCreate: (m: ObjectModel, a: Actor) => singlePath(m, a, false),
    scopedUpsert: (m: ObjectModel, a: Actor) => singlePath(m, a, true),
    beforeHooks: (m: ObjectModel, event: 'create' | 'update') => beforeHooks(m.name, event),
    writeOne: bulkWriter.writeOne,
  };

  /** Imports: a batch of rows validated and written in bulk inside the caller's transaction. */
  async function importBatch(tx: Transaction, object: string, rows: ImportRow[], actor: Actor, opts: ImportBatchOptions = {}) {
    const model = registry.get(object);
    assertOverride(model, actor);
    const result = await runImportBatch(importTools, tx, model, rows, actor, {
      ...opts,
      upsertOn: opts.upsertOn && parseUpsertOn(model, opts.upsertOn),
    });
    // The batch wrote outbox events: nudge the plugins' after-hooks as a single write does.
    if (result.written.length) hooks?.written?.();
    return result;
  }

  /** Whether this caller's import batches into `object` may be written concurrently (import-batch.ts). */
  const importBatchesIndependent = (object: string, actor: Actor, opts: { upsertOn?: string[] } = {}) =>
    batchesIndependent(importTools, registry.get(object), actor, opts.upsertOn);

  /** Erases up to `limit` records created under `requestId` (an all-or-nothing import that failed late). */
  async function eraseImported(object: string, requestId: string, actor: Actor, limit = 5000): Promise<number> {
    const model = registry.get(object);
    const [r] = await db.query<{ n: number }>(eraseCreatedSql(model, requestId, actor, limit));
    return r?.n ?? 0;
  }

  /** A plugin's silent write of its internal fields (maintain.ts); answers how many records it touched. */
  async function maintain(object: string, rows: MaintainRow[], plugin: string, exec: Executor = db): Promise<number> {
    const model = registry.get(object);
    const checked = checkMaintainRows(model, plugin, rows).filter((r) => Object.keys(r.values).length);
    if (!checked.length) return 0;
    return (await exec.query<{ id: string }>(maintainSql(model, checked))).length;
  }

  /** A plugin's guarded set-based write of its own fields, with history and events (mark.ts); answers the ids written. */
  async function mark(object: string, rows: MarkRow[], plugin: string, actor: Actor, exec: Executor = db): Promise<string[]> {
    const model = registry.get(object);
    const checked = checkMarkRows(model, plugin, rows).filter((r) => Object.keys(r.values).length);
    if (!checked.length) return [];
    const written = await exec.query<{ index: number; changed: boolean }>(markSql(model, checked, actor));
    return written.filter((w) => w.changed).map((w) => checked[Number(w.index)].id);
  }

  return {
    get,
    list,
    create,
    update,
    remove,
    restore,
    bulk: bulkWriter.bulk,
    timeline,
    importBatch,
    importBatchesIndependent,
    eraseImported,
    maintain,
    mark,
  };
}

export type RecordService = ReturnType<typeof createRecordService>;
