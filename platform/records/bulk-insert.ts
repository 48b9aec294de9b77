// Set-based creates for imports: a batch of already validated rows goes to PostgreSQL as ONE
// bound JSON parameter, is staged with json_to_recordset (typed by the field-type table's
// columns), checked set-based (unique values inside the batch and against live records,
// relation targets), and the rows that pass are inserted with one history row and one outbox
// event each — the same shapes as write-sql.ts's insertSql — all in one statement. The rows
// that do not pass come back with their reason; nothing about them is written.
//
// Why a JSON parameter and not COPY: the statement must run inside the caller's transaction
// on both drivers (PGlite's COPY FROM '/dev/blob' is not reachable through a drizzle
// transaction), and on this machine the transfer is not where the time goes (see
// bench/RESULTS.md, issue 8): one 5,000-row parameter parses in a few milliseconds.
import { sql, type SQL } from 'drizzle-orm';
import type { FieldModel, ObjectModel } from '../model/index.ts';
import { autonumberSql, type WriteContext } from './write-sql.ts';

const id = sql.identifier;

/** One staged column: its name in the staging record, its SQL type there, and how it becomes the table's value. */
export interface StagedColumn {
  field: FieldModel;
  column: string;
  /** Name in the staging record (c0, c1…: column names are metadata, but short aliases keep the JSON small). */
  alias: string;
  stagedType: string;
  /** SQL for the table column's value from the staged alias on s. */
  value: SQL;
  /** The value's text for the staging JSON. */
  text(v: unknown): unknown;
}

/**
 * How each field's value is staged. Every field type but three writes one value cast to its
 * column type (field-types.ts: `cast(v, type)`), so it is staged as that type directly.
 */
export function stagedColumns(model: ObjectModel, fields: FieldModel[]): StagedColumn[] {
  const out: StagedColumn[] = [];
  for (const f of fields) {
    const cols = f.type.columns(f.spec);
    const alias = () => `c${out.length}`;
    if (f.spec.type === 'currency') {
      const a = alias();
      out.push({ field: f, column: cols[0].name, alias: a, stagedType: 'numeric', value: sql`s.${id(a)}`, text: (v) => (v === null ? null : String((v as { amount: unknown }).amount)) });
      const b = alias();
      out.push({ field: f, column: cols[1].name, alias: b, stagedType: 'text', value: sql`s.${id(b)}`, text: (v) => (v === null ? null : ((v as { currency?: string }).currency ?? f.spec.currency ?? null)) });
    } else if (f.spec.type === 'multi_select') {
      const a = alias();
      out.push({ field: f, column: cols[0].name, alias: a, stagedType: 'jsonb', value: sql`case when s.${id(a)} is null then null else array(select jsonb_array_elements_text(s.${id(a)})) end`, text: (v) => v });
    } else {
      const a = alias();
      // json columns stage as jsonb: the value goes through the JSON parameter as itself.
      out.push({ field: f, column: cols[0].name, alias: a, stagedType: cols[0].type, value: sql`s.${id(a)}`, text: (v) => (v === null || typeof v === 'object' ? v : f.spec.type === 'json' ? v : String(v)) });
    }
  }
  void model;
  return out;
}

export interface BulkRow {
  index: number;
  id: string;
  values: Record<string, unknown>;
}

/**
 * The statement. It answers the rows NOT written: `index` and `reason` ("field\u001fmessage",
 * see reasonParts); every other row was (a clean batch answers no row at all). The staged columns are the
 * fields any row of the batch sets; a row that leaves one out stages null (field columns have
 * no column defaults, so that is what a single insert leaves there too).
 */
/**
 * A batch as one JSON parameter for jsonb_to_recordset: per row its index, id and changes (ch),
 * plus one text column per staged column of the fields any row provides; `defs` types them.
 */
export function stageRows(model: ObjectModel, rows: BulkRow[]) {
  const present = new Set(rows.flatMap((r) => Object.keys(r.values)));
  const fields = model.fieldList.filter((f) => present.has(f.name));
  const staged = stagedColumns(model, fields);
  const records = rows.map((r) => {
    const rec: Record<string, unknown> = { i: r.index, id: r.id, ch: r.values };
    for (const c of staged) {
      const v = r.values[c.field.name];
      if (v !== undefined) rec[c.alias] = c.text(v);
    }
    return rec;
  });
  const defs = [sql`i int`, sql`id uuid`, sql`ch jsonb`, ...staged.map((c) => sql`${id(c.alias)} ${sql.raw(c.stagedType)}`)];
  return { fields, staged, records, defs };
}

