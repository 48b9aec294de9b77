// Set-based upserts for imports (upsert_on): one statement finds the live record each row
// matches (emails compared without case or surrounding spaces, as the single-record path
// does), and one statement updates all matched records — only the fields each row provides,
// only when a value really changes — with the history row ({ field: { from, to } }, computed
// in SQL like updateSql's) and the outbox event of each. Unmatched rows are created by
// bulk-insert.ts. Rows whose key repeats an earlier row of the batch are left to the caller's
// single-record path, after the batch, so a file that mentions a key twice behaves as if it
// were written row by row.
import { sql, type SQL } from 'drizzle-orm';
import { matchKeys, type FieldModel, type ObjectModel } from '../model/index.ts';
import { selectList } from '../query/index.ts';
import type { Stage } from './staging.ts';
import { journalSql, unauditedArray, type WriteContext } from './write-sql.ts';

const id = sql.identifier;

/**
 * The match key of a row — per field its value, or for emails and phones the normalized key
 * (model/match-keys.ts) — or the field lacking one. The single upsert (findMatch) uses it too.
 */
export function matchKey(
  model: ObjectModel,
  upsertOn: string[],
  input: Record<string, unknown>,
): { key: unknown[] } | { field: string; message: string } {
  const key: unknown[] = [];
  for (const name of upsertOn) {
    const f = model.fields.get(name)!;
    const v = f.type.normalize ? f.type.normalize(input[name], f.spec) : input[name];
    if (v === undefined || v === null) return { field: name, message: 'is needed to match an existing record (upsert_on)' };
    const problem = f.type.checkValue(v, f.spec);
    if (problem) return { field: name, message: problem };
    const normalized = matchKeys[f.spec.type];
    const k = normalized ? normalized.of(v) : v;
    if (k === null) return { field: name, message: 'has no value to match on' };
    key.push(k);
  }
  return { key };
}

/**
 * SQL: the stored value of `f` on alias t, in the form matchKey gives `value`. `known` is that
 * key when it is one value (a single lookup), so the match can narrow the rows cheaply first.
 */
export function keyCondition(f: FieldModel, value: SQL, known?: string): SQL {
  const normalized = matchKeys[f.spec.type];
  if (!normalized) return sql`${f.type.key(f.col('t'))} = ${value}`;
  const col = f.col('t')();
  const narrow = known === undefined ? undefined : normalized.narrow?.(col, known);
  return narrow ? sql`(${narrow} and ${normalized.sql(col)} = ${value})` : sql`${normalized.sql(col)} = ${value}`;
}

/** Rows (index, key) → the ids of the live records each matches (none, one, or several). */
export function matchSql(model: ObjectModel, upsertOn: string[], rows: { index: number; key: unknown[] }[], readScope?: SQL): SQL {
  const fields = upsertOn.map((n) => model.fields.get(n)!);
  const defs = [
    sql`i int`,
    ...fields.map((f, n) => sql`${id(`k${n}`)} ${sql.raw(matchKeys[f.spec.type] ? 'text' : f.type.columns(f.spec)[0].type)}`),
  ];
  const conds = fields.map((f, n) => keyCondition(f, sql`k.${id(`k${n}`)}`));
  const records = rows.map((r) =>
    Object.fromEntries([['i', r.index], ...r.key.map((v, n) => [`k${n}`, typeof v === 'object' ? v : String(v)])]),
  );
  return sql`select k.i as index, array_agg(t.id::text order by t.id) as ids
    from json_to_recordset(${JSON.stringify(records)}::json) as k(${sql.join(defs, sql`, `)})
    join ${id(model.table)} as t on t.deleted_at is null and ${sql.join(conds, sql` and `)} ${readScope ? sql`and ${readScope}` : sql``}
    group by k.i`;
}

/**
 * Updates matched records (a staged batch whose ids are theirs); answers, per row, whether its
 * record changed. `guard` (alias t the record, s the row) is a further condition a record must
 * meet to be written (mark.ts: still at the version read).
 */
export function bulkUpdateSql(model: ObjectModel, { staged, relation }: Stage, ctx: WriteContext, guard?: SQL): SQL {
  // A row sets only the fields it provides (ch ? field); the others keep their value.
  const has = (c: { field: FieldModel }) => sql`(s.ch ? ${c.field.name}::text)`;
  const sets = staged.map((c) => sql`${id(c.column)} = case when ${has(c)} then ${c.value} else t.${id(c.column)} end`);
  const changed = staged.map((c) => sql`(${has(c)} and t.${id(c.column)} is distinct from ${c.value})`);
  return sql`with s as materialized (
      select * from ${relation}
    ), o as materialized (
      select s.i as __i, ${selectList(model, 'o')} from ${id(model.table)} as o join s on o.id = s.id
    ), w as (
      update ${id(model.table)} as t set ${sql.join(sets, sql`, `)}, version = t.version + 1, updated_at = now(), updated_by = ${ctx.actor}::uuid
      from s where t.id = s.id and t.deleted_at is null and (${sql.join(changed, sql` or `)}) ${guard ? sql`and ${guard}` : sql``}
      returning s.i as __i, ${selectList(model, 't')}
    ), ${journalSql(model, ctx, {
      action: 'update',
      topic: 'record.updated',
      changes: sql`(
          select coalesce(jsonb_object_agg(k, jsonb_build_object('from', to_jsonb(o) -> k, 'to', to_jsonb(w) -> k)), '{}')
          from jsonb_object_keys(s.ch) k where k <> all(${unauditedArray(model)}) and (to_jsonb(o) -> k) is distinct from (to_jsonb(w) -> k))`,
      from: sql`w join o using (__i) join s on s.i = w.__i`,
    })}
    select s.i as index, w.__i is not null as changed from s left join w on w.__i = s.i order by s.i`;
}
