// The workflow engine as the server sees it: definitions, runs, manual and webhook starts,
// and the loop that dispatches triggers and advances runs on this node.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql, type Database } from '../db/index.ts';
import { fitProblems } from './fit.ts';
import type { Registry } from '../metadata/index.ts';
import type { RecordService, Actor } from '../records/index.ts';
import { createAjv, definitionProblems } from '../model/index.ts';
import { conflict, notFound, unauthorized, validation, type FieldProblem } from '../problems/index.ts';
import { buildCatalog } from './catalog.ts';
import { onOutboxCommit } from '../events/index.ts';
import { createLoop } from '../jobs/index.ts';
import { createDateTriggers } from './date-triggers.ts';
import { assertDefinition, definitionErrors, type KnownAction, type WorkflowDefinition } from './definition.ts';
import { dryRun } from './dry-run.ts';
import { createRunExecutor, type EngineOptions } from './engine.ts';
import { createMailer, type Mailer } from './mail.ts';
import { createRunReader, insertRun, DEFAULT_MAX_DEPTH } from './runs.ts';
import { createWorkflowStore, type ActiveWorkflow } from './store.ts';
import { createTriggerDispatcher } from './triggers.ts';
import { readTemplates, type WorkflowTemplate } from './templates.ts';
import type { WorkflowActions } from './steps.ts';
import { logEvent } from '../log/index.ts';

export interface WorkflowEngineOptions {
  db: Database;
  records: RecordService;
  /** Object definitions: date triggers and the default "open" records of least-loaded assignment. */
  registry?: Registry;
  /** Calls back after any change of people or teams on any node (a deleted team's workflows are re-checked); returns the unsubscribe. */
  watchPeople?: (listener: () => void) => () => void;
  actions?: WorkflowActions;
  httpHosts?: string[];
  pollMs?: number;
  leaseMs?: number;
  retryBaseMs?: number;
  maxDepth?: number;
  /** KIZUNA_SMTP_URL (smtp://user:pass@host:port) and KIZUNA_SMTP_FROM; or a mailer (tests). */
  smtpUrl?: string;
  mailFrom?: string;
  mailer?: Mailer;
  /** How often date-relative triggers are scanned (default: 4 polls, at most 5 s). */
  dateScanMs?: number;
  onStepStart?: (runId: string, stepId: string) => void;
  /** Steps one run may commit before it fails as a graph looping without end (default 10000). */
  maxSteps?: number;
  /** Runs advanced at once on this node (default 4). */
  concurrency?: number;
  /** How long one run is advanced before its worker takes the next due run (default 1000 ms; 0: one step). */
  turnMs?: number;
}

const CLOSED_STATUSES = ['resolved', 'closed', 'done', 'completed', 'cancelled', 'canceled', 'won', 'lost'];

export const SIGNATURE_HEADER = 'x-kizuna-signature';

