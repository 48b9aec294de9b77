// The import tables. The upload itself is stored in the database as 1 MiB bytea chunks rather
// than a file under the data dir: it then survives restarts on PGlite (inside its data folder)
// and on PostgreSQL, and any process sharing the PostgreSQL can resume the job — a file on one
// node's disk could not be read by another node.
import { sql, type Database } from '../db/index.ts';
import { JOBS_LOCK } from '../jobs/index.ts';

export async function ensureImportTables(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(sql`select pg_advisory_xact_lock(${JOBS_LOCK}::int, hashtext(current_schema()))`);
    await tx.query(sql`create table if not exists kizuna_imports (
      id uuid primary key,
      object text not null,
      filename text,
      format text not null,
      encoding text,
      delimiter text,
      size bigint not null default 0,
      columns jsonb not null default '[]',
      created_by uuid,
      principal jsonb not null default '{}',
      job_id uuid,
      options jsonb,
      created_at timestamptz(3) not null default now()
    )`);
    await tx.query(sql`create table if not exists kizuna_import_chunks (
      import_id uuid not null references kizuna_imports (id) on delete cascade,
      seq integer not null,
      data bytea not null,
      primary key (import_id, seq)
    )`);
    await tx.query(sql`create table if not exists kizuna_import_errors (
      import_id uuid not null references kizuna_imports (id) on delete cascade,
      row_no integer not null,
      cells jsonb not null,
      reason text not null,
      primary key (import_id, row_no)
    )`);
    // Unique values accepted by all_or_nothing's first pass (repeated-values.ts); emptied after it.
    await tx.query(sql`create table if not exists kizuna_import_keys (
      import_id uuid not null references kizuna_imports (id) on delete cascade,
      field text not null,
      value text not null,
      row_no integer not null,
      primary key (import_id, field, value)
    )`);
  });
}
