// Runs as rows: starting one (with its recursion depth), and reading them back with the path
// taken and each step's input, output and error.
import type { SQL } from 'drizzle-orm';
import { leaseReleased, sql, uuidv7, type Database, type Executor } from '../db/index.ts';
import { conflict, notFound, validation } from '../problems/index.ts';
import type { WorkflowDefinition } from './definition.ts';
import type { ActiveWorkflow } from './store.ts';

export const DEFAULT_MAX_DEPTH = 5;

export interface RunStart {
  trigger: Record<string, unknown>;
  input?: Record<string, unknown>;
  object?: string;
  recordId?: string;
  eventId?: string;
  depth?: number;
}

/** Inserts a queued run (or, past the depth limit, a failed one); undefined when this event already started it. */
export async function insertRun(
  exec: Executor,
  wf: ActiveWorkflow,
  start: RunStart,
  maxDepth = DEFAULT_MAX_DEPTH,
): Promise<string | undefined> {
  const row = runRow(wf, start, maxDepth);
  const inserted = await exec.query(sql`${insertRunsSql([row.sql])} returning id::text as id`);
  return inserted.length ? row.id : undefined;
}

/** Many runs in one statement (record triggers read in batches); a (workflow, event) pair already started is skipped. */
export async function insertRuns(
  exec: Executor,
  starts: { wf: ActiveWorkflow; start: RunStart }[],
  maxDepth = DEFAULT_MAX_DEPTH,
): Promise<number> {
  if (!starts.length) return 0;
  const inserted = await exec.query(sql`${insertRunsSql(starts.map(({ wf, start }) => runRow(wf, start, maxDepth).sql))} returning id`);
  return inserted.length;
}

/** One run's values: queued at the workflow's start step, or failed at once past the depth limit. */
function runRow(wf: ActiveWorkflow, start: RunStart, maxDepth: number): { id: string; sql: SQL } {
  const id = uuidv7();
  const depth = start.depth ?? 0;
  const refused = depth > maxDepth;
  const context = { trigger: start.trigger, input: start.input ?? {}, vars: wf.definition.variables ?? {}, steps: {} };
  const error = refused
    ? `Recursion bounded: this run would be ${depth} workflow runs deep (at most ${maxDepth}); a step of a workflow probably changes the record that triggers it`
    : null;
  return {
    id,
    sql: sql`(${id}::uuid, ${wf.id}::uuid, ${wf.version}::int, ${refused ? 'failed' : 'queued'}, ${JSON.stringify(start.trigger)}::jsonb, ${JSON.stringify(context)}::jsonb,
      ${refused ? null : wf.definition.start}::text, ${depth}::int, ${start.object ?? null}::text, ${start.recordId ?? null}::uuid, ${start.eventId ?? null}::bigint, ${error}::text,
      ${refused ? sql`now()` : sql`null::timestamptz`})`,
  };
}

const insertRunsSql = (
  rows: SQL[],
) => sql`insert into kizuna_workflow_runs (id, workflow_id, version, status, trigger, context, current_step, depth, object, record_id, event_id, error, finished_at)
  values ${sql.join(rows, sql`, `)} on conflict (workflow_id, event_id) do nothing`;

const ts = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const runColumns = sql`id::text as id, workflow_id::text as workflow_id, version, status, trigger, current_step, depth, object, record_id::text as record_id,
  attempts, error, ${ts('run_at')} as run_at, ${ts('created_at')} as created_at, ${ts('finished_at')} as finished_at,
  (extract(epoch from (coalesce(finished_at, now()) - created_at)) * 1000)::bigint as duration_ms`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const parse = (r: Record<string, unknown>) => {
  for (const k of ['trigger', 'context', 'input', 'output']) if (typeof r[k] === 'string') r[k] = JSON.parse(r[k] as string);
  if (r.duration_ms !== undefined) r.duration_ms = Number(r.duration_ms);
  return r;
};