/** "sha256=<hex>" of the body under the workflow's hook key. */
export const signBody = (key: string, body: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

export function createWorkflowEngine(opts: WorkflowEngineOptions) {
  const { db } = opts;
  const mailer = opts.mailer ?? (opts.smtpUrl ? createMailer(opts.smtpUrl) : undefined);
  const ajv = createAjv();
  const actionSchemas = new WeakMap<object, ReturnType<typeof ajv.compile>>();
  /** A plugin action by name, with its config schema compiled once (for definition checks). */
  const knownAction = (name: string): KnownAction | undefined => {
    const info = opts.actions?.list?.().find((a) => a.name === name);
    if (!info) return opts.actions?.has(name) ? {} : undefined;
    const schema = info.config;
    return {
      check(config) {
        if (!schema) return [];
        let v = actionSchemas.get(schema);
        if (!v) actionSchemas.set(schema, (v = ajv.compile(schema)));
        return v(config) ? [] : definitionProblems(v.errors);
      },
    };
  };
  // Without a plugin host (tests of the engine alone) actions are not checked.
  const checkActions = opts.actions?.list ? knownAction : undefined;
  /** Least-loaded assignment counts records not in a closed status, when the object has a status. */
  const openFilter = (object: string): Record<string, unknown> => {
    const status = opts.registry?.find(object)?.fields.get('status');
    const closed = (status?.spec.options ?? []).map((o) => o.value).filter((v) => CLOSED_STATUSES.includes(v));
    return closed.length ? { status: { nin: closed } } : {};
  };
  const engineOptions = { ...opts, mailer, openFilter } as Omit<EngineOptions, 'store'>;
  /** Problems of a definition against the metadata and teams as they are now (none without a registry: tests of the engine alone). */
  const fits = async (def: WorkflowDefinition): Promise<FieldProblem[]> => {
    if (!opts.registry) return [];
    const teams = await db.query<{ id: string; name: string }>(sql`select id::text as id, lower(name) as name from kizuna_teams`);
    const known = new Set(teams.flatMap((t) => [t.id, t.name]));
    return fitProblems(def, { models: opts.registry.snapshot().models, hasTeam: (t) => known.has(t.toLowerCase()) || known.has(t) });
  };
  const store = createWorkflowStore(db, checkActions, fits);
  /**
   * Every enabled workflow's active version against the metadata now: one that no longer
   * fits is marked invalid (and stops), one that fits again is ok again. On start and after
   * each metadata, people or team change, on every node (the marks are idempotent).
   */
  const rechecking = createLoop(
    async () => {
      for (const w of await store.active(db, true)) {
        const problems = await fits(w.definition);
        if (problems.length)
          await store.markInvalid(
            w.id,
            w.version,
            problems,
            ['record.created', 'record.updated', 'record.deleted'].includes(w.definition.trigger.type),
          );
        else if (w.state === 'invalid') await store.markValid(w.id, w.version);
      }
    },
    { name: 'workflow metadata check' },
  );
  const recheck = rechecking.kick;
  let unwatch: (() => void) | undefined;
  let unwatchPeople: (() => void) | undefined;
  const runs = createRunReader(db);
  const executor = createRunExecutor({ ...engineOptions, store } as EngineOptions);
  const triggers = createTriggerDispatcher({ db, records: opts.records, store, maxDepth: opts.maxDepth });
  const dates = createDateTriggers({ db, registry: opts.registry, records: opts.records, store, maxDepth: opts.maxDepth });
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const dateScanMs = opts.dateScanMs ?? Math.min(5000, (opts.pollMs ?? 250) * 4);
  let lastDateScan = 0;
  const inputValidators = new Map<string, ReturnType<typeof ajv.compile>>();

  /** A manual run's input against the trigger's input_schema: 422 naming each field. */
  function checkInput(def: WorkflowDefinition, input: unknown) {
    const schema = def.trigger.input_schema;
    if (!schema) return;
    const key = JSON.stringify(schema);
    let v = inputValidators.get(key);
    if (!v) inputValidators.set(key, (v = ajv.compile(schema)));
    if (!v(input ?? {})) {
      const problems: FieldProblem[] = definitionProblems(v.errors).map((p) => ({
        ...p,
        field: p.field === '(root)' ? 'input' : `input.${p.field}`,
      }));
      throw validation(problems, "The input does not match the workflow's input_schema");
    }
  }

  /** The trigger a manual or test run starts with: the record (read as the caller) and input. */
  async function manualStart(
    def: WorkflowDefinition,
    type: string,
    body: { record_id?: string; input?: Record<string, unknown> },
    caller: Actor,
  ) {
    const object = def.trigger.object;
    let record: Record<string, unknown> | undefined;
    if (body.record_id !== undefined) {
      if (!object) throw validation([{ field: 'record_id', message: "this workflow's trigger names no object, so it takes no record" }]);
      record = await opts.records.get(object, body.record_id, caller);
    }
    const trigger: Record<string, unknown> = {
      type,
      by: caller.actor,
      ...(record ? { object, record_id: body.record_id, record, version: record.version, changes: {} } : {}),
      ...(def.trigger.type === 'webhook' ? { body: body.input ?? {} } : {}),
    };
    return { trigger, input: body.input, object: record ? object : undefined, recordId: record ? body.record_id : undefined };
  }
  let timer: NodeJS.Timeout | undefined;
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  let stopped = true;

  const log = (msg: string, e: unknown) => logEvent({ level: 'error', msg, error: String((e as Error)?.stack ?? e) });

  /** Starting runs: record events, schedules, dates. */
  async function dispatch(): Promise<void> {
    while (!stopped && (await triggers.dispatchEvents().catch((e) => (log('workflow trigger dispatch failed', e), false))));
    await triggers.fireSchedules().catch((e) => log('workflow schedules failed', e));
    if (Date.now() - lastDateScan >= dateScanMs) {
      lastDateScan = Date.now();
      await dates.fire().catch((e) => log('workflow date triggers failed', e));
    }
  }

  /**
   * Advancing runs: up to `concurrency` workers per node (a run spends most of its time
   * waiting on the database), each taking due runs until there is none. A kick starts the
   * workers missing: one held up in a long step does not keep the others from starting.
   */
  const workers = new Set<Promise<void>>();
  function advance(): Promise<void> {
    while (!stopped && workers.size < concurrency) {
      const w: Promise<void> = (async () => {
        while (!stopped && (await executor.runOne().catch((e) => (log('workflow run failed', e), false))));
      })().finally(() => workers.delete(w));
      workers.add(w);
    }
    return Promise.all(workers).then(() => {});
  }

  /**
   * Dispatching is a loop run at most once at a time (a call while it runs makes it run once
   * more), beside the workers advancing runs: a long run being advanced never holds back the triggers,
   * schedules and dates of this node (issue 13) — and each run yields its worker after a
   * turn (turnMs), so one long run does not hold back the others either.
   */
  const dispatching = createLoop(dispatch, { name: 'workflow dispatch', enabled: () => !stopped });
  const advancing = { kick: advance, idle: () => Promise.all(workers).then(() => {}) };

  function tick(): Promise<void> {
    return Promise.all([dispatching.kick(), advancing.kick()]).then(() => {});
  }

  async function activeVersion(id: string) {
    const w = await store.get(id);
    if (w.active_version === null) throw conflict('Publish the workflow before running it');
    return { id: w.id, user_id: w.user_id, version: w.active_version, definition: await store.definition(w.id, w.active_version) };
  }

  let templates: WorkflowTemplate[] | undefined;

  return {
    store,
    runs,
    /** For the plugin host: the workflows plugins ship. */
    shipped: { install: store.installShipped, remove: store.disableShipped },
    /** GET /api/workflows/templates: the shipped definitions a new workflow may start from. */
    templates: () => (templates ??= readTemplates()),
    /** GET /api/workflows/catalog: what the designer's palette offers. */
    catalog: () => buildCatalog(opts.actions),
    /** POST /api/workflows/validate: every problem of a definition, without saving it. */
    async validate(def: unknown) {
      const errors = await store.problemsOf(def);
      return { valid: errors.length === 0, errors };
    },
    /** Re-checks the enabled workflows against the metadata now (after a change; tests). */
    recheck,
    /** POST /api/workflows/{id}/test: a dry run of the given definition, else the draft (else the active version). */
    async test(id: string, body: { record_id?: string; input?: Record<string, unknown>; definition?: unknown }, caller: Actor) {
      const w = await store.get(id);
      const def =
        body.definition !== undefined
          ? assertDefinition(body.definition, checkActions)
          : w.draft
            ? assertDefinition(w.draft, checkActions)
            : await store.definition(id, w.active_version!);
      checkInput(def, body.input);
      const start = await manualStart(def, def.trigger.type, body, caller);
      return dryRun({ ...engineOptions, store } as EngineOptions, { id: w.id, user_id: w.user_id, definition: def }, start);
    },
    /**
     * GET /api/workflows/manual?object=: what anyone who may read the object may start on its
     * records — enabled workflows whose active version has a manual trigger on it; only the
     * published name, description and input form.
     */
    async manualFor(object: string): Promise<ManualWorkflow[]> {
      return (await store.active())
        .filter((w) => isManualOn(w, object))
        .map(({ id, definition: d }) => ({
          id,
          name: d.name,
          ...(d.description !== undefined && { description: d.description }),
          ...(d.trigger.input_schema !== undefined && { input_schema: d.trigger.input_schema }),
        }))
        .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
    },
    /** The object a non-admin's manual run is on, or undefined when this workflow is not theirs to start (not enabled, not manual, no object). */
    async manualObject(id: string): Promise<string | undefined> {
      const wf = await store.activeById(id);
      return wf && wf.definition.trigger.type === 'manual' ? wf.definition.trigger.object : undefined;
    },
    /** POST /api/workflows/{id}/run: the trigger record (read as the caller, so they must see it) and an input. */
    async runManually(id: string, body: { record_id?: string; input?: Record<string, unknown> }, caller: Actor) {
      const wf = await activeVersion(id);
      checkInput(wf.definition, body.input);
      const start = await manualStart(wf.definition, 'manual', body, caller);
      const runId = await insertRun(db, wf, start, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
      void tick();
      return runs.get(runId!);
    },
    /**
     * POST /api/workflows/{id}/run with record_ids: one run per record (a list selection).
     * Every record is read as the caller first, so one they cannot see starts nothing (404);
     * the runs are inserted together.
     */
    async runManuallyOnEach(id: string, body: { record_ids: string[]; input?: Record<string, unknown> }, caller: Actor) {
      const wf = await activeVersion(id);
      checkInput(wf.definition, body.input);
      const starts: Awaited<ReturnType<typeof manualStart>>[] = [];
      for (const recordId of body.record_ids)
        starts.push(await manualStart(wf.definition, 'manual', { record_id: recordId, input: body.input }, caller));
      const ids = await db.transaction(async (tx) => {
        const made: string[] = [];
        for (const start of starts) made.push((await insertRun(tx, wf, start, opts.maxDepth ?? DEFAULT_MAX_DEPTH))!);
        return made;
      });
      void tick();
      return runs.getMany(ids);
    },
    /** POST /api/workflows/hooks/{token}: the body must carry the HMAC-SHA256 of the hook key. */
    async receiveHook(token: string, rawBody: string, signature: string | undefined) {
      const wf = await store.byHookToken(token);
      if (!wf || wf.definition.trigger.type !== 'webhook') throw notFound('No enabled webhook workflow at this address');
      const expected = Buffer.from(signBody(wf.hook_key, rawBody));
      const given = Buffer.from(signature ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw unauthorized(`The ${SIGNATURE_HEADER} header is not the HMAC-SHA256 of the body under this hook's key`);
      let input: unknown = rawBody;
      try {
        input = JSON.parse(rawBody);
      } catch {
        /* not JSON: the text is the input */
      }
      const runId = await insertRun(db, wf, {
        trigger: { type: 'webhook', body: input },
        input: input && typeof input === 'object' ? (input as Record<string, unknown>) : { body: input },
      });
      void tick();
      return { run_id: runId! };
    },
    start() {
      if (!stopped) return;
      stopped = false;
      unwatch = opts.registry?.onChange(() => void recheck());
      unwatchPeople = opts.watchPeople?.(() => void recheck());
      void recheck();
      timer = setInterval(() => void tick(), opts.pollMs ?? 250);
      timer.unref();
      // Woken when a transaction that wrote record events commits, on any node; the poll
      // stays as the safety net (a notification is lost with its connection).
      unlisten = onOutboxCommit(db, () => void tick()).catch((e) => (log('workflow wake-up unavailable; polling only', e), undefined));
    },
    /** Runs a turn now (after a local write) instead of at the next tick. */
    kick: () => void tick(),
    /** Resolves when everything due now has been dispatched and advanced (tests). */
    async drain() {
      const wasStopped = stopped;
      stopped = false;
      try {
        await tick();
        await Promise.all([dispatching.idle(), advancing.idle()]);
        await tick();
      } finally {
        stopped = wasStopped;
      }
    },
    async stop() {
      stopped = true;
      unwatch?.();
      unwatchPeople?.();
      await rechecking.idle();
      if (timer) clearInterval(timer);
      const off = await unlisten;
      unlisten = undefined;
      await off?.().catch(() => {});
      await Promise.all([dispatching.idle(), advancing.idle()]);
    },
  };
}

export type WorkflowEngine = ReturnType<typeof createWorkflowEngine>;

export interface ManualWorkflow {
  id: string;
  name: string;
  description?: string;
  input_schema?: unknown;
}

const isManualOn = (w: ActiveWorkflow, object: string) => w.definition.trigger.type === 'manual' && w.definition.trigger.object === object;
