// A small durable job queue: jobs are rows, claimed with FOR UPDATE SKIP LOCKED under a lease
// (db/lease.ts) that a heartbeat renews, and taken over by another worker when the lease runs
// out (a crashed process). Handlers checkpoint their progress in their own write transactions through
// `ctx.checkpoint(tx, …)`, which is fenced by the claim: a worker that lost its claim cannot
// commit, so work is never done twice. The workflow engine can register its kinds here too.
import { dbErrorOf, leaseExpired, leaseOf, leaseOwner, leaseReleased, sql, uuidv7, type Database, type Executor } from '../db/index.ts';
import { ProblemError } from '../problems/index.ts';
import { logEvent } from '../log/index.ts';
import { createLoop } from './loop.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job<P = Record<string, unknown>, G = Record<string, unknown>> {
  id: string;
  kind: string;
  payload: P;
  state: JobState;
  cancel_requested: boolean;
  progress: G;
  result: unknown;
  error: string | null;
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Until when the worker running it holds it (renewed by its heartbeat). */
  lease_until: string | null;
}

export interface JobContext<G> {
  /** Saves progress in the caller's transaction; throws LostClaim when another worker owns the job. */
  checkpoint(tx: Executor, progress: G): Promise<void>;
  /** True once a cancel was asked for (read from the database, so any process can ask). */
  cancelRequested(): Promise<boolean>;
  /** True when this worker is shutting down: return promptly, the job is requeued. */
  stopping(): boolean;
}

export type JobHandler<P, G> = (
  job: Job<P, G>,
  ctx: JobContext<G>,
) => Promise<{ state: 'succeeded' | 'failed' | 'cancelled'; result?: unknown; error?: string } | 'released'>;

export class LostClaim extends Error {
  constructor(id: string) {
    super(`job ${id} was taken over by another worker`);
  }
}

export interface JobQueueOptions {
  /** How often an idle worker looks for work. */
  pollMs?: number;
  /** How long a running job's lease lasts without a heartbeat: after that it is considered abandoned. */
  staleMs?: number;
}

const jobColumns = sql`id::text as id, kind, payload, state, cancel_requested, progress, result, error, attempts,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
  to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started_at,
  to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as finished_at,
  to_char(lease_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as lease_until`;

