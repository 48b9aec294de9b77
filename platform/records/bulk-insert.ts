// Set-based creates for imports: a staged batch of already validated rows (staging.ts) is
// checked set-based (unique values inside the batch and against live records, relation
// targets), and the rows that pass are inserted with one history row and one outbox event
// each — the same shapes as write-sql.ts's insertSql — all in one statement. The rows that do
// not pass come back with their reason; nothing about them is written.
import { sql, type SQL } from 'drizzle-orm';
import type { ObjectModel } from '../model/index.ts';
import { autonumberSql, journalSql, unauditedArray, type WriteContext } from './write-sql.ts';
import type { Stage } from './staging.ts';

const id = sql.identifier;

/**
 * The statement for a staged batch (staging.ts). It answers the rows NOT written: `index` and
 * `reason` ("field\u001fmessage", see reasonParts); every other row was (a clean batch answers
 * no row at all). The staged columns are the fields any row of the batch sets; a row that
 * leaves one out stages null (field columns have no column defaults, so that is what a single
 * insert leaves there too).
 */
export function bulkInsertSql(
  model: ObjectModel,
  { fields, staged, relation }: Stage,
  ctx: WriteContext,
  opts: { checkOnly?: boolean } = {},
): SQL {
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
  const vals = [
    sql`s.id`,
    sql`${ctx.actor}::uuid`,
    sql`${ctx.actor}::uuid`,
    ...staged.map((c) => c.value),
    ...autonumbers.map(autonumberSql),
  ];

  const staging = sql`s as materialized (
      select * from ${relation}
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
    ), ${journalSql(model, ctx, { action: 'create', topic: 'record.created', changes: sql`s.ch - ${unauditedArray(model)}`, from: sql`w join s on s.id = w.id` })}
    select chk.i as index, coalesce(chk.reason, ${'(record)\u001fis already used by another record (written meanwhile)'}::text) as reason
    from chk join s using (i) left join w on w.id = s.id where chk.reason is not null or w.id is null order by chk.i`;
}

/** Splits a reason of bulkInsertSql into field and message. */
export function reasonParts(reason: string): { field: string; message: string } {
  const cut = reason.indexOf('\u001f');
  return cut < 0 ? { field: '(record)', message: reason } : { field: reason.slice(0, cut), message: reason.slice(cut + 1) };
}
