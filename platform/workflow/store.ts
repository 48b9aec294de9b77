// Workflow definitions in the database: a draft that admins edit, and numbered published
// versions. Runs keep the version they started on; each workflow acts as its own system user.
import { randomBytes } from 'node:crypto';
import { sql, uuidv7, type Database, type Executor } from '../db/index.ts';
import { conflict, notFound, ProblemError, validation } from '../problems/index.ts';
import { assertDefinition, nextScheduled, type KnownAction, type WorkflowDefinition } from './definition.ts';

export interface WorkflowView {
  id: string;
  name: string;
  enabled: boolean;
  active_version: number | null;
  draft: WorkflowDefinition;
  user_id: string;
  hook: { path: string; key: string };
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ActiveWorkflow {
  id: string;
  user_id: string;
  version: number;
  definition: WorkflowDefinition;
  /** When it was last switched on (epoch ms): record events from before do not start it. */
  enabled_ms?: number | null;
}

const ts = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const columns = sql`id::text as id, name, enabled, active_version, draft, user_id::text as user_id, hook_token, hook_key,
  ${ts('next_run_at')} as next_run_at, ${ts('created_at')} as created_at, ${ts('updated_at')} as updated_at`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** JSON with sorted keys: jsonb gives keys back in its own order. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x) =>
  x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x);

function view(r: Record<string, unknown>): WorkflowView {
  const { hook_token, hook_key, ...rest } = r;
  return { ...(rest as unknown as WorkflowView), draft: json(r.draft), hook: { path: `/api/workflows/hooks/${hook_token}`, key: hook_key as string } };
}

