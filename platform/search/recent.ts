// Recent items: the records a person opened lately, newest first (owner of kizuna_recent_items).
// The studio records a view when it opens a record; reading them back goes through the records
// list with the reader's permissions of now, so a record they may no longer read, or that was
// deleted, is left out (its row stays, and comes back if access does).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { displayText, type Label } from '../model/index.ts';
import { ProblemError, validation, type FieldProblem } from '../problems/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import { readableObjects } from './objects.ts';

/** Views kept per person: older ones are forgotten as new ones come in. */
export const RECENT_KEPT = 50;

export interface RecentItem {
  object: string;
  id: string;
  name: Label | null;
  viewed_at: string;
}

export interface RecentDeps {
  db: Database;
  registry: Pick<Registry, 'snapshot'>;
  records: Pick<RecordService, 'get' | 'list'>;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

function viewOf(body: unknown): { object: string; id: string } {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  if (typeof b.object !== 'string' || !b.object) problems.push({ field: 'object', message: 'must be the name of an object' });
  if (typeof b.id !== 'string' || !b.id) problems.push({ field: 'id', message: "must be the record's id" });
  for (const k of Object.keys(b))
    if (k !== 'object' && k !== 'id') problems.push({ field: k, message: 'is not a key of a view (object, id)' });
  if (problems.length) throw validation(problems);
  return { object: b.object as string, id: b.id as string };
}

function userOf(actor: Actor): string {
  if (!actor.actor) throw new Error('recent items need a signed-in person');
  return actor.actor;
}

export function createRecentItems(deps: RecentDeps) {
  /** Notes that the caller opened a record they may read (404 otherwise), and forgets views past the newest 50. */
  async function record(body: unknown, actor: Actor): Promise<void> {
    const view = viewOf(body);
    const row = await deps.records.get(view.object, view.id, actor, { fields: 'id' });
    const user = userOf(actor);
    await deps.db.transaction(async (tx) => {
      await tx.query(sql`insert into kizuna_recent_items (user_id, object, record_id) values (${user}::uuid, ${view.object}, ${String(row.id)}::uuid)
        on conflict (user_id, object, record_id) do update set viewed_at = clock_timestamp()`);
      await tx.query(sql`delete from kizuna_recent_items r where r.user_id = ${user}::uuid and (r.object, r.record_id) not in (
          select object, record_id from kizuna_recent_items where user_id = ${user}::uuid order by viewed_at desc, record_id desc limit ${RECENT_KEPT})`);
    });
  }

  /** The caller's newest views (up to `limit`) of records they may read now, named. */
  async function list(actor: Actor, limit: number): Promise<RecentItem[]> {
    const views = await deps.db.query<{ object: string; id: string; viewed_at: string }>(
      sql`select object, record_id::text as id, to_char(viewed_at at time zone 'UTC', ${sql.raw(ISO)}) as viewed_at
        from kizuna_recent_items where user_id = ${userOf(actor)}::uuid order by viewed_at desc, record_id desc limit ${RECENT_KEPT}`,
    );
    const objects = new Map(readableObjects(deps.registry.snapshot(), actor.access).map((o) => [o.model.name, o]));
    const found = new Map<string, Record<string, unknown>>();
    await Promise.all(
      [...new Set(views.map((v) => v.object))].map(async (name) => {
        const o = objects.get(name);
        if (!o) return;
        const ids = views.filter((v) => v.object === name).map((v) => v.id);
        const params = {
          filter: JSON.stringify({ id: { in: ids } }),
          limit: String(ids.length),
          fields: o.nameFields.map((f) => f.name).join(',') || 'id',
        };
        const page = await deps.records.list(name, params, actor).catch((e: unknown) => {
          // A broken role scope (403) of one object: its items are left out, the others shown.
          if (e instanceof ProblemError && e.status < 500) return { data: [] };
          throw e;
        });
        for (const row of page.data) found.set(`${name}/${String(row.id)}`, row);
      }),
    );
    return views
      .filter((v) => found.has(`${v.object}/${v.id}`))
      .slice(0, limit)
      .map((v) => ({ ...v, name: displayText(objects.get(v.object)!.model.spec, found.get(`${v.object}/${v.id}`)!) }));
  }

  return { record, list };
}

export type RecentItems = ReturnType<typeof createRecentItems>;
