// A record's timeline: its history rows, newest first, in keyset pages — read straight from
// kizuna_history, which records/write-sql.ts fills in the same statement as every write.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import type { Label, ObjectModel } from '../model/index.ts';
import { badRequest, notFound } from '../problems/index.ts';
import { fieldLevel, type QueryAccess } from '../query/index.ts';

export interface TimelineEntry {
  id: string;
  action: string;
  version: number;
  changes: Record<string, unknown>;
  actor: string | null;
  request_id: string | null;
  /** Why the write happened, when the writer said ({ en, ja }, e.g. a plugin's merge). */
  note: Label | null;
  /** The write overrode plugins' refusals (asked with ?override=true and allowed). */
  override: boolean;
  at: string;
}

export interface TimelineParams {
  cursor?: string;
  limit?: string;
}

/** The page asked for: 1–500 entries (default 50), before the history id the cursor names. */
export function timelinePage(params: TimelineParams): { limit: number; before?: string } {
  const limit = params.limit === undefined ? 50 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw badRequest('limit must be a whole number from 1 to 500', [{ field: 'limit', message: 'must be 1–500' }]);
  if (!params.cursor) return { limit };
  const before = Buffer.from(params.cursor, 'base64url').toString('utf8');
  if (!/^\d{1,18}$/.test(before))
    throw badRequest('The cursor is not valid', [{ field: 'cursor', message: 'is not a cursor this API issued' }]);
  return { limit, before };
}

/** One page of the timeline; `read` is the caller's read scope on alias t (undefined: unrestricted). */
export async function readTimeline(
  db: Executor,
  model: ObjectModel,
  recordId: string,
  access: QueryAccess | undefined,
  read: SQL | undefined,
  { limit, before }: { limit: number; before?: string },
) {
  const [exists] = await db.query(
    sql`select 1 from ${sql.identifier(model.table)} as t where t.id = ${recordId}::uuid ${read ? sql`and ${read}` : sql``}`,
  );
  // A record the caller cannot read has no timeline for it (erased records keep theirs for admins).
  if (!exists && read) throw notFound(`No ${model.name} record with id "${recordId}"`);
  const rows = await db.query<
    TimelineEntry & Record<string, unknown>
  >(sql`select id::text as id, action, version, changes, actor::text as actor, request_id, note,
      coalesce(via like '%+override', false) as override, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
    from kizuna_history where object = ${model.name} and record_id = ${recordId}::uuid
      ${before ? sql`and id < ${before}::bigint` : sql``}
    order by kizuna_history.id desc limit ${limit + 1}`);
  if (!exists && rows.length === 0) throw notFound(`No ${model.name} record with id "${recordId}"`);
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  for (const r of data) {
    if (typeof r.changes === 'string') r.changes = JSON.parse(r.changes);
    if (typeof r.note === 'string') r.note = JSON.parse(r.note);
    // Changes to fields the caller cannot see are left out.
    if (access) r.changes = Object.fromEntries(Object.entries(r.changes).filter(([f]) => fieldLevel(model, f, access) !== 'hidden'));
  }
  return {
    data: data as TimelineEntry[],
    page: { next_cursor: hasMore ? Buffer.from(data[data.length - 1].id).toString('base64url') : null, has_more: hasMore },
  };
}
