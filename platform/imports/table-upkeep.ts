// What an import does for the table it fills besides writing rows: planner statistics while
// it grows, and the search index and statistics settled when it ends.
import { sql, type Database } from '../db/index.ts';
import { logEvent } from '../log/index.ts';
import { indexNames, type ObjectModel } from '../model/index.ts';

/** Rows written before an import first refreshes the table's statistics (then at each doubling). */
const ANALYZE_FIRST = 5000;

const warnOf = (model: ObjectModel, what: string) => (e: unknown) =>
  logEvent({ level: 'warn', msg: `could not ${what}`, object: model.name, error: String(e) });

/**
 * After the last batch: GIN's pending list merged at once, so searches do not scan a long
 * list; and fresh planner statistics, since a table that just grew by a million rows is not
 * the one autovacuum last sampled (stale counts made the planner sort the whole table for
 * every page of a list).
 */
export async function settleTable(db: Database, model: ObjectModel): Promise<void> {
  if (model.searchFields.length)
    await db
      .query(sql`select gin_clean_pending_list(${indexNames.search(model.table)}::regclass)`)
      .catch(warnOf(model, 'merge the search index pending list'));
  await db.query(sql`analyze ${sql.identifier(model.table)}`).catch(warnOf(model, 'analyze the table'));
}

/**
 * Statistics while the table grows: a table analyzed when it was small is planned as small,
 * and a look-up during the import (a plugin's duplicate check by keys) becomes a full scan
 * per batch — measured growing from 0.2 to 10 s a batch over 10 batches. Analyzed each time
 * the rows written double from 5,000, so a million rows cost eight ANALYZEs. A creating import
 * analyzes the columns only: a whole-table ANALYZE also computes the statistics of expression
 * indexes — the search index's grams of 30,000 sampled rows, three quarters of its time (800 →
 * 210 ms on 100k contacts) — which only an upsert's match (on lower(email)) plans with; the
 * ANALYZE at the end (settleTable) computes everything. Answers: call with the rows written so far.
 */
export function statisticsRefresher(db: Database, model: ObjectModel, opts: { upsert: boolean }): (written: number) => Promise<void> {
  let analyzedAt = 0;
  const columns = sql.join(
    model.fieldList.flatMap((f) => f.type.columns(f.spec).map((c) => sql.identifier(c.name))),
    sql`, `,
  );
  return async (written) => {
    if (written < Math.max(ANALYZE_FIRST, analyzedAt * 2)) return;
    analyzedAt = written;
    const what = opts.upsert ? sql`` : sql` (${columns})`;
    await db.query(sql`analyze ${sql.identifier(model.table)}${what}`).catch(warnOf(model, 'analyze the table'));
  };
}
