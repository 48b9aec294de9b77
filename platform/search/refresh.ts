// Search documents written under an earlier normalization (kizuna_norm) are recomputed in the
// background. The migration that changes the normalization lists the tables holding such
// documents in kizuna_search_refresh (this module is its one writer after that); on start each
// listed table is handed to one job — the node whose transaction takes the row — which goes
// through the table in batches by id, saving where it got to, so a restart resumes there. An
// UPDATE of a column the stored document reads recomputes it (PostgreSQL recomputes a stored
// generated column only when a column it depends on is set), so `set <field> = <field>` is the
// whole rewrite: no lock on the table beyond each batch's rows, no change to a record's version,
// history or events.
// Until a table is done, its older rows are found as the old normalization wrote them.
import { sql, type Database } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';

export const SEARCH_REFRESH_JOB = 'search.refresh';

interface Payload {
  table: string;
}
interface Progress {
  after?: string;
  rows?: number;
}

export interface SearchRefreshDeps {
  db: Database;
  /**
   * A column the search document of `table` reads (a searchable field), or undefined when no
   * object owns the table any more or its search is gone: such a listed table is skipped.
   */
  documentColumn: (table: string) => string | undefined;
  /** Rows per batch (one transaction each). */
  batch?: number;
}

export function registerSearchRefresh(jobs: JobQueue, { db, documentColumn, batch = 2000 }: SearchRefreshDeps): void {
  jobs.register<Payload, Progress>(SEARCH_REFRESH_JOB, async (job, ctx) => {
    const table = job.payload.table;
    // The name came from the catalogue; it is used as an identifier only while an object owns it.
    const column = documentColumn(table);
    if (column === undefined) return { state: 'succeeded', result: { skipped: 'no searchable object owns this table' } };
    const t = sql.identifier(table);
    const c = sql.identifier(column);
    let after = job.progress.after;
    let rows = job.progress.rows ?? 0;
    for (;;) {
      if (ctx.stopping()) return 'released';
      const ids = await db.transaction(async (tx) => {
        const done = await tx.query<{ id: string }>(sql`update ${t} set ${c} = ${c} where id in (
            select id from ${t} where ${after === undefined ? sql`true` : sql`id > ${after}::uuid`} order by id limit ${batch}
          ) returning id::text as id`);
        // uuid order is the order of their lower-case hex text.
        const last = done
          .map((r) => r.id)
          .sort()
          .at(-1);
        await ctx.checkpoint(tx, { after: last ?? after, rows: rows + done.length });
        return done.map((r) => r.id);
      });
      if (!ids.length) return { state: 'succeeded', result: { rows } };
      rows += ids.length;
      after = ids.sort().at(-1);
    }
  });
}

/** Hands each listed table to a job, once across all nodes; answers the tables this node took. */
export async function enqueueSearchRefresh(db: Database, jobs: JobQueue): Promise<string[]> {
  return db.transaction(async (tx) => {
    const listed = await tx.query<{ table_name: string }>(sql`delete from kizuna_search_refresh returning table_name`);
    for (const r of listed) await jobs.enqueue(SEARCH_REFRESH_JOB, { table: r.table_name }, tx);
    return listed.map((r) => r.table_name);
  });
}
