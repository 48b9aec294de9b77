// One Kizuna server process on a PostgreSQL schema, for the multi-process workflow tests:
// prints "ready" once its engine runs and "step <run> <step>" as each step starts.
// Env: DATABASE_URL, KIZUNA_SCHEMA, KIZUNA_HTTP_HOSTS (comma list), KIZUNA_LEASE_MS.
import { createKizuna } from '../server.ts';

const k = await createKizuna({
  url: process.env.DATABASE_URL!,
  schema: process.env.KIZUNA_SCHEMA,
  max: 4,
  workflowPollMs: 20,
  workflowRetryBaseMs: 100,
  workflowLeaseMs: Number(process.env.KIZUNA_LEASE_MS ?? 1500),
  workflowHttpHosts: (process.env.KIZUNA_HTTP_HOSTS ?? '').split(',').filter(Boolean),
  onWorkflowStep: (run, step) => process.stdout.write(`step ${run} ${step}\n`),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void k.close().then(() => process.exit(0)));