export function createJobQueue({ db, pollMs = 500, staleMs = 30_000 }: { db: Database } & JobQueueOptions) {
  const workerId = leaseOwner();
  const lease = leaseOf(workerId);
  const handlers = new Map<string, JobHandler<any, any>>();
  let stopped = true;

  async function enqueue(kind: string, payload: Record<string, unknown>, exec: Executor = db, id = uuidv7()): Promise<string> {
    await exec.query(sql`insert into kizuna_jobs (id, kind, payload) values (${id}::uuid, ${kind}, ${JSON.stringify(payload)}::jsonb)`);
    poke();
    return id;
  }

  async function get(id: string, exec: Executor = db): Promise<Job | undefined> {
    const [row] = await exec.query<Job & Record<string, unknown>>(sql`select ${jobColumns} from kizuna_jobs where id = ${id}::uuid`);
    return row && parsed(row);
  }

  /** Asks a job to stop; a queued job is cancelled at once. Answers the job as it now is. */
  async function cancel(id: string): Promise<Job | undefined> {
    await db.query(sql`update kizuna_jobs set cancel_requested = true,
        state = case when state = 'queued' then 'cancelled' else state end,
        finished_at = case when state = 'queued' then now() else finished_at end
      where id = ${id}::uuid and state in ('queued', 'running')`);
    return get(id);
  }

  /** Forgets a finished job (its owner was deleted); answers false while it is queued or running. */
  async function remove(id: string, exec: Executor = db): Promise<boolean> {
    const rows = await exec.query(
      sql`delete from kizuna_jobs where id = ${id}::uuid and state not in ('queued', 'running') returning 1 as ok`,
    );
    return rows.length > 0;
  }

  async function claim(): Promise<Job | undefined> {
    const kinds = [...handlers.keys()];
    if (!kinds.length) return undefined;
    const [row] = await db.query<Job & Record<string, unknown>>(sql`update kizuna_jobs set state = 'running', ${lease.take(staleMs)},
        attempts = attempts + 1, started_at = coalesce(started_at, now())
      where id = (select id from kizuna_jobs
        where kind in ${sql`(${sql.join(
          kinds.map((k) => sql`${k}`),
          sql`, `,
        )})`}
          and (state = 'queued' or (state = 'running' and ${leaseExpired}))
        order by created_at limit 1 for update skip locked)
      returning ${jobColumns}`);
    return row && parsed(row);
  }

  async function runOne(job: Job): Promise<void> {
    const handler = handlers.get(job.kind)!;
    const beat = setInterval(
      () => {
        db.query(sql`update kizuna_jobs set ${lease.take(staleMs)} where id = ${job.id}::uuid and ${lease.held}`).catch(() => {});
      },
      Math.max(50, Math.floor(staleMs / 3)),
    );
    const ctx: JobContext<unknown> = {
      async checkpoint(tx, progress) {
        const rows = await tx.query(sql`update kizuna_jobs set progress = ${JSON.stringify(progress)}::jsonb, ${lease.take(staleMs)}
          where id = ${job.id}::uuid and ${lease.held} and state = 'running' returning 1 as ok`);
        if (!rows.length) throw new LostClaim(job.id);
      },
      async cancelRequested() {
        const [r] = await db.query<{ c: boolean }>(sql`select cancel_requested as c from kizuna_jobs where id = ${job.id}::uuid`);
        return !r || r.c;
      },
      stopping: () => stopped,
    };
    try {
      const outcome = await handler(job, ctx);
      if (outcome === 'released') {
        await requeue(job.id);
      } else {
        await finish(job.id, outcome.state, outcome.result, outcome.error);
      }
    } catch (e) {
      if (e instanceof LostClaim || stopped) {
        // Another worker owns it now, or we are closing mid-write: leave the row to be resumed.
        if (!(e instanceof LostClaim)) await requeue(job.id).catch(() => {});
      } else {
        // A problem with the job's input (an unreadable file) is the owner's to fix, not a fault.
        const input = e instanceof ProblemError && e.status < 500;
        logEvent({
          level: input ? 'warn' : 'error',
          msg: 'job failed',
          job: job.id,
          kind: job.kind,
          error: input ? e.message : String((e as Error)?.stack ?? e),
        });
        // The job's error is shown to its owner: a database error by its own message, never
        // the statement and parameters a driver wraps around it.
        await finish(job.id, 'failed', undefined, dbErrorOf(e)?.message ?? (e as Error)?.message ?? String(e)).catch(() => {});
      }
    } finally {
      clearInterval(beat);
    }
  }

  const requeue = (id: string) =>
    db.query(sql`update kizuna_jobs set state = 'queued', ${leaseReleased} where id = ${id}::uuid and ${lease.held} and state = 'running'`);

  const finish = (id: string, state: JobState, result: unknown, error?: string) =>
    db.query(sql`update kizuna_jobs set state = ${state}, result = ${result === undefined ? null : JSON.stringify(result)}::jsonb, error = ${error ?? null},
      finished_at = now(), ${leaseReleased} where id = ${id}::uuid and ${lease.held}`);

  /** One job per pass; true when there was one (there may be more). */
  const loop = createLoop(
    async () => {
      const job = await claim();
      if (!job) return false;
      await runOne(job);
      return true;
    },
    { name: 'job queue', intervalMs: pollMs, enabled: () => !stopped },
  );
  const poke = () => void loop.kick();

  return {
    workerId,
    register<P, G>(kind: string, handler: JobHandler<P, G>) {
      handlers.set(kind, handler);
    },
    enqueue,
    get,
    cancel,
    remove,
    start() {
      if (!stopped) return;
      stopped = false;
      loop.start();
    },
    /** Stops taking work; a running handler sees stopping() and its job is requeued. */
    async stop() {
      stopped = true;
      await loop.stop();
    },
    /** Resolves when this worker has nothing running (tests and the benchmark wait on it). */
    idle: () => loop.idle(),
    /** Takes what is queued now and resolves when none is left (tests). */
    drain: () => loop.kick(),
  };
}

function parsed(row: Record<string, unknown>): Job {
  for (const k of ['payload', 'progress', 'result']) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k] as string);
  return row as unknown as Job;
}

export type JobQueue = ReturnType<typeof createJobQueue>;
