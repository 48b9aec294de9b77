// The durable run loop. A run is claimed with FOR UPDATE SKIP LOCKED and a lease; each step's
// outcome is committed in a transaction fenced by that lease, so a worker that lost its run
// (crashed, or too slow) cannot commit a step another worker also ran. Waits and backoffs are
// just a later run_at: they survive restarts because they are rows.
import { backoffMs, leaseExpired, leaseOf, leaseOwner, leaseReleased, sql, type Database, type Executor } from '../db/index.ts';
import type { RecordService } from '../records/index.ts';
import { render } from './template.ts';
import {
  isPermanent,
  nextOf,
  PermanentStepError,
  StepFailure,
  stepKinds,
  type RunContext,
  type StepContext,
  type StepResult,
  type WorkflowActions,
} from './steps.ts';
import type { Mailer } from './mail.ts';
import type { Step, WorkflowDefinition } from './definition.ts';
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
  /** Sends send_message emails; none → the message record is written and nothing is sent. */
  mailer?: Mailer;
  mailFrom?: string;
  /** Which records count as open for least-loaded assignment (default: all). */
  openFilter?: (object: string) => Record<string, unknown>;
  /** Steps one run may commit before it is failed as a graph that loops without end (default 10000). */
  maxSteps?: number;
  /** How long a run is advanced before it goes back to the queue for its next turn (default 1000 ms). */
  turnMs?: number;
  /** Called when a step is about to start (benchmarks: event → first step latency). */
  onStepStart?: (runId: string, stepId: string) => void;
}

/** What a step needs besides its config: shared by real runs and test runs. */
export function stepContext(
  opts: EngineOptions,
  exec: Executor,
  run: { id: string; user_id: string; workflow_id: string; object: string | null; record_id: string | null; context: RunContext },
  step: Step,
  dryRun = false,
): StepContext {
  return {
    exec,
    records: opts.records,
    step,
    runId: run.id,
    context: run.context,
    dryRun,
    actor: { actor: run.user_id, requestId: `workflow:${run.id}`, via: `workflow:${run.workflow_id}` },
    object: run.object ?? undefined,
    recordId: run.record_id ?? undefined,
    actions: opts.actions,
    httpHosts: opts.httpHosts ?? [],
    mailFrom: opts.mailFrom ?? 'kizuna@localhost',
    canMail: !!opts.mailer,
    openFilter: opts.openFilter ?? (() => ({})),
  };
}

interface ClaimedRun {
  id: string;
  workflow_id: string;
  version: number;
  user_id: string;
  context: RunContext;
  current_step: string | null;
  object: string | null;
  record_id: string | null;
  attempts: number;
}

class LostRun extends Error {}

export const DEFAULT_MAX_STEPS = 10_000;