export function createRunReader(db: Database) {
  async function get(id: string): Promise<Record<string, any>> {
    if (!UUID.test(id)) throw notFound(`No workflow run with id "${id}"`);
    const [run] = await db.query(sql`select ${runColumns}, context from kizuna_workflow_runs where id = ${id}::uuid`);
    if (!run) throw notFound(`No workflow run with id "${id}"`);
    const steps =
      await db.query(sql`select step_id, type, status, attempt, input, output, error, ${ts('started_at')} as started_at, ${ts('finished_at')} as finished_at
      from kizuna_workflow_steps where run_id = ${id}::uuid order by id`);
    const done = steps.map(parse);
    return { ...(parse(run) as Record<string, any>), steps: done, path: done.filter((s) => s.status !== 'failed').map((s) => s.step_id) };
  }

  return {
    get,
    /** Runs by id, in the order given (without steps: they were just queued). */
    async getMany(ids: string[]) {
      if (!ids.length) return [];
      const rows = await db.query(sql`select ${runColumns} from kizuna_workflow_runs where id = any(${`{${ids.join(',')}}`}::uuid[])`);
      const byId = new Map(rows.map((r) => [r.id as string, parse(r)]));
      return ids.map((id) => byId.get(id)!);
    },
    /** The newest runs of a workflow, or of a record (for its timeline). */
    async list(where: { workflowId?: string; object?: string; recordId?: string }, limit = 50) {
      if (where.workflowId && !UUID.test(where.workflowId)) throw notFound(`No workflow with id "${where.workflowId}"`);
      if (where.recordId && !UUID.test(where.recordId)) return [];
      const conds = [
        where.workflowId ? sql`workflow_id = ${where.workflowId}::uuid` : undefined,
        where.object ? sql`object = ${where.object}` : undefined,
        where.recordId ? sql`record_id = ${where.recordId}::uuid` : undefined,
      ].filter((c) => c !== undefined);
      const rows = await db.query(sql`select ${runColumns} from kizuna_workflow_runs
        ${conds.length ? sql`where ${sql.join(conds, sql` and `)}` : sql``} order by created_at desc, id desc limit ${limit}`);
      return rows.map(parse);
    },
    /**
     * Runs a record triggered, for its timeline page: those before the history entry the
     * page's cursor names (the previous page ended there) and, when the page is not the last,
     * since its oldest change — so each run appears on exactly one page.
     */
    async forTimeline(
      object: string,
      recordId: string,
      bounds: { beforeHistoryId?: string; since?: string },
      opts: { redact?: boolean } = {},
    ) {
      if (!UUID.test(recordId)) return [];
      const rows = await db.query<
        Record<string, unknown>
      >(sql`select r.id::text as id, r.workflow_id::text as workflow_id, w.name as workflow_name, r.status, r.error,
          (extract(epoch from (coalesce(r.finished_at, now()) - r.created_at)) * 1000)::bigint as duration_ms, ${ts('r.created_at')} as at
        from kizuna_workflow_runs r join kizuna_workflows w on w.id = r.workflow_id
        where r.object = ${object} and r.record_id = ${recordId}::uuid
          ${bounds.beforeHistoryId ? sql`and r.created_at < (select h.at from kizuna_history h where h.id = ${bounds.beforeHistoryId}::bigint)` : sql``}
          ${bounds.since ? sql`and r.created_at >= ${bounds.since}::timestamptz` : sql``}
        order by r.created_at desc, r.id desc limit 500`);
      return rows.map(({ at, ...run }) => ({
        id: run.id as string,
        kind: 'workflow_run' as const,
        at: at as string,
        run: { ...run, duration_ms: Number(run.duration_ms), ...(opts.redact && { error: redactedError(run.error as string | null) }) },
      }));
    },
    /**
     * A failed run goes again from the step that failed, with the context it had — or from an
     * earlier step it took (`fromStep`), which runs again with everything after it. A step
     * inside a loop's body is not a place to start from (the loop's item would be missing):
     * start from the loop step.
     */
    async retry(id: string, fromStep?: string) {
      const run = await get(id);
      if (run.status !== 'failed') throw conflict(`Only a failed run can be retried; this one is ${run.status}`);
      if (!run.current_step) throw conflict('This run failed before its first step (for example, recursion bounded) and cannot be retried');
      const from = fromStep ?? run.current_step;
      let context = sql``;
      if (from !== run.current_step) {
        const taken = new Set((run.steps as { step_id: string }[]).map((s) => s.step_id));
        if (!taken.has(from))
          throw validation([{ field: 'from_step', message: `the run never reached a step "${from}" (it took: ${[...taken].join(', ')})` }]);
        const [v] = await db.query<{ definition: unknown }>(
          sql`select definition from kizuna_workflow_versions where workflow_id = ${run.workflow_id}::uuid and version = ${run.version}`,
        );
        const def = (typeof v.definition === 'string' ? JSON.parse(v.definition) : v.definition) as WorkflowDefinition;
        const loop = loopOf(def, from);
        if (loop) throw conflict(`"${from}" is inside the body of the loop "${loop}": retry from "${loop}"`);
        // From outside any loop: no loop is being iterated, no wait is counting down.
        context = sql`, context = context - '$stack' - '$loops' - 'loop' - '$waits'`;
      }
      await db.query(sql`update kizuna_workflow_runs set status = 'queued', attempts = 0, error = null, run_at = now(), finished_at = null, ${leaseReleased},
          current_step = ${from}${context}
        where id = ${id}::uuid and status = 'failed'`);
      return get(id);
    },
  };
}

export type RunReader = ReturnType<typeof createRunReader>;

/**
 * A run's error as a reader who is not an admin sees it on a record's timeline: which step
 * failed, never the message — a step's error can carry any value its templates read (a
 * field hidden from this reader, another record's), and the run acts as the workflow's user.
 */
export function redactedError(error: string | null): string | null {
  if (error === null) return null;
  const step = /^Step "([^"]*)" failed( \(attempt \d+, retrying\))?/.exec(error);
  return step ? `${step[0]} (the details are shown to admins)` : 'The run failed (the details are shown to admins)';
}

/** The loop whose body a step is in (reached from the loop's body branch without passing the loop again), if any. */
function loopOf(def: WorkflowDefinition, stepId: string): string | undefined {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  for (const loop of def.steps.filter((s) => s.type === 'loop')) {
    const seen = new Set<string>();
    const queue = loop.branches?.body ? [loop.branches.body] : [];
    while (queue.length) {
      const id = queue.pop()!;
      if (id === loop.id || seen.has(id)) continue;
      seen.add(id);
      const s = byId.get(id);
      if (s) queue.push(...[s.next, ...Object.values(s.branches ?? {})].filter((t): t is string => !!t));
    }
    if (seen.has(stepId)) return loop.id;
  }
  return undefined;
}
