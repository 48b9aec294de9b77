// The transactional outbox (kizuna_events), read in an order no reader can skip past.
//
// Event ids come from an identity column, handed out when a row is inserted, not when its
// transaction commits: a reader following ids alone reads id 6, moves its cursor there, and
// never sees id 5 whose transaction committed a moment later. So every event carries its
// transaction id, readers follow (xid, id), and they only read events of transactions older
// than every transaction still running (the snapshot's xmin). Whatever commits later has a
// newer xid and sorts after any cursor.
//
// "Every transaction still running" need not mean the whole server's: only a transaction in
// this database can insert into our outbox. So the horizon is the oldest running transaction
// of this database (from pg_stat_activity and pg_prepared_xacts), taken in a first statement
// together with the next xid then (xmax); the read in a second statement stops below both. A
// transaction that could still commit an event below that horizon was running, in this
// database, at the first statement, so it was counted. A long transaction elsewhere on the
// server (another database's index build, a bench) no longer holds delivery back. When this
// role may not see other sessions' transaction ids, the reader falls back to the snapshot's
// xmin, which is always safe.
import type { SQL } from 'drizzle-orm';
import { sql, type Executor } from '../db/index.ts';

export interface OutboxCursor {
  xid: string;
  id: string;
}

export interface OutboxEvent extends OutboxCursor {
  topic: 'record.created' | 'record.updated' | 'record.deleted' | string;
  object: string;
  record_id: string;
  version: number;
  actor: string | null;
  /** What the write changed (from its history row): created values, or { field: { from, to } }. */
  changes: Record<string, unknown> | null;
  /** The write's request id; a workflow step's carries its run (`workflow:<run id>`). */
  request_id: string | null;
  /** When the write's transaction began (epoch ms). */
  created_ms: number;
}

/** Record events after `after`, oldest first, only those whose transaction is settled. */
export async function readRecordEvents(db: Executor, after: OutboxCursor, limit: number): Promise<OutboxEvent[]> {
  return (await readRecordEventsOf(db, after, limit)).events;
}

/**
 * The same for a reader that wants only some objects' events (a workflow engine whose record
 * triggers are on cases need not read, with their history, the million contacts an import
 * writes). `end` is where the reader's cursor goes once it has handled `events`: the last of
 * them when the page is full, else the last settled event of any object, so skipped events are
 * never read again. `objects` empty: nothing is read, the cursor just moves on.
 */
export async function readRecordEventsOf(
  db: Executor,
  after: OutboxCursor,
  limit: number,
  objects?: string[],
): Promise<{ events: OutboxEvent[]; end: OutboxCursor }> {
  // One horizon for both statements: the second must not see further than the first read.
  const [{ h }] = await db.query<{ h: string }>(sql`select (${await horizonOf(db)})::text as h`);
  const rows =
    objects?.length === 0
      ? []
      : await db.query<OutboxEvent & Record<string, unknown>>(sql`select e.xid::text as xid, e.id::text as id, e.topic, e.object,
      e.record_id::text as record_id, (e.payload->>'version')::int as version, e.payload->>'actor' as actor, h.changes, h.request_id,
      (extract(epoch from e.created_at) * 1000)::float8 as created_ms
    from kizuna_events e left join lateral (select changes, request_id from kizuna_history h
      where h.object = e.object and h.record_id = e.record_id and h.version = (e.payload->>'version')::int order by h.id desc limit 1) h on true
    where (e.xid, e.id) > (${after.xid}::xid8, ${after.id}::bigint)
      and e.xid < ${h}::xid8
      and e.topic like 'record.%'
      ${objects ? sql`and e.object in (select jsonb_array_elements_text(${JSON.stringify(objects)}::jsonb))` : sql``}
    order by e.xid, e.id limit ${limit}`);
  for (const r of rows) {
    if (typeof r.changes === 'string') r.changes = JSON.parse(r.changes);
    r.created_ms = Number(r.created_ms);
  }
  const at = (c: OutboxCursor): OutboxCursor => ({ xid: c.xid, id: c.id });
  if (rows.length === limit || !objects) return { events: rows, end: at(rows.length ? rows[rows.length - 1] : after) };
  const [last] = await db.query<OutboxCursor & Record<string, unknown>>(sql`select xid::text as xid, id::text as id from kizuna_events
    where (xid, id) > (${after.xid}::xid8, ${after.id}::bigint) and xid < ${h}::xid8 order by xid desc, id desc limit 1`);
  return { events: rows, end: at(last ?? after) };
}

/** How many record events (of these objects, when given) were written after `after`, settled or not. */
export async function countRecordEvents(db: Executor, after: OutboxCursor, objects?: string[]): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>(sql`select count(*)::int as n from kizuna_events
    where (xid, id) > (${after.xid}::xid8, ${after.id}::bigint) and topic like 'record.%'
      ${objects ? sql`and object in (select jsonb_array_elements_text(${JSON.stringify(objects)}::jsonb))` : sql``}`);
  return Number(n);
}

/** The xid below which every transaction that could write our outbox has ended (as SQL for the read). */
async function horizonOf(db: Executor): Promise<SQL> {
  const [r] = await db.query<{ xmax: string; xids: string[] | string; sees_all: boolean } & Record<string, unknown>>(sql`select
      pg_snapshot_xmax(pg_current_snapshot())::text as xmax,
      coalesce((select array_agg(x) from (
        select backend_xid::text as x from pg_stat_activity where datname = current_database() and backend_xid is not null
        union all select transaction::text from pg_prepared_xacts where database = current_database()) running), '{}') as xids,
      coalesce((select rolsuper from pg_roles where rolname = current_user), false) or pg_has_role(current_user, 'pg_read_all_stats', 'member') as sees_all`);
  if (!r.sees_all) return sql`pg_snapshot_xmin(pg_current_snapshot())`;
  const xids = typeof r.xids === 'string' ? r.xids.replace(/[{}]/g, '').split(',').filter(Boolean) : r.xids;
  if (!xids.length) return sql`${r.xmax}::xid8`;
  // pg_stat_activity shows 32-bit xids; the snapshot lists their 64-bit forms.
  return sql`(select coalesce(min(x), ${r.xmax}::xid8) from pg_snapshot_xip(pg_current_snapshot()) x
    where x < ${r.xmax}::xid8 and (x::text::bigint % 4294967296)::text in (select jsonb_array_elements_text(${JSON.stringify(xids)}::jsonb)))`;
}

/** A cursor placed after every event committed so far (for a new reader). */
export async function outboxHead(db: Executor): Promise<OutboxCursor> {
  const [row] = await db.query<OutboxCursor & Record<string, unknown>>(
    sql`select pg_current_xact_id()::text as xid, coalesce((select max(id) from kizuna_events), 0)::text as id`,
  );
  return row;
}

/**
 * An event that is not a record's (whose events journalSql writes with their history rows in
 * the write's statement): in the caller's transaction, delivered once it commits.
 */
export async function publishEvent(
  exec: Executor,
  e: { topic: string; object: string | null; payload: Record<string, unknown> },
): Promise<void> {
  await exec.query(
    sql`insert into kizuna_events (topic, object, payload) values (${e.topic}, ${e.object}, ${JSON.stringify(e.payload)}::jsonb)`,
  );
}
