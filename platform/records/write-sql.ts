// The SQL of single-record writes. Each write is one statement: the row change, its history
// row and its outbox event in CTEs, so it is atomic without a transaction round trip.
import { sql, type SQL } from 'drizzle-orm';
import { parseAutonumberFormat, type FieldModel, type Label, type ObjectModel } from '../model/index.ts';
import { selectList, type QueryAccess } from '../query/index.ts';

const id = sql.identifier;

export interface WriteContext {
  /** The user the change is recorded for (created_by, updated_by, history). */
  actor: string | null;
  requestId?: string;
  /** How the caller signed in, for the audit trail: "key:<id>" or "session:<prefix>". */
  via?: string;
  /** The caller's permissions; absent only for the platform's own internal writes. */
  access?: QueryAccess;
  /** Why the write happened, in words for the timeline (a plugin's merge, its undo); kept in the history row. */
  note?: Label;
  /**
   * The caller asks to override what plugins' before-hooks would refuse (the records service
   * refuses the write with 403 unless the role grants override on the object). Hooks see it as
   * `override`; the write's history row records it in `via` (viaOf).
   */
  override?: boolean;
}

/** The history row's `via`: how the caller signed in, with "+override" for an override write. */
export const viaOf = (ctx: WriteContext): string | null => (ctx.override ? `${ctx.via ?? ''}+override` : (ctx.via ?? null));

/** What a write statement needs besides values: the caller's scope and visible fields. */
export interface WriteShape {
  /** Extra condition on the target row (alias t), e.g. the caller's update scope. */
  scope?: SQL;
  /** Fields to return (the caller's readable ones). */
  fields?: FieldModel[];
  /**
   * A condition the row must still meet after an update (alias t, the new values): answered as
   * the column IN_SCOPE of the returned row, for the caller to refuse (and roll back) the write.
   */
  keep?: SQL;
}

/** The column updateSql answers WriteShape.keep in. */
export const IN_SCOPE = 'kizuna_in_scope';

/** Column names and bound values for the given field values (null clears every column). */
export function assignments(model: ObjectModel, values: Record<string, unknown>): { column: string; value: SQL }[] {
  const out: { column: string; value: SQL }[] = [];
  for (const [name, v] of Object.entries(values)) {
    const f = model.fields.get(name)!;
    const cols = f.type.columns(f.spec);
    const bound = v === null ? cols.map(() => sql`null`) : f.type.write(v, f.spec);
    cols.forEach((c, i) => out.push({ column: c.name, value: bound[i] }));
  }
  return out;
}

/** Internal fields (data a plugin derives, e.g. duplicate keys): history rows leave them out. */
export const unauditedFields = (model: ObjectModel): string[] => model.fieldList.filter((f) => f.spec.internal).map((f) => f.name);

