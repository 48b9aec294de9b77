// Workflow definitions in the database: a draft that admins edit, and numbered published
// versions. Runs keep the version they started on; each workflow acts as its own system user.
import { randomBytes } from 'node:crypto';
import { sql, uuidv7, type Database, type Executor } from '../db/index.ts';
import { conflict, notFound, ProblemError, validation, type FieldProblem } from '../problems/index.ts';
import { subscriptionCursorSql, type OutboxCursor } from '../events/index.ts';
import { createSystemUser } from '../auth/index.ts';
import { assertDefinition, definitionErrors, nextScheduled, type KnownAction, type WorkflowDefinition } from './definition.ts';
import { draftShapeErrors } from './draft.ts';

/** The outbox subscription record triggers are read from (triggers.ts). */
export const TRIGGER_SUBSCRIPTION = 'workflows';

/** Why a workflow stopped starting runs (issue 13): a message and, for a definition, its problems. */
export interface WorkflowError {
  message: string;
  errors?: FieldProblem[];
  at: string;
}

/**
 * ok: it starts runs. failing: its trigger could not be evaluated (an event stopped it);
 * invalid: its active version no longer fits the metadata. Neither starts runs from record
 * events, schedules or dates until it is fixed; the record events since it stopped are kept.
 */
export type WorkflowState = 'ok' | 'failing' | 'invalid';

export interface WorkflowView {
  id: string;
  name: string;
  enabled: boolean;
  state: WorkflowState;
  error: WorkflowError | null;
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
  /** Where it stopped in the outbox while failing or invalid: it reads the events since from there. */
  resume?: OutboxCursor | null;
  state?: WorkflowState;
}

const ts = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const columns = sql`id::text as id, name, enabled, state, error, active_version, draft, user_id::text as user_id, hook_token, hook_key,
  ${ts('next_run_at')} as next_run_at, ${ts('created_at')} as created_at, ${ts('updated_at')} as updated_at`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** JSON with sorted keys: jsonb gives keys back in its own order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );

function view(r: Record<string, unknown>): WorkflowView {
  const { hook_token, hook_key, ...rest } = r;
  return {
    ...(rest as unknown as WorkflowView),
    draft: json(r.draft),
    error: r.error === null || r.error === undefined ? null : json(r.error),
    hook: { path: `/api/workflows/hooks/${hook_token}`, key: hook_key as string },
  };
}

/** Problems of a definition against what it names outside itself (objects, fields, teams). */
export type FitCheck = (def: WorkflowDefinition) => Promise<FieldProblem[]>;

