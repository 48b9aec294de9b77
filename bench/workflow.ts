// `DATABASE_URL=… npx tsx bench/workflow.ts [events] [runs]`: the workflow engine with two
// server processes (bench/workflow-node.ts) on one PostgreSQL schema.
// 1. latency: `events` companies created one at a time (20 ms apart); for each, the time from
//    its create committing to the first step of the run it triggered starting.
// 2. throughput: `runs` contacts created in batches of 500 while the engines are stopped; each
//    triggers a one-step run (update_record) when two fresh engine processes start; runs
//    finished per second from the first run created to the last finished.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import { sql } from '../platform/db/index.ts';
import { startKizuna } from '../platform/testing/kizuna.ts';
import { publishWorkflow } from '../platform/testing/workflows.ts';

const EVENTS = Number(process.argv[2] ?? 300);
const RUNS = Number(process.argv[3] ?? 10000);
const schema = `kz_wfbench_${randomBytes(4).toString('hex')}`;
const k = await startKizuna('postgres', { schema });
await k.workflows.stop(); // the bench process only writes records; the two nodes run workflows
const stepStarts = new Map<string, number>(); // run id → first step's start (epoch ms)

function startNode(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'workflow-node.ts')], {
    env: { ...process.env, KIZUNA_SCHEMA: schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ready) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line === 'ready') ready(proc);
      const [kind, run, , at] = line.split(' ');
      if (kind === 'step' && !stepStarts.has(run)) stepStarts.set(run, Number(at));
    });
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const count = async (status: string, workflow: string) =>
  Number(
    (
      await k.db.query<{ n: number }>(
        sql`select count(*)::int as n from kizuna_workflow_runs where workflow_id = ${workflow}::uuid and status = ${status}`,
      )
    )[0].n,
  );
const actor = { actor: null };

const nodes = [await startNode(), await startNode()];
console.log(
  `schema ${schema}; two engine processes ready; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);

// 1. Latency.
const latencyWf = await publishWorkflow(k, {
  name: 'latency',
  trigger: { type: 'record.created', object: 'company' },
  start: 'touch',
  steps: [{ id: 'touch', type: 'update_record', config: { values: { city: '東京' } } }],
});
const committed = new Map<string, number>(); // record id → create committed (epoch ms)
for (let i = 0; i < EVENTS; i++) {
  const row = await k.records.create('company', { name: `遅延${i}` }, actor);
  committed.set(row.id as string, performance.timeOrigin + performance.now());
  await new Promise((r) => setTimeout(r, 20));
}
const until = Date.now() + 60_000;
while ((await count('succeeded', latencyWf)) < EVENTS && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
await new Promise((r) => setTimeout(r, 200));
const runs = await k.db.query<{ id: string; record_id: string }>(
  sql`select id::text as id, record_id::text as record_id from kizuna_workflow_runs where workflow_id = ${latencyWf}::uuid`,
);
const lat = runs
  .map((r) => stepStarts.get(r.id)! - committed.get(r.record_id)!)
  .filter((x) => Number.isFinite(x))
  .sort((a, b) => a - b);
console.log(
  `latency (record committed → first step started), ${lat.length}/${EVENTS} runs: p50 ${pct(lat, 0.5).toFixed(1)} ms, p90 ${pct(lat, 0.9).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms`,
);
await k.call('POST', `/api/workflows/${latencyWf}/disable`);

// 2. Throughput: the records are written with the engines stopped, then two fresh engine
// processes work off the backlog — so the figure is the engine's, not the record writer's.
// BENCH_STEP=condition: a step that writes nothing (a condition on a variable), to separate
// the engine's own cost from the records service's write.
const onlyEngine = process.env.BENCH_STEP === 'condition';
const simple = await publishWorkflow(k, {
  name: 'throughput',
  trigger: { type: 'record.created', object: 'contact' },
  start: 'touch',
  variables: { x: 1 },
  steps: [
    onlyEngine
      ? { id: 'touch', type: 'condition', config: { filter: { 'vars.x': 1 } }, branches: {} }
      : { id: 'touch', type: 'update_record', config: { values: { title: 'done' } } },
  ],
});
for (const n of nodes.splice(0)) n.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 1500));
for (let i = 0; i < RUNS; i += 500) {
  await k.records.bulk(
    'contact',
    { records: Array.from({ length: Math.min(500, RUNS - i) }, (_, j) => ({ last_name: `量${i + j}` })) },
    actor,
  );
}
const t0 = Date.now();
nodes.push(...(await Promise.all([startNode(), startNode()])));
const ready = Date.now();
const deadline = Date.now() + 600_000;
let done = 0;
while ((done = await count('succeeded', simple)) < RUNS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
const [span] = await k.db.query<{
  first: string;
  last: string;
  created: string;
}>(sql`select min(created_at)::text as first, max(finished_at)::text as last,
  max(created_at)::text as created from kizuna_workflow_runs where workflow_id = ${simple}::uuid`);
const first = new Date(span.first).getTime();
const seconds = (new Date(span.last).getTime() - first) / 1000;
const [failed] = await k.db.query<{ n: number }>(sql`select count(*)::int as n from kizuna_workflow_runs where status = 'failed'`);
console.log(
  `throughput: ${done}/${RUNS} one-step runs (${onlyEngine ? 'condition on a variable' : 'update_record'}) succeeded, ${failed.n} failed; engines up ${((ready - t0) / 1000).toFixed(1)} s after the backlog was written; ` +
    `first run created → last run finished ${seconds.toFixed(1)} s = ${(done / seconds).toFixed(0)} runs/s (all runs created, i.e. dispatched from the outbox, after ${((new Date(span.created).getTime() - first) / 1000).toFixed(1)} s)`,
);
console.log(
  `machine: ${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')}`,
);

for (const n of nodes) n.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 1500));
await k.close();
const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop schema if exists "${schema}" cascade`);
await admin.end();
process.exit(0);
