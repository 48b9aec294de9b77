// The audit trail beyond records: metadata, people, roles and sign-ins land in the same
// history table as record changes, so one query answers "who did what, when".
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';

export interface AuditEntry {
  kind: 'metadata' | 'auth' | 'record';
  object: string;
  recordId?: string | null;
  action: string;
  changes?: Record<string, unknown>;
  actor?: string | null;
  requestId?: string | null;
  via?: string | null;
}

export async function writeAudit(exec: Executor, e: AuditEntry): Promise<void> {
  await exec.query(sql`insert into kizuna_history (kind, object, record_id, action, changes, actor, request_id, via)
    values (${e.kind}, ${e.object}, ${e.recordId ?? null}::uuid, ${e.action}, ${JSON.stringify(e.changes ?? {})}::jsonb,
            ${e.actor ?? null}::uuid, ${e.requestId ?? null}, ${e.via ?? null})`);
}

/** What the audit trail may be narrowed to (values checked by the caller). */
export interface AuditQuery {
  actor?: string;
  recordId?: string;
  object?: string;
  kind?: string;
  since?: string;
  until?: string;
  /** Entries older than this one (a cursor's history id). */
  before?: string;
  limit: number;
}

const ISO = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);

/** The audit trail, newest first: up to q.limit entries, and whether there are more. */
export async function readAudit(
  exec: Executor,
  q: AuditQuery,
): Promise<{ data: (Record<string, unknown> & { id: string })[]; hasMore: boolean }> {
  const conds: SQL[] = [sql`true`];
  if (q.actor) conds.push(sql`actor = ${q.actor}::uuid`);
  if (q.recordId) conds.push(sql`record_id = ${q.recordId}::uuid`);
  if (q.object) conds.push(sql`object = ${q.object}`);
  if (q.kind) conds.push(sql`kind = ${q.kind}`);
  if (q.since) conds.push(sql`at >= ${q.since}::timestamptz`);
  if (q.until) conds.push(sql`at < ${q.until}::timestamptz`);
  if (q.before) conds.push(sql`id < ${q.before}::bigint`);
  const rows = await exec.query<
    Record<string, unknown> & { id: string }
  >(sql`select id::text as id, kind, object, record_id::text as record_id, action, version,
      changes, actor::text as actor, request_id, via, note, to_char(at at time zone 'UTC', ${ISO}) as at
    from kizuna_history where ${sql.join(conds, sql` and `)} order by kizuna_history.id desc limit ${q.limit + 1}`);
  const hasMore = rows.length > q.limit;
  const data = hasMore ? rows.slice(0, q.limit) : rows;
  for (const r of data) {
    if (typeof r.changes === 'string') r.changes = JSON.parse(r.changes as string);
    if (typeof r.note === 'string') r.note = JSON.parse(r.note as string);
  }
  return { data, hasMore };
}
