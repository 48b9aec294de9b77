// The workflow engine as the server sees it: definitions, runs, manual and webhook starts,
// and the loop that dispatches triggers and advances runs on this node.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/index.ts';
import type { RecordService, Actor } from '../records/index.ts';
import { conflict, notFound, unauthorized } from '../problems/index.ts';
import { createRunExecutor, type EngineOptions } from './engine.ts';
import { createRunReader, insertRun, DEFAULT_MAX_DEPTH } from './runs.ts';
import { createWorkflowStore } from './store.ts';
import { createTriggerDispatcher } from './triggers.ts';
import type { WorkflowActions } from './steps.ts';

export interface WorkflowEngineOptions {
  db: Database;
  records: RecordService;
  actions?: WorkflowActions;
  httpHosts?: string[];
  pollMs?: number;
  leaseMs?: number;
  retryBaseMs?: number;
  maxDepth?: number;
}

export const SIGNATURE_HEADER = 'x-kizuna-signature';

/** "sha256=<hex>" of the body under the workflow's hook key. */
export const signBody = (key: string, body: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

export function createWorkflowEngine(opts: WorkflowEngineOptions) {
  const { db } = opts;
  const store = createWorkflowStore(db);
  const runs = createRunReader(db);
  const executor = createRunExecutor({ ...opts, store } as EngineOptions);
  const triggers = createTriggerDispatcher({ db, records: opts.records, store, owner: executor.owner, maxDepth: opts.maxDepth });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  const log = (msg: string, e: unknown) => console.error(JSON.stringify({ level: 'error', msg, error: String((e as Error)?.stack ?? e) }));

  async function turn(): Promise<void> {
    do {
      again = false;
      while (!stopped && (await triggers.dispatchEvents().catch((e) => (log('workflow trigger dispatch failed', e), false))));
      await triggers.fireSchedules().catch((e) => log('workflow schedules failed', e));
      while (!stopped && (await executor.runOne().catch((e) => (log('workflow run failed', e), false))));
    } while (again && !stopped);
  }

  function tick(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = turn().finally(() => (running = undefined));
    return running;
  }

  async function activeVersion(id: string) {
    const w = await store.get(id);
    if (w.active_version === null) throw conflict('Publish the workflow before running it');
    return { id: w.id, user_id: w.user_id, version: w.active_version, definition: await store.definition(w.id, w.active_version) };
  }

  return {
    store,
    runs,
    /** POST /api/workflows/{id}/run: the trigger record (read as the caller, so they must see it) and an input. */
    async runManually(id: string, body: { record_id?: string; input?: Record<string, unknown> }, caller: Actor) {
      const wf = await activeVersion(id);
      const object = wf.definition.trigger.object;
      let record: unknown;
      if (body.record_id !== undefined) {
        if (!object) throw conflict('This workflow\'s trigger names no object, so it takes no record_id');
        record = await opts.records.get(object, body.record_id, caller);
      }
      const runId = await insertRun(db, wf, {
        trigger: { type: 'manual', by: caller.actor, ...(record ? { object, record_id: body.record_id, record } : {}) },
        input: body.input, object: record ? object : undefined, recordId: record ? body.record_id : undefined,
      }, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
      void tick();
      return runs.get(runId!);
    },
    /** POST /api/workflows/hooks/{token}: the body must carry the HMAC-SHA256 of the hook key. */
    async receiveHook(token: string, rawBody: string, signature: string | undefined) {
      const wf = await store.byHookToken(token);
      if (!wf || wf.definition.trigger.type !== 'webhook') throw notFound('No enabled webhook workflow at this address');
      const expected = Buffer.from(signBody(wf.hook_key, rawBody));
      const given = Buffer.from(signature ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized(`The ${SIGNATURE_HEADER} header is not the HMAC-SHA256 of the body under this hook's key`);
      let input: unknown = rawBody;
      try {
        input = JSON.parse(rawBody);
      } catch {
        /* not JSON: the text is the input */
      }
      const runId = await insertRun(db, wf, { trigger: { type: 'webhook', body: input }, input: input && typeof input === 'object' ? (input as Record<string, unknown>) : { body: input } });
      void tick();
      return { run_id: runId! };
    },
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => void tick(), opts.pollMs ?? 250);
      timer.unref();
    },
    /** Runs a turn now (after a local write) instead of at the next tick. */
    kick: () => void tick(),
    /** Resolves when everything due now has been dispatched and advanced (tests). */
    async drain() {
      const wasStopped = stopped;
      stopped = false;
      try {
        await tick();
        await running;
        await tick();
      } finally {
        stopped = wasStopped;
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

export type WorkflowEngine = ReturnType<typeof createWorkflowEngine>;