export function createRunExecutor(opts: EngineOptions) {
  const owner = leaseOwner();
  const lease = leaseOf(owner);
  const leaseMs = opts.leaseMs ?? 60_000;
  const retryBaseMs = opts.retryBaseMs ?? 5_000;
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const turnMs = opts.turnMs ?? 1000;
  const { db } = opts;

  async function claim(): Promise<ClaimedRun | undefined> {
    const [row] = await db.query<
      ClaimedRun & Record<string, unknown>
    >(sql`update kizuna_workflow_runs r set status = 'running', ${lease.take(leaseMs)}
      from kizuna_workflows w
      where w.id = r.workflow_id and r.id = (select id from kizuna_workflow_runs
        -- Stated so the partial index on run_at (unfinished runs) answers it: written as an OR
        -- of two states it was a scan and sort of every run ever (8 ms at 20k runs).
        where status in ('queued', 'running', 'waiting') and run_at <= now() and (status <> 'running' or ${leaseExpired})
        order by run_at limit 1 for update skip locked)
      returning r.id::text as id, r.workflow_id::text as workflow_id, r.version, w.user_id::text as user_id, r.context, r.current_step, r.object,
        r.record_id::text as record_id, r.attempts`);
    if (!row) return undefined;
    if (typeof row.context === 'string') row.context = JSON.parse(row.context);
    return row as ClaimedRun;
  }

  /** Locks the run row for this commit; throws when another worker owns the run now. */
  async function fence(tx: Executor, runId: string) {
    const [r] = await tx.query(
      sql`select 1 as ok from kizuna_workflow_runs where id = ${runId}::uuid and ${lease.held} and status = 'running' for update`,
    );
    if (!r) throw new LostRun(runId);
  }

  // A published version never changes, so each is read once per process.
  const definitions = new Map<string, Promise<WorkflowDefinition>>();
  const definitionOf = (id: string, version: number) => {
    const key = `${id}:${version}`;
    let d = definitions.get(key);
    if (!d) {
      definitions.set(key, (d = opts.store.definition(id, version)));
      d.catch(() => definitions.delete(key));
    }
    return d;
  };

  const finishSql = (status: 'succeeded' | 'failed') => sql`status = ${status}, finished_at = now(), ${leaseReleased}`;

  /** Runs the claimed run's steps until it finishes, fails, waits or backs off. */
  async function advance(run: ClaimedRun): Promise<void> {
    const def = await definitionOf(run.workflow_id, run.version);
    const byId = new Map(def.steps.map((s) => [s.id, s]));
    const began = Date.now();
    for (;;) {
      const step = run.current_step ? byId.get(run.current_step) : undefined;
      if (!step) {
        await db.query(
          sql`update kizuna_workflow_runs set ${finishSql('succeeded')}, current_step = null where id = ${run.id}::uuid and ${lease.held}`,
        );
        return;
      }
      const kind = stepKinds[step.type];
      const started = new Date().toISOString();
      const attempt = run.attempts + 1;
      const seq = run.context.$seq ?? 0;
      if (seq >= maxSteps) {
        const e = new PermanentStepError(
          `Step budget exceeded: the run has committed ${seq} steps (at most ${maxSteps}); its graph probably loops without end`,
        );
        await failStep(run, step.id, step.type, attempt, {}, e, started, 0);
        return;
      }
      opts.onStepStart?.(run.id, step.id);
      let input: Record<string, unknown> = {};
      const execute = async (exec: Executor): Promise<StepResult> => {
        input = render(step.config ?? {}, run.context) as Record<string, unknown>;
        return kind.run(input, stepContext(opts, exec, run, step));
      };
      const commit = async (tx: Executor, result: StepResult) => {
        const next = nextOf(step, result, run.context);
        const waiting = result.waitMs !== undefined;
        if (!result.again) {
          run.context.steps[step.id] = result.output ?? {};
          run.context.$seq = seq + 1;
        }
        // The last step's commit also finishes the run (one round trip less per run). The
        // update is the fence: it matches only while this worker still owns the run (and its
        // row lock keeps anyone from claiming it until this commits); otherwise everything the
        // step wrote is rolled back.
        const done = !waiting && next === undefined;
        // Its turn is over: back to the queue behind the runs already due (a loop of 10,000
        // steps took its worker for a minute).
        const yields = !waiting && !done && Date.now() - began >= turnMs;
        const stepRow = result.again
          ? sql``
          : sql`with step as (insert into kizuna_workflow_steps (run_id, step_id, type, status, attempt, input, output, started_at)
            values (${run.id}::uuid, ${step.id}, ${step.type}, 'succeeded', ${attempt}, ${JSON.stringify(input)}::jsonb, ${JSON.stringify(result.output ?? {})}::jsonb, ${started}::timestamptz)) `;
        const owned =
          await tx.query(sql`${stepRow}update kizuna_workflow_runs set context = ${JSON.stringify(run.context)}::jsonb, current_step = ${next ?? null}, attempts = 0, error = null,
            ${
              waiting
                ? sql`status = 'waiting', run_at = now() + ${Math.round(result.waitMs!)}::int * interval '1 millisecond', ${leaseReleased}`
                : done
                  ? finishSql('succeeded')
                  : yields
                    ? sql`status = 'queued', run_at = now(), ${leaseReleased}`
                    : lease.take(leaseMs)
            }
          where id = ${run.id}::uuid and ${lease.held} and status = 'running' returning 1 as ok`);
        if (!owned.length) throw new LostRun(run.id);
        run.current_step = next ?? null;
        run.attempts = 0;
        return waiting || done || yields;
      };
      try {
        let waiting: boolean;
        if (step.type === 'send_message') {
          waiting = await sendOnce(run, seq, execute, commit);
        } else if (kind.transactional) {
          waiting = await db.transaction(async (tx) => commit(tx, await execute(tx)));
        } else {
          const result = await execute(db);
          waiting = await db.transaction(async (tx) => commit(tx, result));
        }
        if (waiting) return;
      } catch (e) {
        if (e instanceof LostRun) return;
        await failStep(run, step.id, step.type, attempt, input, e, started, step.retries ?? 3);
        return;
      }
    }
  }

  /**
   * send_message: the message record and the email to send are committed first (an effect row
   * keyed by run and step sequence), the email goes out, and the step commits with the effect
   * marked sent. A takeover finds the effect: a sent one is never sent again and the record is
   * never written twice; only a crash between the SMTP answer and that commit resends it, with
   * the same Message-ID.
   */
  async function sendOnce(
    run: ClaimedRun,
    seq: number,
    execute: (exec: Executor) => Promise<StepResult>,
    commit: (tx: Executor, r: StepResult) => Promise<boolean>,
  ): Promise<boolean> {
    const prepared = await db.transaction(async (tx) => {
      await fence(tx, run.id);
      const [done] = await tx.query<{ state: string; result: unknown }>(
        sql`select state, result from kizuna_workflow_effects where run_id = ${run.id}::uuid and seq = ${seq}`,
      );
      if (done)
        return { state: done.state, result: (typeof done.result === 'string' ? JSON.parse(done.result) : done.result) as StepResult };
      const result = await execute(tx);
      await tx.query(
        sql`insert into kizuna_workflow_effects (run_id, seq, state, result) values (${run.id}::uuid, ${seq}, ${result.mail ? 'prepared' : 'sent'}, ${JSON.stringify(result)}::jsonb)`,
      );
      return { state: result.mail ? 'prepared' : 'sent', result };
    });
    const { result } = prepared;
    if (prepared.state !== 'sent' && result.mail) await opts.mailer!.send(result.mail);
    if (result.mail) (result.output as Record<string, unknown>).sent = true;
    return db.transaction(async (tx) => {
      await fence(tx, run.id);
      await tx.query(sql`update kizuna_workflow_effects set state = 'sent' where run_id = ${run.id}::uuid and seq = ${seq}`);
      const { mail: _sent, ...rest } = result;
      return commit(tx, rest);
    });
  }

  async function failStep(
    run: ClaimedRun,
    stepId: string,
    type: string,
    attempt: number,
    input: unknown,
    e: unknown,
    started: string,
    retries: number,
  ) {
    const message = String((e as Error)?.message ?? e).slice(0, 2000);
    const detail = (e as { errors?: unknown }).errors;
    const error = detail ? `${message} ${JSON.stringify(detail)}` : message;
    const final = isPermanent(e) || attempt > retries;
    const delay = backoffMs(attempt, retryBaseMs, 3_600_000);
    await db
      .transaction(async (tx) => {
        await fence(tx, run.id);
        const output = e instanceof StepFailure ? JSON.stringify(e.output) : null;
        await tx.query(sql`insert into kizuna_workflow_steps (run_id, step_id, type, status, attempt, input, output, error, started_at)
        values (${run.id}::uuid, ${stepId}, ${type}, 'failed', ${attempt}, ${JSON.stringify(input)}::jsonb, ${output}::jsonb, ${error}, ${started}::timestamptz)`);
        await tx.query(sql`update kizuna_workflow_runs set attempts = ${attempt}, error = ${`Step "${stepId}" failed${final ? '' : ` (attempt ${attempt}, retrying)`}: ${error}`},
          ${final ? finishSql('failed') : sql`status = 'queued', run_at = now() + ${delay}::int * interval '1 millisecond', ${leaseReleased}`}
        where id = ${run.id}::uuid`);
      })
      .catch((err) => {
        if (!(err instanceof LostRun)) throw err;
      });
  }

  return {
    /** Claims and advances one due run; false when there was none. */
    async runOne(): Promise<boolean> {
      const run = await claim();
      if (!run) return false;
      await advance(run);
      return true;
    },
  };
}