export function createWorkflowStore(db: Database, actions?: (name: string) => KnownAction | undefined) {
  async function systemUser(tx: Executor, id: string, name: string): Promise<string> {
    const userId = uuidv7();
    await tx.query(sql`insert into kizuna_users (id, email, name) values (${userId}::uuid, ${`workflow-${id}@workflows.kizuna.invalid`}, ${`Workflow: ${name}`.slice(0, 200)})`);
    return userId;
  }

  /** Publishes a definition as the workflow's next version, in the caller's transaction. */
  async function publishIn(tx: Executor, id: string, def: WorkflowDefinition, by: string | null): Promise<number> {
    const [v] = await tx.query<{ n: number }>(sql`select coalesce(max(version), 0)::int + 1 as n from kizuna_workflow_versions where workflow_id = ${id}::uuid`);
    await tx.query(sql`insert into kizuna_workflow_versions (workflow_id, version, definition, published_by) values (${id}::uuid, ${v.n}, ${JSON.stringify(def)}::jsonb, ${by}::uuid)`);
    const next = nextScheduled(def.trigger, new Date());
    await tx.query(sql`update kizuna_workflows set active_version = ${v.n}, next_run_at = ${next?.toISOString() ?? null}::timestamptz, updated_at = now() where id = ${id}::uuid`);
    return v.n;
  }

  async function get(id: string, exec: Executor = db): Promise<WorkflowView> {
    if (!UUID.test(id)) throw notFound(`No workflow with id "${id}"`);
    const [r] = await exec.query(sql`select ${columns} from kizuna_workflows where id = ${id}::uuid`);
    if (!r) throw notFound(`No workflow with id "${id}"`);
    return view(r);
  }

  return {
    get,
    async list(): Promise<WorkflowView[]> {
      return (await db.query(sql`select ${columns} from kizuna_workflows order by created_at, id`)).map(view);
    },
    async create(input: unknown): Promise<WorkflowView> {
      const def = assertDefinition(input, actions);
      const id = uuidv7();
      await db.transaction(async (tx) => {
        const userId = await systemUser(tx, id, def.name);
        await tx.query(sql`insert into kizuna_workflows (id, name, draft, user_id, hook_token, hook_key)
          values (${id}::uuid, ${def.name}, ${JSON.stringify(def)}::jsonb, ${userId}::uuid, ${randomBytes(24).toString('base64url')}, ${randomBytes(32).toString('base64url')})`);
      });
      return get(id);
    },
    /** Top-level keys of the body replace the draft's; the result must be a valid definition. */
    async patchDraft(id: string, patch: Record<string, unknown>): Promise<WorkflowView> {
      const current = await get(id);
      const def = assertDefinition({ ...current.draft, ...patch }, actions);
      await db.query(sql`update kizuna_workflows set draft = ${JSON.stringify(def)}::jsonb, name = ${def.name}, updated_at = now() where id = ${id}::uuid`);
      return get(id);
    },
    async publish(id: string, by: string | null): Promise<{ workflow: WorkflowView; version: number }> {
      const version = await db.transaction(async (tx) => {
        const [w] = await tx.query<{ draft: unknown; enabled: boolean }>(sql`select draft, enabled from kizuna_workflows where id = ${id}::uuid for update`);
        if (!w) throw notFound(`No workflow with id "${id}"`);
        return publishIn(tx, id, assertDefinition(json(w.draft), actions), by);
      });
      return { workflow: await get(id), version };
    },
    /**
     * The workflows a plugin ships, in the plugin's install/upgrade transaction: each one (by
     * its key) is created published and disabled — an admin decides when it runs — or, when
     * its definition changed, published as a new version (runs keep theirs). The plugin's
     * workflows it no longer ships are disabled.
     */
    async installShipped(tx: Executor, plugin: string, definitions: Record<string, unknown>[]): Promise<void> {
      const sources: string[] = [];
      for (const [i, raw] of definitions.entries()) {
        let def: WorkflowDefinition;
        try {
          def = assertDefinition(raw, actions);
        } catch (e) {
          if (e instanceof ProblemError) throw validation(e.errors?.map((p) => ({ ...p, field: `metadata.workflows.${i}.${p.field}` })) ?? [], `A workflow of the plugin ${plugin} is invalid`);
          throw e;
        }
        const source = `plugin:${plugin}:${String(raw.key)}`;
        sources.push(source);
        const [existing] = await tx.query<{ id: string; definition: unknown }>(sql`select w.id::text as id, v.definition from kizuna_workflows w
          left join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version where w.source = ${source}`);
        let id = existing?.id;
        if (id && canonical(json(existing.definition)) === canonical(def)) continue;
        if (!id) {
          id = uuidv7();
          const userId = await systemUser(tx, id, def.name);
          await tx.query(sql`insert into kizuna_workflows (id, name, draft, user_id, hook_token, hook_key, source)
            values (${id}::uuid, ${def.name}, ${JSON.stringify(def)}::jsonb, ${userId}::uuid, ${randomBytes(24).toString('base64url')}, ${randomBytes(32).toString('base64url')}, ${source})`);
        } else {
          await tx.query(sql`update kizuna_workflows set draft = ${JSON.stringify(def)}::jsonb, name = ${def.name} where id = ${id}::uuid`);
        }
        await publishIn(tx, id, def, null);
      }
      await tx.query(sql`update kizuna_workflows set enabled = false, updated_at = now()
        where source like ${`plugin:${plugin}:%`} and not (source in (select jsonb_array_elements_text(${JSON.stringify(sources)}::jsonb)))`);
    },
    async disableShipped(tx: Executor, plugin: string): Promise<void> {
      await tx.query(sql`update kizuna_workflows set enabled = false, updated_at = now() where source like ${`plugin:${plugin}:%`}`);
    },
    async setEnabled(id: string, enabled: boolean): Promise<WorkflowView> {
      const w = await get(id);
      if (enabled && w.active_version === null) throw conflict('Publish the workflow before enabling it');
      // A schedule counts from when it is switched on, not from a publish long ago.
      const next = enabled ? nextScheduled((await this.definition(id, w.active_version!)).trigger, new Date()) : undefined;
      // Date-relative triggers count from when the workflow was switched on.
      await db.query(sql`update kizuna_workflows set enabled = ${enabled}, updated_at = now(),
        enabled_at = ${enabled ? sql`case when enabled then enabled_at else now() end` : sql`enabled_at`},
        next_run_at = ${next ? sql`${next.toISOString()}::timestamptz` : sql`next_run_at`} where id = ${id}::uuid`);
      return get(id);
    },
    async versions(id: string) {
      await get(id);
      const rows = await db.query(sql`select version, definition, published_by::text as published_by, ${ts('published_at')} as published_at
        from kizuna_workflow_versions where workflow_id = ${id}::uuid order by version desc`);
      return rows.map((r) => ({ ...r, definition: json(r.definition) }));
    },
    async definition(id: string, version: number, exec: Executor = db): Promise<WorkflowDefinition> {
      const [r] = await exec.query<{ definition: unknown }>(sql`select definition from kizuna_workflow_versions where workflow_id = ${id}::uuid and version = ${version}`);
      if (!r) throw notFound(`Workflow ${id} has no version ${version}`);
      return json(r.definition);
    },
    /** Enabled workflows at their active version (the trigger dispatcher reads these). */
    async active(exec: Executor = db): Promise<ActiveWorkflow[]> {
      const rows = await exec.query<ActiveWorkflow & Record<string, unknown>>(sql`select w.id::text as id, w.user_id::text as user_id, v.version, v.definition,
          (extract(epoch from w.enabled_at) * 1000)::float8 as enabled_ms
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version where w.enabled`);
      return rows.map((r) => ({ ...r, definition: json(r.definition), enabled_ms: r.enabled_ms === null || r.enabled_ms === undefined ? null : Number(r.enabled_ms) }));
    },
    /** An enabled workflow at its active version, or undefined (the manual runs of non-admins). */
    async activeById(id: string): Promise<ActiveWorkflow | undefined> {
      if (!UUID.test(id)) return undefined;
      const [r] = await db.query<ActiveWorkflow & Record<string, unknown>>(sql`select w.id::text as id, w.user_id::text as user_id, v.version, v.definition
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version where w.enabled and w.id = ${id}::uuid`);
      return r && { ...r, definition: json(r.definition) };
    },
    async byHookToken(token: string): Promise<(ActiveWorkflow & { hook_key: string }) | undefined> {
      const [r] = await db.query<ActiveWorkflow & { hook_key: string } & Record<string, unknown>>(sql`select w.id::text as id, w.user_id::text as user_id, v.version, v.definition, w.hook_key
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version where w.enabled and w.hook_token = ${token}`);
      return r && { ...r, definition: json(r.definition) };
    },
  };
}

export type WorkflowStore = ReturnType<typeof createWorkflowStore>;
