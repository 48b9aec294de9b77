// The durable run loop. A run is claimed with FOR UPDATE SKIP LOCKED and a lease; each step's
// outcome is committed in a transaction fenced by that lease, so a worker that lost its run
// (crashed, or too slow) cannot commit a step another worker also ran. Waits and backoffs are
// just a later run_at: they survive restarts because they are rows.
import { randomBytes } from 'node:crypto';
import { sql, type Database, type Executor } from '../db/index.ts';
import type { RecordService } from '../records/index.ts';
import { render } from './template.ts';
import { isPermanent, nextOf, stepKinds, type StepResult, type WorkflowActions } from './steps.ts';
import type { WorkflowStore } from './store.ts';

export interface EngineOptions {
  db: Database;
  records: RecordService;
  store: WorkflowStore;
  actions?: WorkflowActions;
  /** Hosts HTTP steps may call (KIZUNA_WORKFLOW_HTTP_HOSTS). */
  httpHosts?: string[];
  /** How long a claim lasts without a commit before another worker may take the run over. */
  leaseMs?: number;
  /** First retry delay; doubles each attempt (capped at an hour). */
  retryBaseMs?: number;
}

interface ClaimedRun {
  id: string;
  workflow_id: string;
  version: number;
  user_id: string;
  context: Record<string, any>;
  current_step: string | null;
  object: string | null;
  record_id: string | null;
  attempts: number;
}

class LostRun extends Error {}

export function createRunExecutor(opts: EngineOptions) {
  const owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const leaseMs = opts.leaseMs ?? 60_000;
  const retryBaseMs = opts.retryBaseMs ?? 5_000;
  const { db } = opts;

  async function claim(): Promise<ClaimedRun | undefined> {
    const [row] = await db.query<ClaimedRun & Record<string, unknown>>(sql`update kizuna_workflow_runs r set status = 'running', lease_owner = ${owner},
        lease_until = now() + ${leaseMs}::int * interval '1 millisecond'
      from kizuna_workflows w
      where w.id = r.workflow_id and r.id = (select id from kizuna_workflow_runs
        where (status in ('queued', 'waiting') and run_at <= now()) or (status = 'running' and lease_until < now())
        order by run_at limit 1 for update skip locked)
      returning r.id::text as id, r.workflow_id::text as workflow_id, r.version, w.user_id::text as user_id, r.context, r.current_step, r.object,
        r.record_id::text as record_id, r.attempts`);
    if (!row) return undefined;
    if (typeof row.context === 'string') row.context = JSON.parse(row.context);
    return row as ClaimedRun;
  }

  /** Locks the run row for this commit; throws when another worker owns the run now. */
  async function fence(tx: Executor, runId: string) {
    const [r] = await tx.query(sql`select 1 as ok from kizuna_workflow_runs where id = ${runId}::uuid and lease_owner = ${owner} and status = 'running' for update`);
    if (!r) throw new LostRun(runId);
  }

  const finishSql = (status: 'succeeded' | 'failed') => sql`status = ${status}, finished_at = now(), lease_owner = null, lease_until = null`;

  /** Runs the claimed run's steps until it finishes, fails, waits or backs off. */
  async function advance(run: ClaimedRun): Promise<void> {
    const def = await opts.store.definition(run.workflow_id, run.version);
    const byId = new Map(def.steps.map((s) => [s.id, s]));
    const actor = { actor: run.user_id, requestId: `workflow:${run.id}`, via: `workflow:${run.workflow_id}` };
    for (;;) {
      const step = run.current_step ? byId.get(run.current_step) : undefined;
      if (!step) {
        await db.query(sql`update kizuna_workflow_runs set ${finishSql('succeeded')}, current_step = null where id = ${run.id}::uuid and lease_owner = ${owner}`);
        return;
      }
      const kind = stepKinds[step.type];
      const started = new Date().toISOString();
      const attempt = run.attempts + 1;
      let input: Record<string, unknown> = {};
      const execute = async (exec: Executor): Promise<StepResult> => {
        input = render(step.config ?? {}, run.context) as Record<string, unknown>;
        return kind.run(input, { exec, records: opts.records, actor, object: run.object ?? undefined, recordId: run.record_id ?? undefined, actions: opts.actions, httpHosts: opts.httpHosts ?? [] });
      };
      const commit = async (tx: Executor, result: StepResult) => {
        const next = nextOf(step, result);
        run.context.steps[step.id] = result.output ?? {};
        await tx.query(sql`insert into kizuna_workflow_steps (run_id, step_id, type, status, attempt, input, output, started_at)
          values (${run.id}::uuid, ${step.id}, ${step.type}, 'succeeded', ${attempt}, ${JSON.stringify(input)}::jsonb, ${JSON.stringify(result.output ?? {})}::jsonb, ${started}::timestamptz)`);
        const waiting = result.waitMs !== undefined;
        await tx.query(sql`update kizuna_workflow_runs set context = ${JSON.stringify(run.context)}::jsonb, current_step = ${next ?? null}, attempts = 0, error = null,
            ${waiting ? sql`status = 'waiting', run_at = now() + ${Math.round(result.waitMs!)}::int * interval '1 millisecond', lease_owner = null, lease_until = null`
              : sql`lease_until = now() + ${leaseMs}::int * interval '1 millisecond'`}
          where id = ${run.id}::uuid`);
        run.current_step = next ?? null;
        run.attempts = 0;
        return waiting;
      };
      try {
        let waiting: boolean;
        if (kind.transactional) {
          waiting = await db.transaction(async (tx) => {
            await fence(tx, run.id);
            return commit(tx, await execute(tx));
          });
        } else {
          const result = await execute(db);
          waiting = await db.transaction(async (tx) => {
            await fence(tx, run.id);
            return commit(tx, result);
          });
        }
        if (waiting) return;
      } catch (e) {
        if (e instanceof LostRun) return;
        await failStep(run, step.id, step.type, attempt, input, e, started, step.retries ?? 3);
        return;
      }
    }
  }

  async function failStep(run: ClaimedRun, stepId: string, type: string, attempt: number, input: unknown, e: unknown, started: string, retries: number) {
    const message = String((e as Error)?.message ?? e).slice(0, 2000);
    const detail = (e as { errors?: unknown }).errors;
    const error = detail ? `${message} ${JSON.stringify(detail)}` : message;
    const final = isPermanent(e) || attempt > retries;
    const delay = Math.min(3_600_000, retryBaseMs * 2 ** (attempt - 1));
    await db.transaction(async (tx) => {
      await fence(tx, run.id);
      await tx.query(sql`insert into kizuna_workflow_steps (run_id, step_id, type, status, attempt, input, error, started_at)
        values (${run.id}::uuid, ${stepId}, ${type}, 'failed', ${attempt}, ${JSON.stringify(input)}::jsonb, ${error}, ${started}::timestamptz)`);
      await tx.query(sql`update kizuna_workflow_runs set attempts = ${attempt}, error = ${`Step "${stepId}" failed${final ? '' : ` (attempt ${attempt}, retrying)`}: ${error}`},
          ${final ? finishSql('failed') : sql`status = 'queued', run_at = now() + ${delay}::int * interval '1 millisecond', lease_owner = null, lease_until = null`}
        where id = ${run.id}::uuid`);
    }).catch((err) => {
      if (!(err instanceof LostRun)) throw err;
    });
  }

  return {
    owner,
    /** Claims and advances one due run; false when there was none. */
    async runOne(): Promise<boolean> {
      const run = await claim();
      if (!run) return false;
      await advance(run);
      return true;
    },
  };
}
