// Bulk writes (POST /api/records/{object}/bulk): up to MAX_BULK records created, or upserted
// on a key, in one transaction — all or nothing unless partial — each through the single-record
// create/update, so scopes, field permissions, history and events are theirs. Before-hooks
// that all have a batch form see the request once: the rows that will be created in one call
// and, for upserts, the rows that will update (matched first, with their ids) in another; the
// records are then written with the values the hooks gave them.
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor, Transaction } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { fieldOf, matchKeys, type ObjectModel } from '../model/index.ts';
import { assertObject } from '../query/index.ts';
import { conflict, isProblem, ProblemError, tooLarge, validation } from '../problems/index.ts';
import { checkInput } from './validate.ts';
import { assertOverride, runBatchHooks, type BatchRow, type BeforeHook, type HookEvent } from './hooks.ts';
import { keyCondition, matchKey } from './bulk-upsert.ts';
import type { WriteContext } from './write-sql.ts';

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
  /** Per-row problems; a problem's extra members (a plugin's `matches`, say) come along. */
  errors: ({ index: number; status: number; title: string; detail?: string; errors?: unknown[] } & Record<string, unknown>)[];
}

export const MAX_BULK = 1000;

type Row = Record<string, unknown>;
/** Values the before-hooks already gave a record (written without running them again). */
export type Hooked = { hooked?: Row };

/** What bulk writes borrow from the records service (its closures hold the permissions). */
export interface BulkDeps {
  db: Database;
  registry: Pick<Registry, 'get'>;
  create(object: string, input: unknown, actor: WriteContext, exec?: Executor, opts?: Hooked): Promise<Row>;
  update(
    object: string,
    id: string,
    input: unknown,
    actor: WriteContext,
    opts?: { ifMatch?: number } & Hooked,
    exec?: Executor,
  ): Promise<Row>;
  scopeOf(model: ObjectModel, verb: 'read', actor: WriteContext): SQL | undefined;
  beforeHooks(object: string, event: HookEvent): BeforeHook[];
  /** Whether the caller's rows need the single-record path (a scope, a hook without a batch form). */
  singlePath(model: ObjectModel, actor: WriteContext, upsert: boolean): boolean;
}

/** A row's outcome of the batch before-hooks: the values to write (and the record it updates), or its problem. */
type Prepared = { values: Row; id?: string; version?: number } | ProblemError;

