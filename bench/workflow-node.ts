// One Kizuna server process for bench/workflow.ts: the workflow engine on a PostgreSQL schema.
// Prints "ready", then "step <run id> <step id> <epoch ms>" as each step starts.
// Env: DATABASE_URL, KIZUNA_SCHEMA, KIZUNA_POLL_MS (default 250), KIZUNA_CONCURRENCY.
import { createKizuna } from '../platform/server.ts';

const out: string[] = [];
const flush = () => {
  if (out.length) process.stdout.write(out.splice(0).join(''));
};
setInterval(flush, 50).unref();
const k = await createKizuna({
  url: process.env.DATABASE_URL!,
  schema: process.env.KIZUNA_SCHEMA,
  max: 10,
  workflowPollMs: Number(process.env.KIZUNA_POLL_MS ?? 250),
  onWorkflowStep: (run, step) => void out.push(`step ${run} ${step} ${(performance.timeOrigin + performance.now()).toFixed(1)}\n`),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  flush();
  void k.close().then(() => process.exit(0));
});
