// Advancing runs does not starve dispatch (issue 13, item 3): a run held up in a step does not
// keep this node from starting other workflows' runs, and a long run yields its worker after
// each turn so the runs queued behind it go ahead.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { createWorkflowEngine, type WorkflowEngine } from './index.ts';
import { publishWorkflow } from '../testing/workflows.ts';

describe.each(databases)('dispatch beside long runs on %s', (kind) => {
  let k: TestKizuna;
  let engine: WorkflowEngine | undefined;
  let server: Server;
  let calls = 0;
  let release: () => void = () => {};
  beforeAll(async () => {
    k = await startKizuna(kind);
    await k.workflows.stop();
    // Answers each request only when the test releases it.
    server = createServer((_req, res) => {
      calls++;
      const answer = () => res.end('{"ok":true}');
      release = answer;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    release();
    await engine?.stop();
    await new Promise((r) => server?.close(() => r(undefined)));
    await k?.close();
  });

  const run = async (id: string) => (await k.call('GET', `/api/workflow-runs/${id}`)).body as { status: string; steps: unknown[] };
  const runsOf = async (id: string) => (await k.call('GET', `/api/workflows/${id}/runs`)).body.data as { id: string; status: string }[];

  it('starts record-triggered runs while another run waits in a step', async () => {
    engine = createWorkflowEngine({ db: k.db, records: k.records, registry: k.registry, pollMs: 20, httpHosts: ['127.0.0.1'] });
    engine.start();
    const port = (server.address() as AddressInfo).port;
    const slow = await publishWorkflow(k, {
      name: 'slow',
      trigger: { type: 'manual', object: 'contact' },
      start: 'call',
      steps: [{ id: 'call', type: 'http', config: { url: `http://127.0.0.1:${port}/hold`, timeout_ms: 60_000 } }],
    });
    const onCreate = await publishWorkflow(k, {
      name: 'on create',
      trigger: { type: 'record.created', object: 'company' },
      start: 'mark',
      steps: [{ id: 'mark', type: 'update_record', config: { values: { city: 'seen' } } }],
    });
    const c = (await k.call('POST', '/api/records/contact', { last_name: '待ち' })).body;
    const held = (await k.call('POST', `/api/workflows/${slow}/run`, { record_id: c.id })).body;
    await expect.poll(() => calls, { timeout: 30_000 }).toBe(1);
    const company = (await k.call('POST', '/api/records/company', { name: '並行株式会社' })).body;
    await expect.poll(async () => (await runsOf(onCreate)).map((r) => r.status), { timeout: 30_000 }).toEqual(['succeeded']);
    expect((await k.call('GET', `/api/records/company/${company.id}`)).body.city).toBe('seen');
    expect((await run(held.id)).status).toBe('running');
    release();
    await expect.poll(async () => (await run(held.id)).status, { timeout: 30_000 }).toBe('succeeded');
    await engine.stop();
    engine = undefined;
  });

  it('lets a run queued behind a long one go ahead after each turn', async () => {
    const long = await publishWorkflow(k, {
      name: 'long',
      trigger: { type: 'manual' },
      start: 'each',
      variables: { items: Array.from({ length: 50 }, (_, i) => i) },
      steps: [
        { id: 'each', type: 'loop', config: { items: '{{vars.items}}' }, branches: { body: 'look' } },
        { id: 'look', type: 'condition', config: { filter: { 'loop.index': { gte: 0 } } } },
      ],
    });
    const short = await publishWorkflow(k, {
      name: 'short',
      trigger: { type: 'manual' },
      start: 'one',
      steps: [{ id: 'one', type: 'condition', config: { filter: { 'trigger.type': 'manual' } } }],
    });
    // Both queued while no engine runs, the long one first; then one worker takes them.
    const a = (await k.call('POST', `/api/workflows/${long}/run`)).body;
    const b = (await k.call('POST', `/api/workflows/${short}/run`)).body;
    await k.db.query(sql`update kizuna_workflow_runs set run_at = now() - interval '1 minute' where id = ${a.id}::uuid`);
    engine = createWorkflowEngine({ db: k.db, records: k.records, registry: k.registry, pollMs: 20, concurrency: 1, turnMs: 0 });
    engine.start();
    await expect
      .poll(async () => [(await run(a.id)).status, (await run(b.id)).status], { timeout: 60_000 })
      .toEqual(['succeeded', 'succeeded']);
    // The short run's step was committed before most of the long run's (101 steps): it did
    // not wait for the long run to end.
    const steps = await k.db.query<{ run_id: string }>(
      sql`select run_id::text as run_id from kizuna_workflow_steps where run_id in (${a.id}::uuid, ${b.id}::uuid) order by id`,
    );
    expect(steps).toHaveLength(102);
    expect(steps.findIndex((s) => s.run_id === b.id)).toBeLessThan(5);
  });
});