export function createWorkflowStore(db: Database, actions?: (name: string) => KnownAction | undefined, fits: FitCheck = async () => []) {
  /** Every problem of a definition: its soundness, then (when sound) its fit to the metadata now. */
  async function problemsOf(input: unknown): Promise<FieldProblem[]> {
    const errors = definitionErrors(input, actions);
    return errors.length ? errors : fits(input as WorkflowDefinition);
  }

  /** A sound definition that fits the metadata as it is now, else a 422 naming each path. */
  async function assertFitting(input: unknown, what = 'The workflow definition has problems'): Promise<WorkflowDefinition> {
    const problems = await problemsOf(input);
    if (problems.length) throw validation(problems, what);
    return input as WorkflowDefinition;
  }

  /** A draft the designer can open (else a 422), with its problems: a draft may have some. */
  async function assertDraft(input: unknown): Promise<{ def: WorkflowDefinition; problems: FieldProblem[] }> {
    const shape = draftShapeErrors(input);
    if (shape.length) throw validation(shape, 'The draft is not a workflow definition');
    return { def: input as WorkflowDefinition, problems: await problemsOf(input) };
  }

  async function systemUser(tx: Executor, id: string, name: string): Promise<string> {
    return createSystemUser(tx, { id: uuidv7(), email: `workflow-${id}@workflows.kizuna.invalid`, name: `Workflow: ${name}` });
  }

  /** Publishes a definition as the workflow's next version, in the caller's transaction. */
  async function publishIn(tx: Executor, id: string, def: WorkflowDefinition, by: string | null): Promise<number> {
    const [v] = await tx.query<{ n: number }>(
      sql`select coalesce(max(version), 0)::int + 1 as n from kizuna_workflow_versions where workflow_id = ${id}::uuid`,
    );
    await tx.query(
      sql`insert into kizuna_workflow_versions (workflow_id, version, definition, published_by) values (${id}::uuid, ${v.n}, ${JSON.stringify(def)}::jsonb, ${by}::uuid)`,
    );
    const next = nextScheduled(def.trigger, new Date());
    await tx.query(
      sql`update kizuna_workflows set active_version = ${v.n}, next_run_at = ${next?.toISOString() ?? null}::timestamptz, updated_at = now() where id = ${id}::uuid`,
    );
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
    problemsOf,
    /** A new workflow, disabled, its draft kept with whatever problems it has (they are answered). */
    async create(input: unknown): Promise<WorkflowView & { problems: FieldProblem[] }> {
      const { def, problems } = await assertDraft(input);
      const id = uuidv7();
      await db.transaction(async (tx) => {
        const userId = await systemUser(tx, id, def.name);
        await tx.query(sql`insert into kizuna_workflows (id, name, draft, user_id, hook_token, hook_key)
          values (${id}::uuid, ${def.name}, ${JSON.stringify(def)}::jsonb, ${userId}::uuid, ${randomBytes(24).toString('base64url')}, ${randomBytes(32).toString('base64url')})`);
      });
      return { ...(await get(id)), problems };
    },
    /** Top-level keys of the body replace the draft's; kept with its problems (answered), refused only when no draft. */
    async patchDraft(id: string, patch: Record<string, unknown>): Promise<WorkflowView & { problems: FieldProblem[] }> {
      const current = await get(id);
      const { def, problems } = await assertDraft({ ...current.draft, ...patch });
      await db.query(
        sql`update kizuna_workflows set draft = ${JSON.stringify(def)}::jsonb, name = ${def.name}, updated_at = now() where id = ${id}::uuid`,
      );
      return { ...(await get(id)), problems };
    },
    async publish(id: string, by: string | null): Promise<{ workflow: WorkflowView; version: number }> {
      const draft = (await get(id)).draft;
      const def = await assertFitting(draft, 'The draft has problems: fix them before publishing');
      const version = await db.transaction(async (tx) => {
        const [w] = await tx.query<{ draft: unknown; enabled: boolean }>(
          sql`select draft, enabled from kizuna_workflows where id = ${id}::uuid for update`,
        );
        if (!w) throw notFound(`No workflow with id "${id}"`);
        if (canonical(json(w.draft)) !== canonical(draft)) throw conflict('The draft changed while it was being published; publish again');
        const n = await publishIn(tx, id, def, by);
        // A new version is the fix of a failing or invalid one: it starts runs again, first
        // from the events it had stopped at (resume_*), with this version.
        const readsEvents = ['record.created', 'record.updated', 'record.deleted'].includes(def.trigger.type);
        await tx.query(sql`update kizuna_workflows set state = 'ok', error = null
          ${readsEvents ? sql`` : sql`, resume_xid = null, resume_event_id = null`} where id = ${id}::uuid`);
        return n;
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
          if (e instanceof ProblemError)
            throw validation(
              e.errors?.map((p) => ({ ...p, field: `metadata.workflows.${i}.${p.field}` })) ?? [],
              `A workflow of the plugin ${plugin} is invalid`,
            );
          throw e;
        }
        const source = `plugin:${plugin}:${String(raw.key)}`;
        sources.push(source);
        const [existing] = await tx.query<{
          id: string;
          definition: unknown;
        }>(sql`select w.id::text as id, v.definition from kizuna_workflows w
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
      if (enabled) {
        const problems = await fits(await this.definition(id, w.active_version!));
        if (problems.length) throw validation(problems, 'The active version names what does not exist; publish a fixed version');
      }
      // A schedule counts from when it is switched on, not from a publish long ago.
      const next = enabled ? nextScheduled((await this.definition(id, w.active_version!)).trigger, new Date()) : undefined;
      // Date-relative triggers count from when the workflow was switched on.
      await db.query(sql`update kizuna_workflows set enabled = ${enabled}, updated_at = now(),
        enabled_at = ${enabled ? sql`case when enabled then enabled_at else now() end` : sql`enabled_at`},
        ${enabled ? sql`state = 'ok', error = null,` : sql``}
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
      const [r] = await exec.query<{ definition: unknown }>(
        sql`select definition from kizuna_workflow_versions where workflow_id = ${id}::uuid and version = ${version}`,
      );
      if (!r) throw notFound(`Workflow ${id} has no version ${version}`);
      return json(r.definition);
    },
    /** Enabled workflows at their active version (the trigger dispatcher reads these); `all`: also failing and invalid ones. */
    async active(exec: Executor = db, all = false): Promise<ActiveWorkflow[]> {
      const rows = await exec.query<
        ActiveWorkflow & Record<string, unknown>
      >(sql`select w.id::text as id, w.user_id::text as user_id, v.version, v.definition,
          (extract(epoch from w.enabled_at) * 1000)::float8 as enabled_ms, w.resume_xid::text as resume_xid, w.resume_event_id::text as resume_event_id, w.state
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version
        where w.enabled ${all ? sql`` : sql`and w.state = 'ok'`}`);
      return rows.map(({ resume_xid, resume_event_id, ...r }) => ({
        ...r,
        definition: json(r.definition),
        enabled_ms: r.enabled_ms === null || r.enabled_ms === undefined ? null : Number(r.enabled_ms),
        resume: resume_xid ? { xid: String(resume_xid), id: String(resume_event_id) } : null,
      }));
    },
    /**
     * A workflow whose trigger could not be evaluated stops alone: marked failing with the
     * error, and where it stopped (`at`, the outbox position before the events it could not
     * evaluate, else the dispatcher's position now; an earlier stop is kept). Only while `version` is still its active version.
     */
    async markFailing(id: string, version: number, error: Omit<WorkflowError, 'at'>, at?: OutboxCursor): Promise<void> {
      await db.query(sql`update kizuna_workflows w set state = 'failing', error = ${JSON.stringify({ ...error, at: new Date().toISOString() })}::jsonb,
          resume_xid = coalesce(w.resume_xid, ${at?.xid ?? null}::xid8, c.last_xid), resume_event_id = coalesce(w.resume_event_id, ${at?.id ?? null}::bigint, c.last_event_id)
        from ${subscriptionCursorSql(TRIGGER_SUBSCRIPTION)} c where w.id = ${id}::uuid and w.active_version = ${version}`);
    },
    /**
     * A metadata change left the active version naming what no longer exists: it stops
     * starting runs (from the dispatcher's position now) until a fixed version is published,
     * or the metadata fits it again.
     */
    async markInvalid(id: string, version: number, problems: FieldProblem[], readsEvents: boolean): Promise<void> {
      const error = {
        message: 'The active version names what no longer exists in the metadata',
        errors: problems,
        at: new Date().toISOString(),
      };
      // Only a workflow started by record events keeps a position to read them from.
      await db.query(sql`update kizuna_workflows w set state = 'invalid', error = ${JSON.stringify(error)}::jsonb,
          resume_xid = coalesce(w.resume_xid, case when ${readsEvents}::boolean then c.last_xid end),
          resume_event_id = coalesce(w.resume_event_id, case when ${readsEvents}::boolean then c.last_event_id end)
        from ${subscriptionCursorSql(TRIGGER_SUBSCRIPTION)} c where w.id = ${id}::uuid and w.active_version = ${version}
          and (w.state <> 'invalid' or (w.error->'errors') is distinct from ${JSON.stringify(problems)}::jsonb)`);
    },
    /** The metadata fits an invalid workflow again: it starts runs again (from where it stopped). */
    async markValid(id: string, version: number): Promise<void> {
      await db.query(
        sql`update kizuna_workflows set state = 'ok', error = null where id = ${id}::uuid and active_version = ${version} and state = 'invalid'`,
      );
    },
    /** Moves a workflow's own outbox position (catching up), or clears it (caught up: `to` null). */
    async moveResume(id: string, from: OutboxCursor, to: OutboxCursor | null): Promise<void> {
      await db.query(sql`update kizuna_workflows set resume_xid = ${to?.xid ?? null}::xid8, resume_event_id = ${to?.id ?? null}::bigint
        where id = ${id}::uuid and resume_xid = ${from.xid}::xid8 and resume_event_id = ${from.id}::bigint`);
    },
    /** An enabled workflow at its active version, or undefined (the manual runs of non-admins). */
    async activeById(id: string): Promise<ActiveWorkflow | undefined> {
      if (!UUID.test(id)) return undefined;
      const [r] = await db.query<
        ActiveWorkflow & Record<string, unknown>
      >(sql`select w.id::text as id, w.user_id::text as user_id, v.version, v.definition
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version where w.enabled and w.id = ${id}::uuid`);
      return r && { ...r, definition: json(r.definition) };
    },
    async byHookToken(token: string): Promise<(ActiveWorkflow & { hook_key: string }) | undefined> {
      const [r] = await db.query<
        ActiveWorkflow & { hook_key: string } & Record<string, unknown>
      >(sql`select w.id::text as id, w.user_id::text as user_id, v.version, v.definition, w.hook_key
        from kizuna_workflows w join kizuna_workflow_versions v on v.workflow_id = w.id and v.version = w.active_version where w.enabled and w.hook_token = ${token}`);
      return r && { ...r, definition: json(r.definition) };
    },
  };
}

export type WorkflowStore = ReturnType<typeof createWorkflowStore>;
