// Durability across real server processes on one PostgreSQL: two processes share the runs,
// one is killed with SIGKILL in the middle of runs, a new one starts, and every run finishes
// with each step committed exactly once — none repeated, none lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow } from '../testing/workflows.ts';

const root = resolve(import.meta.dirname, '../..');

interface Node {
  proc: ChildProcess;
  steps: string[];
}

function startNode(schema: string): Promise<Node> {
  const proc = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../testing/workflow-node.ts')], {
    cwd: root,
    env: { ...process.env, KIZUNA_SCHEMA: schema, KIZUNA_HTTP_HOSTS: '127.0.0.1', KIZUNA_LEASE_MS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const node: Node = { proc, steps: [] };
  return new Promise((ready, fail) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line === 'ready') ready(node);
      else if (line.startsWith('step ')) node.steps.push(line.slice(5));
    });
    proc.stderr!.on('data', (d: Buffer) => process.stderr.write(`[node ${proc.pid}] ${d}`));
    proc.on('exit', (code, signal) => fail(new Error(`node exited before ready: ${code ?? signal}`)));
  });
}

describe.skipIf(!process.env.DATABASE_URL)('workflow durability with real server processes on PostgreSQL', () => {
  let k: TestKizuna;
  let slow: Server;
  let hits = 0;
  const nodes: Node[] = [];
  beforeAll(async () => {
    k = await startKizuna('postgres');
    await k.workflows.stop(); // only the child processes run workflows
    slow = createServer((req, res) => {
      hits++;
      setTimeout(() => res.end(JSON.stringify({ ok: true })), 150);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  }, 60_000);
  afterAll(async () => {
    for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL');
    await new Promise((r) => slow?.close(() => r(undefined)));
    await k?.close();
  });

  it('shares runs between two processes, survives a kill -9 mid-run, and commits every step exactly once', async () => {
    const port = (slow.address() as AddressInfo).port;
    const id = await publishWorkflow(k, {
      name: 'durable',
      trigger: { type: 'manual', object: 'contact' },
      start: 'one',
      steps: [
        { id: 'one', type: 'update_record', config: { values: { first_name: '一' } }, next: 'pause' },
        { id: 'pause', type: 'wait', config: { seconds: 0.3 }, next: 'two' },
        { id: 'two', type: 'update_record', config: { values: { title: '二' } }, next: 'call' },
        { id: 'call', type: 'http', config: { url: `http://127.0.0.1:${port}/slow/{{trigger.record_id}}` }, next: 'three' },
        { id: 'three', type: 'create_record', config: { object: 'company', values: { name: 'run {{trigger.record_id}}' } } },
      ],
    });
    nodes.push(await startNode(k.schema!), await startNode(k.schema!));
    const [a, b] = nodes;
    const contacts: string[] = [];
    for (let i = 0; i < 40; i++) {
      const c = (await k.call('POST', '/api/records/contact', { last_name: `耐久${i}` })).body.id as string;
      contacts.push(c);
      expect((await k.call('POST', `/api/workflows/${id}/run`, { record_id: c })).status).toBe(202);
    }
    // Both processes take part, then one dies in the middle of its runs.
    await expect.poll(() => Math.min(a.steps.length, b.steps.length), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
    // Kill it while it holds a run it has started (so that run is cut off mid-way).
    let held: { id: string; current_step: string }[] = [];
    await expect
      .poll(
        async () => {
          held = await k.db.query<{ id: string; current_step: string }>(sql`select id::text as id, current_step from kizuna_workflow_runs
        where status = 'running' and lease_owner like ${`${a.proc.pid}-%`} and current_step <> 'one'`);
          return held.length;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    a.proc.kill('SIGKILL');
    const [{ n: unfinished }] = await k.db.query<{ n: number }>(
      sql`select count(*)::int as n from kizuna_workflow_runs where workflow_id = ${id}::uuid and status <> 'succeeded'`,
    );
    expect(Number(unfinished)).toBeGreaterThan(0);
    nodes.push(await startNode(k.schema!));
    await expect
      .poll(
        async () => {
          const [r] = await k.db.query<{ n: number }>(
            sql`select count(*)::int as n from kizuna_workflow_runs where workflow_id = ${id}::uuid and status = 'succeeded'`,
          );
          return Number(r.n);
        },
        { timeout: 60_000 },
      )
      .toBe(40);
    // Every step of every run committed exactly once, in order.
    const rows = await k.db.query<{
      run_id: string;
      path: string;
    }>(sql`select run_id::text as run_id, string_agg(step_id, ',' order by id) as path
      from kizuna_workflow_steps where status = 'succeeded' group by run_id`);
    expect(rows).toHaveLength(40);
    for (const r of rows) expect(r.path).toBe('one,pause,two,call,three');
    // Record steps were applied once: create + one + two = version 3; one company per run.
    for (const c of contacts)
      expect((await k.call('GET', `/api/records/contact/${c}`)).body).toMatchObject({ version: 3, first_name: '一', title: '二' });
    const [{ n: companies }] = await k.db.query<{ n: number }>(sql`select count(*)::int as n from company where name like 'run %'`);
    expect(Number(companies)).toBe(40);
    // HTTP runs before its commit: at least once per run (more only for calls the killed process made).
    expect(hits).toBeGreaterThanOrEqual(40);
    // The runs the killed process held mid-way were finished by the others (the survivor or
    // the new process, whichever claimed them after the lease ran out).
    for (const h of held) {
      const run = (await k.call('GET', `/api/workflow-runs/${h.id}`)).body;
      expect(run.status).toBe('succeeded');
      expect(run.path).toEqual(['one', 'pause', 'two', 'call', 'three']);
    }
  }, 120_000);
});