/** The internal fields as a bound text[] (drizzle would spread a JS array into a list). */
export const unauditedArray = (model: ObjectModel): SQL =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(unauditedFields(model))}::jsonb))`;

/** The values a create's history row records. */
function auditedValues(model: ObjectModel, values: Record<string, unknown>): Record<string, unknown> {
  const skip = unauditedFields(model);
  return skip.length ? Object.fromEntries(Object.entries(values).filter(([k]) => !skip.includes(k))) : values;
}

/** The next value of an autonumber field (also used by the import batch path). */
export function autonumberSql(f: FieldModel): SQL {
  const fmt = parseAutonumberFormat(f.spec.format)!;
  return sql`${fmt.prefix}::text || lpad(nextval(${f.spec.sequence}::regclass)::text, ${fmt.digits}::int, '0') || ${fmt.suffix}::text`;
}

/**
 * The history row and the outbox event of every record a write statement touched: the one place
 * both are written, for single writes, bulk writes and imports alike. Two CTEs, `h` and `e`, to
 * follow the statement's `w` (the records written, with id and version); `changes` is the
 * history's changes as SQL over `from` (w, or w joined to what the changes read).
 */
export function journalSql(model: ObjectModel, ctx: WriteContext, j: { action: string; topic: string; changes: SQL; from?: SQL }): SQL {
  return sql`h as (
      insert into kizuna_history (object, record_id, version, action, changes, actor, request_id, via, note)
      select ${model.name}, w.id::uuid, w.version, ${j.action}, ${j.changes}, ${ctx.actor}::uuid, ${ctx.requestId ?? null}, ${viaOf(ctx)},
        ${ctx.note ? JSON.stringify(ctx.note) : null}::jsonb
      from ${j.from ?? sql`w`}
    ), e as (
      insert into kizuna_events (topic, object, record_id, payload)
      select ${j.topic}, ${model.name}, w.id::uuid, jsonb_build_object('id', w.id::text, 'version', w.version, 'actor', ${ctx.actor}::text) from w
    )`;
}

export function insertSql(
  model: ObjectModel,
  recordId: string,
  values: Record<string, unknown>,
  ctx: WriteContext,
  shape: WriteShape = {},
): SQL {
  const cols = [sql`id`, sql`created_by`, sql`updated_by`];
  const vals = [sql`${recordId}::uuid`, sql`${ctx.actor}::uuid`, sql`${ctx.actor}::uuid`];
  for (const a of assignments(model, values)) {
    cols.push(sql`${id(a.column)}`);
    vals.push(a.value);
  }
  for (const f of model.fieldList) {
    if (f.spec.type === 'autonumber') {
      cols.push(sql`${id(f.name)}`);
      vals.push(autonumberSql(f));
    }
  }
  return sql`with w as (
      insert into ${id(model.table)} as t (${sql.join(cols, sql`, `)}) values (${sql.join(vals, sql`, `)})
      returning ${selectList(model, 't', shape.fields)}
    ), ${journalSql(model, ctx, { action: 'create', topic: 'record.created', changes: sql`${JSON.stringify(auditedValues(model, values))}::jsonb` })}
    select * from w`;
}

/**
 * Update only when a value really changes (no-op writes keep their version), optionally only
 * at an expected version. The history row records { field: { from, to } } computed in SQL
 * from the statement snapshot (no FOR UPDATE: locking a row the same statement updates skips it).
 */
export function updateSql(
  model: ObjectModel,
  recordId: string,
  values: Record<string, unknown>,
  ctx: WriteContext,
  expectedVersion?: number,
  shape: WriteShape = {},
): SQL {
  const sets = assignments(model, values);
  const changed = sets.map((a) => sql`t.${id(a.column)} is distinct from ${a.value}`);
  const skip = unauditedFields(model);
  const names = Object.keys(values).filter((k) => !skip.includes(k));
  return sql`with o as (
      select ${selectList(model, 'o')} from ${id(model.table)} as o where o.id = ${recordId}::uuid and o.deleted_at is null
    ), w as (
      update ${id(model.table)} as t set ${sql.join(
        sets.map((a) => sql`${id(a.column)} = ${a.value}`),
        sql`, `,
      )},
        version = t.version + 1, updated_at = now(), updated_by = ${ctx.actor}::uuid
      where t.id = ${recordId}::uuid and t.deleted_at is null
        ${expectedVersion !== undefined ? sql`and t.version = ${expectedVersion}::int` : sql``}
        ${shape.scope ? sql`and ${shape.scope}` : sql``}
        and (${sql.join(changed, sql` or `)})
      returning ${selectList(model, 't', shape.fields)}${shape.keep ? sql`, coalesce((${shape.keep}), false) as ${id(IN_SCOPE)}` : sql``}
    ), ${journalSql(model, ctx, {
      action: 'update',
      topic: 'record.updated',
      changes: sql`(
        select coalesce(jsonb_object_agg(k, jsonb_build_object('from', to_jsonb(o) -> k, 'to', to_jsonb(w) -> k)), '{}')
        from o, jsonb_array_elements_text(${JSON.stringify(names)}::jsonb) k
        where (to_jsonb(o) -> k) is distinct from (to_jsonb(w) -> k))`,
    })}
    select * from w`;
}

export function softDeleteSql(
  model: ObjectModel,
  recordId: string,
  ctx: WriteContext,
  expectedVersion?: number,
  shape: WriteShape = {},
): SQL {
  return sql`with w as (
      update ${id(model.table)} as t set deleted_at = now(), deleted_by = ${ctx.actor}::uuid, version = t.version + 1, updated_at = now(), updated_by = ${ctx.actor}::uuid
      where t.id = ${recordId}::uuid and t.deleted_at is null ${expectedVersion !== undefined ? sql`and t.version = ${expectedVersion}::int` : sql``}
        ${shape.scope ? sql`and ${shape.scope}` : sql``}
      returning t.id::text as id, t.version
    ), ${journalSql(model, ctx, { action: 'delete', topic: 'record.deleted', changes: sql`'{}'::jsonb` })}
    select * from w`;
}

export function eraseSql(model: ObjectModel, recordId: string, ctx: WriteContext, shape: WriteShape = {}): SQL {
  return sql`with w as (
      delete from ${id(model.table)} as t where t.id = ${recordId}::uuid ${shape.scope ? sql`and ${shape.scope}` : sql``} returning t.id::text as id, t.version + 1 as version
    ), ${journalSql(model, ctx, { action: 'erase', topic: 'record.erased', changes: sql`'{}'::jsonb` })}
    select * from w`;
}

export function restoreSql(model: ObjectModel, recordId: string, ctx: WriteContext, shape: WriteShape = {}): SQL {
  return sql`with w as (
      update ${id(model.table)} as t set deleted_at = null, deleted_by = null, version = t.version + 1, updated_at = now(), updated_by = ${ctx.actor}::uuid
      where t.id = ${recordId}::uuid and t.deleted_at is not null ${shape.scope ? sql`and ${shape.scope}` : sql``}
      returning ${selectList(model, 't', shape.fields)}
    ), ${journalSql(model, ctx, { action: 'restore', topic: 'record.restored', changes: sql`'{}'::jsonb` })}
    select * from w`;
}

/**
 * Erases the records a failed all-or-nothing import created (found by the import's request id
 * in the history), with an erase history row and event each, like a permanent delete.
 */
export function eraseCreatedSql(model: ObjectModel, requestId: string, ctx: WriteContext, limit: number): SQL {
  return sql`with victims as (
      select h.record_id from kizuna_history h join ${id(model.table)} x on x.id = h.record_id
      where h.object = ${model.name} and h.request_id = ${requestId} and h.action = 'create' limit ${limit}
    ), w as (
      delete from ${id(model.table)} as t where t.id in (select record_id from victims) returning t.id::text as id, t.version + 1 as version
    ), ${journalSql(model, ctx, { action: 'erase', topic: 'record.erased', changes: sql`'{}'::jsonb` })}
    select count(*)::int as n from w`;
}
