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
      lease_owner text,
      lease_until timestamptz(3),
      created_at timestamptz(3) not null default now(),
      started_at timestamptz(3),
      finished_at timestamptz(3)
    )`);
    // Before leases (db/lease.ts) a claim was claimed_by and a heartbeat time: a job running
    // then keeps its claim for as long as its heartbeat would have stayed fresh (30 s).
    await tx.query(sql`do $$ begin
      if exists (select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'kizuna_jobs' and column_name = 'claimed_by') then
        alter table kizuna_jobs add column lease_owner text, add column lease_until timestamptz(3);
        update kizuna_jobs set lease_owner = claimed_by, lease_until = heartbeat_at + interval '30 seconds' where claimed_by is not null;
        alter table kizuna_jobs drop column claimed_by, drop column heartbeat_at;
      end if;
    end $$`);
    await tx.query(sql`create index if not exists kizuna_jobs_claim_idx on kizuna_jobs (created_at) where state in ('queued', 'running')`);
  });
}
