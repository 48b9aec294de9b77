// Statements whose best plan depends on their values run unprepared, planned with those values.
import { sql } from 'drizzle-orm';
import type { Executor } from './database.ts';

/**
 * DML goes through named prepared statements (database.ts), and after five calls PostgreSQL may
 * keep one generic plan for every value. For a search that plan is wrong for someone: planned
 * without the query's grams it took the GIN index for `q=a` too, read all 100,000 contacts and
 * normalized the query once per row (1.3 s, against 57 ms planned for 'a', bench/RESULTS.md). A
 * leading comment keeps the statement out of the PREPARABLE pattern, so it is sent unnamed and
 * planned on each call (about 0.5 ms of planning).
 */
export const planPerCall = (db: Executor): Executor => ({
  query: (q) => db.query(sql`/* planned per call */ ${q}`),
});
