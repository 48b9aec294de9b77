// The durable job table. Created with IF NOT EXISTS under a transaction-scoped advisory lock
// (not a numbered platform migration) so the queue can ship and evolve on its own.
import { sql, type Database } from '../db/index.ts';

export const JOBS_LOCK = 0x4b5a4a42; // "KZJB"

export async function ensureJobTables(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(sql`select pg_advisory_xact_lock(${JOBS_LOCK}::int, hashtext(current_schema()))`);
    await tx.query(sql`create table if not exists kizuna_jobs (
      id uuid primary key,
      kind text not null,
      payload jsonb not null default '{}',
      state text not null default 'queued' check (state in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      cancel_requested boolean not null default false,
      progress jsonb not null default '{}',
      result jsonb,
      error text,
      attempts integer not null default 0,
      claimed_by text,
      heartbeat_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      started_at timestamptz(3),
      finished_at timestamptz(3)
    )`);
    await tx.query(sql`create index if not exists kizuna_jobs_claim_idx on kizuna_jobs (created_at) where state in ('queued', 'running')`);
  });
}
