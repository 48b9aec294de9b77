// The platform's own tables, created or upgraded on start. Numbered steps, applied once each,
// under the same advisory lock as metadata changes so two processes starting together agree.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { searchFunctionsDdl } from '../model/search.ts';
import { METADATA_LOCK } from './lock.ts';

const platformMigrations: string[][] = [
  [
    `create table kizuna_meta_state (id integer primary key default 1 check (id = 1), version integer not null)`,
    `insert into kizuna_meta_state (version) values (0)`,
    `create table kizuna_objects (
     name text primary key,
     spec jsonb not null,
     version integer not null default 1,
     created_at timestamptz(3) not null default now(),
     updated_at timestamptz(3) not null default now()
   )`,
    `create table kizuna_users (
     id uuid primary key,
     email text not null,
     name text not null,
     locale text not null default 'en',
     is_admin boolean not null default false,
     active boolean not null default true,
     created_at timestamptz(3) not null default now()
   )`,
    `create unique index kizuna_users_email_key on kizuna_users (lower(email))`,
    `create table kizuna_api_keys (
     id uuid primary key,
     user_id uuid not null references kizuna_users (id),
     name text not null,
     prefix text not null,
     secret_hash text not null unique,
     role text,
     created_at timestamptz(3) not null default now(),
     last_used_at timestamptz(3),
     revoked_at timestamptz(3)
   )`,
    `create table kizuna_history (
     id bigint generated always as identity primary key,
     object text not null,
     record_id uuid not null,
     version integer not null,
     action text not null,
     changes jsonb not null default '{}',
     actor uuid,
     request_id text,
     at timestamptz(3) not null default now()
   )`,
    `create index kizuna_history_record_idx on kizuna_history (object, record_id, id desc)`,
    `create table kizuna_events (
     id bigint generated always as identity primary key,
     topic text not null,
     object text,
     record_id uuid,
     payload jsonb not null default '{}',
     created_at timestamptz(3) not null default now()
   )`,
  ],
  searchFunctionsDdl,
];

export async function bootstrapPlatform(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(sql`select pg_advisory_xact_lock(${METADATA_LOCK})`);
    await tx.query(sql`create table if not exists kizuna_platform_migrations (id integer primary key, applied_at timestamptz(3) not null default now())`);
    const done = new Set((await tx.query<{ id: number }>(sql`select id from kizuna_platform_migrations`)).map((r) => Number(r.id)));
    for (let i = 0; i < platformMigrations.length; i++) {
      if (done.has(i + 1)) continue;
      for (const statement of platformMigrations[i]) await tx.query(sql.raw(statement));
      await tx.query(sql`insert into kizuna_platform_migrations (id) values (${i + 1})`);
    }
  });
}
