// The platform's own tables, created or upgraded on start. Numbered steps, applied once each,
// under the same advisory lock as metadata changes so two processes starting together agree.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { fastNormDdl, phoneKeyDdl, queryGramsDdl, searchFunctionsDdl, searchGramsDdl } from '../model/index.ts';
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
  // People, teams, roles, sessions and the audit trail beyond records.
  [
    `alter table kizuna_users add column password_hash text`,
    `alter table kizuna_users add column updated_at timestamptz(3) not null default now()`,
    `create table kizuna_teams (
     id uuid primary key,
     name text not null,
     label jsonb,
     created_at timestamptz(3) not null default now()
   )`,
    `create unique index kizuna_teams_name_key on kizuna_teams (lower(name))`,
    `create table kizuna_team_members (
     team_id uuid not null references kizuna_teams (id) on delete cascade,
     user_id uuid not null references kizuna_users (id) on delete cascade,
     primary key (team_id, user_id)
   )`,
    `create index kizuna_team_members_user_idx on kizuna_team_members (user_id)`,
    `create table kizuna_roles (
     name text primary key,
     definition jsonb not null,
     standard boolean not null default false,
     created_at timestamptz(3) not null default now(),
     updated_at timestamptz(3) not null default now()
   )`,
    `create table kizuna_user_roles (
     user_id uuid not null references kizuna_users (id) on delete cascade,
     role text not null references kizuna_roles (name) on delete cascade,
     primary key (user_id, role)
   )`,
    `alter table kizuna_api_keys add constraint kizuna_api_keys_role_fkey foreign key (role) references kizuna_roles (name) on delete set null`,
    `create table kizuna_sessions (
     id text primary key,
     user_id uuid not null references kizuna_users (id) on delete cascade,
     csrf_token text not null,
     created_at timestamptz(3) not null default now(),
     expires_at timestamptz(3) not null,
     last_seen_at timestamptz(3) not null default now(),
     revoked_at timestamptz(3),
     ip text,
     user_agent text
   )`,
    `create index kizuna_sessions_user_idx on kizuna_sessions (user_id)`,
    `create table kizuna_login_attempts (
     id bigint generated always as identity primary key,
     email text not null,
     ip text,
     success boolean not null,
     at timestamptz(3) not null default now()
   )`,
    `create index kizuna_login_attempts_email_idx on kizuna_login_attempts (lower(email), at)`,
    `create index kizuna_login_attempts_ip_idx on kizuna_login_attempts (ip, at)`,
    `alter table kizuna_history add column kind text not null default 'record'`,
    `alter table kizuna_history add column via text`,
    `alter table kizuna_history alter column record_id drop not null`,
    `alter table kizuna_history alter column version drop not null`,
    `create index kizuna_history_at_idx on kizuna_history (at desc, id desc)`,
    `create index kizuna_history_actor_idx on kizuna_history (actor, id desc)`,
  ],
  // Saved views of the studio (list, kanban, detail, form), personal or shared.
  [
    `create table kizuna_views (
     id uuid primary key,
     key text unique,
     object text not null,
     kind text not null,
     name jsonb not null,
     definition jsonb not null default '{}',
     shared boolean not null default false,
     owner uuid references kizuna_users (id) on delete cascade,
     created_at timestamptz(3) not null default now(),
     updated_at timestamptz(3) not null default now()
   )`,
    `create index kizuna_views_object_idx on kizuna_views (object, owner)`,
  ],
  // Plugins: their state, the outbox cursor of their after-hooks, their scheduled jobs.
  [
    `create table kizuna_plugins (
     name text primary key,
     version text not null,
     enabled boolean not null default true,
     settings jsonb not null default '{}',
     manifest jsonb not null,
     user_id uuid references kizuna_users (id),
     installed_at timestamptz(3) not null default now(),
     updated_at timestamptz(3) not null default now()
   )`,
    `create table kizuna_plugin_cursors (
     plugin text primary key references kizuna_plugins (name) on delete cascade,
     last_event_id bigint not null,
     lease_owner text,
     lease_until timestamptz(3),
     failures integer not null default 0,
     retry_at timestamptz(3),
     last_error text
   )`,
    `create index kizuna_events_topic_idx on kizuna_events (topic, id)`,
  ],
  // Plugins' scheduled jobs: one row per job, claimed by lease so one node runs each turn.
  [
    `create table kizuna_plugin_jobs (
     plugin text not null references kizuna_plugins (name) on delete cascade,
     job text not null,
     next_run_at timestamptz(3) not null default now(),
     lease_owner text,
     lease_until timestamptz(3),
     last_run_at timestamptz(3),
     last_error text,
     primary key (plugin, job)
   )`,
  ],
  // Workflows (issue 7): definitions with their published versions, runs and their steps,
  // the outbox cursor of record triggers, and round-robin counters.
  [
    `create table kizuna_workflows (
     id uuid primary key,
     name text not null,
     draft jsonb not null,
     active_version integer,
     enabled boolean not null default false,
     user_id uuid not null references kizuna_users (id),
     hook_token text not null unique,
     hook_key text not null,
     next_run_at timestamptz(3),
     created_at timestamptz(3) not null default now(),
     updated_at timestamptz(3) not null default now()
   )`,
    `create table kizuna_workflow_versions (
     workflow_id uuid not null references kizuna_workflows (id) on delete cascade,
     version integer not null,
     definition jsonb not null,
     published_by uuid,
     published_at timestamptz(3) not null default now(),
     primary key (workflow_id, version)
   )`,
    `create table kizuna_workflow_runs (
     id uuid primary key,
     workflow_id uuid not null references kizuna_workflows (id) on delete cascade,
     version integer not null,
     status text not null check (status in ('queued', 'running', 'waiting', 'succeeded', 'failed')),
     trigger jsonb not null,
     context jsonb not null,
     current_step text,
     depth integer not null default 0,
     object text,
     record_id uuid,
     event_id bigint,
     attempts integer not null default 0,
     error text,
     run_at timestamptz(3) not null default now(),
     lease_owner text,
     lease_until timestamptz(3),
     created_at timestamptz(3) not null default now(),
     finished_at timestamptz(3)
   )`,
    `create index kizuna_workflow_runs_due_idx on kizuna_workflow_runs (run_at) where status in ('queued', 'running', 'waiting')`,
    `create index kizuna_workflow_runs_workflow_idx on kizuna_workflow_runs (workflow_id, created_at desc)`,
    `create index kizuna_workflow_runs_record_idx on kizuna_workflow_runs (object, record_id)`,
    `create unique index kizuna_workflow_runs_event_idx on kizuna_workflow_runs (workflow_id, event_id)`,
    `create table kizuna_workflow_steps (
     id bigint generated always as identity primary key,
     run_id uuid not null references kizuna_workflow_runs (id) on delete cascade,
     step_id text not null,
     type text not null,
     status text not null,
     attempt integer not null,
     input jsonb,
     output jsonb,
     error text,
     started_at timestamptz(3) not null,
     finished_at timestamptz(3) not null default now()
   )`,
    `create index kizuna_workflow_steps_run_idx on kizuna_workflow_steps (run_id, id)`,
    `create table kizuna_workflow_cursor (
     id integer primary key default 1 check (id = 1),
     last_event_id bigint not null,
     lease_owner text,
     lease_until timestamptz(3)
   )`,
    `insert into kizuna_workflow_cursor (last_event_id) values (coalesce((select max(id) from kizuna_events), 0))`,
    `create table kizuna_workflow_counters (key text primary key, n bigint not null default 0)`,
  ],
  // The outbox in commit-safe order (platform/events): each event carries its transaction id,
  // readers follow (xid, id) cursors, and a statement trigger wakes listeners on commit.
  // Existing events all get this migration's xid; setting the cursors' xid to the same value
  // keeps every cursor exactly where it was.
  [
    `alter table kizuna_events add column xid xid8 not null default pg_current_xact_id()`,
    `create index kizuna_events_order_idx on kizuna_events (xid, id)`,
    `alter table kizuna_plugin_cursors add column last_xid xid8 not null default '0'`,
    `update kizuna_plugin_cursors set last_xid = pg_current_xact_id()`,
    `alter table kizuna_workflow_cursor add column last_xid xid8 not null default '0'`,
    `update kizuna_workflow_cursor set last_xid = pg_current_xact_id()`,
    `create function kizuna_events_notify() returns trigger language plpgsql as $$
     begin perform pg_notify('kizuna_events', current_schema()); return null; end $$`,
    `create trigger kizuna_events_notify after insert on kizuna_events for each statement execute function kizuna_events_notify()`,
  ],
  // Workflows (issue 7, part 2): the external effects of steps (a send_message email is sent
  // once per committed step), date-relative triggers (fired once per record per date value)
  // and when a workflow was switched on (date triggers count from then).
  [
    `create table kizuna_workflow_effects (
     run_id uuid not null references kizuna_workflow_runs (id) on delete cascade,
     seq integer not null,
     state text not null check (state in ('prepared', 'sent')),
     result jsonb not null,
     created_at timestamptz(3) not null default now(),
     primary key (run_id, seq)
   )`,
    `create table kizuna_workflow_date_fires (
     workflow_id uuid not null references kizuna_workflows (id) on delete cascade,
     record_id uuid not null,
     fired_for text not null,
     fired_at timestamptz(3) not null default now(),
     primary key (workflow_id, record_id)
   )`,
    `alter table kizuna_workflows add column enabled_at timestamptz(3)`,
    `update kizuna_workflows set enabled_at = now() where enabled`,
  ],
  // Search grams computed faster (every write of a searchable object, and imports, pay it).
  // Each later change of kizuna_grams replaced the definition here by the current one
  // (search.ts keeps only that): running it early is harmless, migration 13 runs it again.
  [searchGramsDdl],
  // Workflows a plugin ships: "plugin:<name>:<key>", one workflow each.
  [
    `alter table kizuna_workflows add column source text`,
    `create unique index kizuna_workflows_source_key on kizuna_workflows (source) where source is not null`,
  ],
  // Search normalization ~5× faster (the stored search document of every write and import).
  // Same result for every text (search.test.ts), so stored documents stay valid.
  [fastNormDdl],
  // Search grams without ASCII unigrams, in a COLLATE "C" index (half the keys, bytewise
  // compared); upgradeLayouts rebuilds each search index in the new form.
  [searchGramsDdl, queryGramsDdl],
  // Outbox readers follow (xid, id) and may want only some objects (readRecordEventsOf): the
  // (topic, id) index no reader uses gives way to (object, xid, id), one btree per event either way.
  [`drop index if exists kizuna_events_topic_idx`, `create index kizuna_events_object_idx on kizuna_events (object, xid, id)`],
  // Phones as upsert keys in E.164 form (model/match-keys.ts), for indexes on phone fields.
  [phoneKeyDdl],
  // A workflow that fails fails alone (issue 13): its state and error, and where in the outbox
  // it stopped (the record events it has not evaluated yet, read again once it is fixed).
  [
    `alter table kizuna_workflows add column state text not null default 'ok' check (state in ('ok', 'failing', 'invalid'))`,
    `alter table kizuna_workflows add column error jsonb`,
    `alter table kizuna_workflows add column resume_xid xid8`,
    `alter table kizuna_workflows add column resume_event_id bigint`,
  ],
  // Keys of users deactivated before deactivation revoked them (auth/people.ts): revoked now, so
  // reactivating such a user does not bring their old keys back.
  [`update kizuna_api_keys k set revoked_at = now() from kizuna_users u where u.id = k.user_id and not u.active and k.revoked_at is null`],
  // Why a write happened, as a plugin says it ({ en, ja }: "merged into …"), for the timeline
  // and the audit trail (issue 14: merges and their undo recognisable as such).
  [`alter table kizuna_history add column note jsonb`],
  // One outbox subscriber (events/subscriber.ts, issue 15): every reader of the outbox — each
  // plugin's after-hooks ("plugin:<name>"), the workflow triggers ("workflows") — is a named
  // cursor under a lease, with one backoff. The two cursor tables move into it where they were.
  // Plugins' scheduled jobs run on the job queue: a row keeps the queue job of its current turn.
  [
    `create table kizuna_subscriptions (
     name text primary key,
     last_xid xid8 not null,
     last_event_id bigint not null,
     lease_owner text,
     lease_until timestamptz(3),
     failures integer not null default 0,
     retry_at timestamptz(3),
     last_error text
   )`,
    `insert into kizuna_subscriptions (name, last_xid, last_event_id, failures, retry_at, last_error)
     select 'plugin:' || plugin, last_xid, last_event_id, failures, retry_at, last_error from kizuna_plugin_cursors`,
    `insert into kizuna_subscriptions (name, last_xid, last_event_id) select 'workflows', last_xid, last_event_id from kizuna_workflow_cursor`,
    `drop table kizuna_plugin_cursors`,
    `drop table kizuna_workflow_cursor`,
    `alter table kizuna_plugin_jobs drop column lease_owner, drop column lease_until, add column job_id uuid`,
  ],
  // One-time links to set a password (issue 16): an invitation or an admin's reset, stored as the
  // token's SHA-256 hash; each works once, until it expires, and only the newest of a user's works.
  [
    `create table kizuna_password_links (
     id text primary key,
     user_id uuid not null references kizuna_users (id) on delete cascade,
     purpose text not null check (purpose in ('invite', 'reset')),
     created_by uuid references kizuna_users (id) on delete set null,
     created_at timestamptz(3) not null default now(),
     expires_at timestamptz(3) not null,
     used_at timestamptz(3),
     revoked_at timestamptz(3)
   )`,
    `create index kizuna_password_links_user_idx on kizuna_password_links (user_id)`,
  ],
  // Recent items (issue 16): the records each person opened lately, newest 50 kept (search/recent.ts).
  [
    `create table kizuna_recent_items (
     user_id uuid not null references kizuna_users (id) on delete cascade,
     object text not null,
     record_id uuid not null,
     viewed_at timestamptz not null default clock_timestamp(),
     primary key (user_id, object, record_id)
   )`,
    `create index kizuna_recent_items_user_idx on kizuna_recent_items (user_id, viewed_at desc)`,
  ],
  // Search finds phone numbers with or without their hyphens (issue 17): the normalization
  // drops what joins digits. Stored search documents written before keep the hyphens until
  // recomputed: every table that has one is listed here, and search/refresh.ts recomputes them
  // in the background, in batches (an UPDATE recomputes a stored generated column).
  [
    fastNormDdl,
    `create table kizuna_search_refresh (table_name text primary key)`,
    `insert into kizuna_search_refresh (table_name)
     select c.table_name from information_schema.columns c where c.table_schema = current_schema() and c.column_name = '__search'`,
  ],
  // No NOTIFY in the writing transaction (issue 17): PostgreSQL serializes the commits of the
  // transactions that notify. The writing node announces its commits itself (events/announce.ts).
  [`drop trigger if exists kizuna_events_notify on kizuna_events`, `drop function if exists kizuna_events_notify()`],
  // A long q asks the search index for at most 8 of its bigrams (issue 17): a whole e-mail
  // address asked for 35, most in every row ("co", "jp"), 200 ms in the GIN scan on 1M contacts.
  // Query-side only: no index changes.
  [queryGramsDdl],
];

export async function bootstrapPlatform(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(sql`select pg_advisory_xact_lock(${METADATA_LOCK}::int, hashtext(current_schema()))`);
    await tx.query(
      sql`create table if not exists kizuna_platform_migrations (id integer primary key, applied_at timestamptz(3) not null default now())`,
    );
    const done = new Set((await tx.query<{ id: number }>(sql`select id from kizuna_platform_migrations`)).map((r) => Number(r.id)));
    for (let i = 0; i < platformMigrations.length; i++) {
      if (done.has(i + 1)) continue;
      for (const statement of platformMigrations[i]) await tx.query(sql.raw(statement));
      await tx.query(sql`insert into kizuna_platform_migrations (id) values (${i + 1})`);
    }
  });
}