export function bulkInsertSql(model: ObjectModel, rows: BulkRow[], ctx: WriteContext, opts: { checkOnly?: boolean } = {}): SQL {
  const { fields, staged, records, defs } = stageRows(model, rows);
  const byColumn = new Map(staged.map((c) => [c.column, c]));

  // Unique fields: a value may appear once among live records — the first row of the batch
  // that has it wins, later ones fail; a value a live record already has fails.
  const uniques = fields.filter((f) => f.spec.unique);
  const checks: SQL[] = [];
  const firsts: SQL[] = [];
  for (const f of uniques) {
    const c = byColumn.get(f.name)!;
    checks.push(sql`when s.${id(c.alias)} is not null and exists (select 1 from ${id(model.table)} x where x.${id(f.name)} = s.${id(c.alias)} and x.deleted_at is null)
      then ${`${f.name}\u001fis already used by another record`}::text`);
    checks.push(sql`when s.${id(c.alias)} is not null and s.${id(`first_${c.alias}`)} < s.i
      then ${`${f.name}\u001fis already used by an earlier row of this import`}::text`);
    firsts.push(sql`min(s.i) over (partition by s.${id(c.alias)}) as ${id(`first_${c.alias}`)}`);
  }
  // Relation and user targets must exist (the foreign keys would refuse the whole statement).
  for (const f of fields.filter((x) => x.spec.type === 'relation' || x.spec.type === 'user')) {
    const c = byColumn.get(f.name)!;
    const target = f.spec.type === 'user' ? 'kizuna_users' : f.spec.target!;
    const what = f.spec.type === 'user' ? 'user' : `${f.spec.target} record`;
    checks.push(sql`when s.${id(c.alias)} is not null and not exists (select 1 from ${id(target)} x where x.id = s.${id(c.alias)})
      then ${`${f.name}\u001fno ${what} with id `}::text || s.${id(c.alias)}::text`);
  }
  const reason = checks.length ? sql`case ${sql.join(checks, sql` `)} end` : sql`null::text`;

  const autonumbers = model.fieldList.filter((f) => f.spec.type === 'autonumber');
  const head = [sql`id`, sql`created_by`, sql`updated_by`, ...staged.map((c) => id(c.column)), ...autonumbers.map((f) => id(f.name))];
  const vals = [sql`s.id`, sql`${ctx.actor}::uuid`, sql`${ctx.actor}::uuid`, ...staged.map((c) => c.value), ...autonumbers.map(autonumberSql)];

  const staging = sql`s as materialized (
      select * from json_to_recordset(${JSON.stringify(records)}::json) as s(${sql.join(defs, sql`, `)})
    ), chk as materialized (
      select s.i, ${reason} as reason from (select s.*${firsts.length ? sql`, ${sql.join(firsts, sql`, `)}` : sql``} from s) s
    )`;
  // A dry run (all_or_nothing's first pass) answers the same reasons and writes nothing.
  if (opts.checkOnly) return sql`with ${staging} select chk.i as index, chk.reason from chk where chk.reason is not null order by chk.i`;
  // `on conflict do nothing` covers a unique value another transaction committed meanwhile:
  // such a row is simply not returned by w, and is reported as a conflict below. Objects with
  // no unique field go without it: its speculative insertion costs ~40% of a plain insert, and
  // the only other unique key, the id, is a fresh uuidv7.
  return sql`with ${staging}, w as (
      insert into ${id(model.table)} as t (${sql.join(head, sql`, `)})
      select ${sql.join(vals, sql`, `)} from s join chk using (i) where chk.reason is null order by s.i
      ${uniques.length ? sql`on conflict do nothing` : sql``}
      returning t.id, t.version
    ), h as (
      insert into kizuna_history (object, record_id, version, action, changes, actor, request_id, via)
      select ${model.name}, w.id, w.version, 'create', s.ch, ${ctx.actor}::uuid, ${ctx.requestId ?? null}, ${ctx.via ?? null}
      from w join s on s.id = w.id
    ), e as (
      insert into kizuna_events (topic, object, record_id, payload)
      select 'record.created', ${model.name}, w.id, jsonb_build_object('id', w.id::text, 'version', w.version, 'actor', ${ctx.actor}::text) from w
    )
    select chk.i as index, coalesce(chk.reason, ${'(record)\u001fis already used by another record (written meanwhile)'}::text) as reason
    from chk join s using (i) left join w on w.id = s.id where chk.reason is not null or w.id is null order by chk.i`;
}

/** Splits a reason of bulkInsertSql into field and message. */
export function reasonParts(reason: string): { field: string; message: string } {
  const cut = reason.indexOf('\u001f');
  return cut < 0 ? { field: '(record)', message: reason } : { field: reason.slice(0, cut), message: reason.slice(cut + 1) };
}