export function createBulkWriter(deps: BulkDeps) {
  const { db, registry } = deps;

  async function bulk(object: string, body: BulkInput, actor: WriteContext): Promise<BulkResult> {
    const model = registry.get(object);
    assertObject(model, body?.upsert_on === undefined ? 'create' : 'read', actor.access);
    assertOverride(model, actor);
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
      result.errors.push({ ...e.extra, index, status: e.status, title: e.title, detail: e.detail, errors: e.errors });
    };
    // Validate everything first: an all-or-nothing request with a bad row writes nothing.
    const checked: (Row | undefined)[] = records.map((r, i) => {
      try {
        return upsertOn ? (checkInput(model, r, 'update'), r as Row) : checkInput(model, r, 'create');
      } catch (e) {
        fail(i, e);
        return undefined;
      }
    });
    if (result.failed && !partial) throw bulkFailure(result);
    const hooked =
      !deps.singlePath(model, actor, !!upsertOn) &&
      (deps.beforeHooks(model.name, 'create').length > 0 || (!!upsertOn && deps.beforeHooks(model.name, 'update').length > 0));

    class Abort extends Error {}
    try {
      await db.transaction(async (tx) => {
        const prepared = hooked ? await prepare(tx, model, records, checked, upsertOn, actor) : new Map<number, Prepared>();
        // Every refusal of the hooks at once: all or nothing reports them all.
        for (const [i, p] of prepared) if (p instanceof ProblemError) fail(i, p);
        if (result.failed && !partial) throw new Abort();
        for (let i = 0; i < records.length; i++) {
          // The raw record goes to the write (checked[] only marks rows that passed), so the
          // defaults validation filled in do not count as fields the caller wrote.
          const pre = prepared.get(i);
          if (!checked[i] || pre instanceof ProblemError) continue;
          const input = records[i] as Row;
          const run = (t: Transaction) => (pre ? writePrepared(t, model, input, pre, actor) : writeOne(t, model, input, upsertOn, actor));
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
    result.errors.sort((a, b) => a.index - b.index);
    return result;
  }

  /**
   * The batch before-hooks over the request: creates in one call, and for upserts the first
   * row of each key that matches a record in another (with its id). A later row of a key, or
   * one without a key, is left to the single-record path (writeOne), after what came before it.
   */
  async function prepare(
    tx: Transaction,
    model: ObjectModel,
    records: unknown[],
    checked: (Row | undefined)[],
    upsertOn: string[] | undefined,
    actor: WriteContext,
  ) {
    const out = new Map<number, Prepared>();
    const creates: (BatchRow & { version?: number })[] = [];
    const updates: (BatchRow & { version?: number })[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < records.length; i++) {
      if (!checked[i]) continue;
      if (!upsertOn) {
        creates.push({ index: i, values: checked[i]! });
        continue;
      }
      const input = records[i] as Row;
      const k = matchKey(model, upsertOn, input);
      if (!('key' in k) || keys.has(JSON.stringify(k.key))) continue;
      keys.add(JSON.stringify(k.key));
      try {
        const match = await findMatch(tx, model, upsertOn, input, actor);
        if (match) updates.push({ index: i, id: match.id, version: Number(match.version), values: checkInput(model, input, 'update') });
        else creates.push({ index: i, values: checkInput(model, input, 'create') });
      } catch (e) {
        if (!isProblem(e) || e.status >= 500) throw e;
        out.set(i, e);
      }
    }
    for (const [event, rows] of [
      ['update', updates],
      ['create', creates],
    ] as const) {
      if (!rows.length) continue;
      const outcomes = await runBatchHooks(
        deps.beforeHooks(model.name, event),
        { object: model.name, event, rows: rows.map((r) => ({ index: r.index, id: r.id, values: r.values })), actor, tx },
        (v, scope) => checkInput(model, v, scope === 'fields' ? 'update' : event),
      );
      rows.forEach((r, n) => {
        const o = outcomes[n];
        out.set(r.index, o instanceof ProblemError ? o : { values: o, id: r.id, version: r.version });
      });
    }
    return out;
  }

  async function writePrepared(tx: Transaction, model: ObjectModel, input: Row, pre: Exclude<Prepared, ProblemError>, actor: WriteContext) {
    if (pre.id) {
      const row = await deps.update(model.name, pre.id, input, actor, { hooked: pre.values }, tx);
      return { id: row.id as string, action: Number(row.version) === pre.version ? ('unchanged' as const) : ('updated' as const) };
    }
    const row = await deps.create(model.name, input, actor, tx, { hooked: pre.values });
    return { id: row.id as string, action: 'created' as const };
  }

  /** One record of a bulk write or an import the set-based path cannot take, with its hooks. */
  async function writeOne(tx: Transaction, model: ObjectModel, input: Row, upsertOn: string[] | undefined, actor: WriteContext) {
    if (upsertOn) {
      const match = await findMatch(tx, model, upsertOn, input, actor);
      if (match) {
        const before = Number(match.version);
        const row = await deps.update(model.name, match.id, input, actor, {}, tx);
        return { id: row.id as string, action: Number(row.version) === before ? ('unchanged' as const) : ('updated' as const) };
      }
    }
    const row = await deps.create(model.name, input, actor, tx);
    return { id: row.id as string, action: 'created' as const };
  }

  async function findMatch(tx: Executor, model: ObjectModel, upsertOn: string[], input: Row, actor: WriteContext) {
    // The key as a batch of an import matches it (emails without case, phones as E.164).
    const k = matchKey(model, upsertOn, input);
    if (!('key' in k)) throw validation([{ field: k.field, message: k.message }]);
    const conds = upsertOn.map((name, n) => {
      const f = model.fields.get(name)!;
      return matchKeys[f.spec.type] ? keyCondition(f, sql`${k.key[n]}::text`, String(k.key[n])) : keyCondition(f, f.type.bind(k.key[n]));
    });
    // Matching sees only what the caller may read: an upsert is no way to probe hidden records.
    const read = deps.scopeOf(model, 'read', actor);
    const rows = await tx.query<{ id: string; version: number }>(
      sql`select t.id::text as id, t.version from ${sql.identifier(model.table)} as t where t.deleted_at is null ${read ? sql`and ${read}` : sql``} and ${sql.join(conds, sql` and `)} order by t.id limit 2 for update`,
    );
    if (rows.length > 1)
      throw conflict(
        `More than one ${model.name} record matches ${upsertOn.join(', ')}; cannot choose which to update`,
        upsertOn.map((f) => ({ field: f, message: 'matches several records' })),
      );
    return rows[0];
  }

  return { bulk, writeOne };
}

/** `upsert_on` as a list of fields that can identify a record (bulk writes and imports), or a 422. */
export function parseUpsertOn(model: ObjectModel, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const names =
    typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 ? (v as string[]) : undefined;
  if (!names) throw validation([{ field: 'upsert_on', message: 'must be a field name or a list of field names' }]);
  for (const n of names) {
    const f = fieldOf(model, n);
    if (!f || !model.fields.has(n)) throw validation([{ field: 'upsert_on', message: `"${n}" is not a field of ${model.name}` }]);
    if (!f.type.sortable || (f.type.readOnly && f.spec.type !== 'autonumber'))
      throw validation([{ field: 'upsert_on', message: `a ${f.spec.type} field cannot identify records` }]);
  }
  return names;
}

function bulkFailure(result: BulkResult): ProblemError {
  result.errors.sort((a, b) => a.index - b.index);
  // One kind of failure keeps its status (409, 403, …); a mix is a 422.
  const first = result.errors[0];
  const uniform = result.errors.every((e) => e.status === first.status);
  const status = uniform ? first.status : 422;
  const types: Record<number, [string, string]> = {
    403: ['forbidden', 'Forbidden'],
    404: ['not-found', 'Not found'],
    409: ['conflict', 'Conflict'],
    422: ['validation', 'Validation failed'],
  };
  const [type, title] = types[status] ?? ['validation', 'Validation failed'];
  return new ProblemError({
    status,
    type,
    title,
    detail: `${result.errors.length} of the records ${result.errors.length === 1 ? 'is' : 'are'} invalid; nothing was written (send "partial": true to write the valid ones)`,
    errors: result.errors.flatMap((r) =>
      ((r.errors as { field: string; message: string }[] | undefined) ?? [{ field: '(record)', message: r.detail ?? r.title }]).map(
        (e) => ({
          field: `records[${r.index}].${e.field}`,
          message: e.message,
        }),
      ),
    ),
    extra: { created: 0, updated: 0, failed: result.errors.length, rows: result.errors },
  });
}
