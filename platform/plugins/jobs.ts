// Plugins' scheduled jobs (`jobs: { name: { everySeconds, run } }`): each turn runs on one
// node only — the node that takes the job row's lease — and a crash simply lets the lease
// expire so another node runs it.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import type { ActivePlugin } from './hooks.ts';
import type { PluginContext } from './sdk.ts';
import { logEvent } from '../log/index.ts';

export function createJobScheduler(opts: {
  db: Database;
  active: () => ActivePlugin[];
  contextFor: (p: ActivePlugin) => PluginContext;
  tickMs?: number;
}) {
  const owner = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runDue(): Promise<void> {
    for (const p of opts.active()) {
      for (const [job, spec] of Object.entries(p.definition.jobs ?? {})) {
        const every = Math.max(1, Math.floor(spec.everySeconds));
        await opts.db.query(sql`insert into kizuna_plugin_jobs (plugin, job) values (${p.name}, ${job}) on conflict do nothing`);
        const [claimed] = await opts.db
          .query(sql`update kizuna_plugin_jobs set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${every + 60})
          where plugin = ${p.name} and job = ${job} and next_run_at <= now() and (lease_until is null or lease_until < now())
          returning 1 as ok`);
        if (!claimed) continue;
        let error: string | null = null;
        try {
          await spec.run(opts.contextFor(p));
        } catch (e) {
          error = String((e as Error)?.message ?? e).slice(0, 1000);
          logEvent({ level: 'error', msg: 'plugin job failed', plugin: p.name, job, error: String((e as Error)?.stack ?? e) });
        }
        await opts.db.query(sql`update kizuna_plugin_jobs set next_run_at = now() + make_interval(secs => ${every}), last_run_at = now(),
            last_error = ${error}, lease_owner = null, lease_until = null
          where plugin = ${p.name} and job = ${job} and lease_owner = ${owner}`);
      }
    }
  }

  const tick = (): Promise<void> =>
    (running ??= runDue()
      .catch((e) => logEvent({ level: 'error', msg: 'plugin jobs failed', error: String(e) }))
      .finally(() => (running = undefined)));

  return {
    start() {
      timer = setInterval(() => void tick(), opts.tickMs ?? 1000);
      timer.unref();
    },
    /** Runs what is due now (tests). */
    runDue: () => tick(),
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
