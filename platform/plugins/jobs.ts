// Plugins' scheduled jobs (`jobs: { name: { everySeconds, run } }`) run on the job queue
// (jobs/queue.ts): when a job is due, one node moves its row to a new turn and enqueues a queue
// job for it in the same transaction (the row keeps that job's id, so a turn still queued or
// running is never doubled, and the queue keeps only each job's last turn). Whichever node's queue takes it runs it, under the queue's lease:
// a crash lets the lease run out and another node runs the turn. The next turn is due
// `everySeconds` after one ends.
import { sql, uuidv7, type Database } from '../db/index.ts';
import { createLoop, type JobQueue } from '../jobs/index.ts';
import type { ActivePlugin } from './hooks.ts';
import type { PluginContext } from './sdk.ts';
import { logEvent } from '../log/index.ts';

const KIND = 'plugin.job';

interface Turn {
  plugin: string;
  job: string;
}

export function createJobScheduler(opts: {
  db: Database;
  queue: JobQueue;
  active: () => ActivePlugin[];
  contextFor: (p: ActivePlugin) => PluginContext;
  tickMs?: number;
}) {
  const { db, queue } = opts;
  let stopped = false;

  queue.register<Turn, Record<string, never>>(KIND, async ({ id, payload: { plugin, job } }) => {
    const p = opts.active().find((a) => a.name === plugin);
    const spec = p?.definition.jobs?.[job];
    let error: string | null = null;
    if (!p || !spec) {
      // Disabled or uninstalled since it was queued, or not loadable on this node: the turn is
      // over (the next is due as usual, and an uninstalled plugin's row is gone).
      error = `The plugin ${plugin} has no job "${job}" loaded on this node`;
    } else {
      try {
        await spec.run(opts.contextFor(p));
      } catch (e) {
        error = String((e as Error)?.message ?? e).slice(0, 1000);
        logEvent({ level: 'error', msg: 'plugin job failed', plugin, job, error: String((e as Error)?.stack ?? e) });
      }
    }
    const every = Math.max(1, Math.floor(spec?.everySeconds ?? 60));
    await db.query(sql`update kizuna_plugin_jobs set next_run_at = now() + make_interval(secs => ${every}), last_run_at = now(),
        last_error = ${error}
      where plugin = ${plugin} and job = ${job} and job_id = ${id}::uuid`);
    return error ? { state: 'failed', error } : { state: 'succeeded' };
  });

  /** Enqueues a turn of each job that is due and has none queued or running. */
  async function enqueueDue(): Promise<void> {
    for (const p of opts.active()) {
      for (const job of Object.keys(p.definition.jobs ?? {})) {
        await db.query(sql`insert into kizuna_plugin_jobs (plugin, job) values (${p.name}, ${job}) on conflict do nothing`);
        const [row] = await db.query<{ job_id: string | null; due: boolean }>(
          sql`select job_id::text as job_id, next_run_at <= now() as due from kizuna_plugin_jobs where plugin = ${p.name} and job = ${job}`,
        );
        if (!row?.due) continue;
        // The last turn is over once its queue job is (also when its node lost the database
        // before moving next_run_at: the job is due again then).
        const previous = row.job_id && (await queue.get(row.job_id));
        if (previous && (previous.state === 'queued' || previous.state === 'running')) continue;
        const id = uuidv7();
        await db.transaction(async (tx) => {
          // The compare-and-set on job_id: of the nodes that saw the job due, one enqueues.
          const [moved] = await tx.query(sql`update kizuna_plugin_jobs set job_id = ${id}::uuid
            where plugin = ${p.name} and job = ${job} and job_id is not distinct from ${row.job_id}::uuid and next_run_at <= now()
            returning 1 as ok`);
          if (!moved) return;
          if (row.job_id) await queue.remove(row.job_id, tx);
          await queue.enqueue(KIND, { plugin: p.name, job } satisfies Turn, tx, id);
        });
      }
    }
  }

  const loop = createLoop(enqueueDue, { name: 'plugin job scheduling', intervalMs: opts.tickMs ?? 1000, enabled: () => !stopped });

  return {
    start: () => loop.start(),
    /** Enqueues what is due now and waits until the queue has run it (tests). */
    async runDue(): Promise<void> {
      await loop.kick();
      await queue.drain();
    },
    async stop() {
      stopped = true;
      await loop.stop();
    },
  };
}
