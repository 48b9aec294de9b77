import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow, settledRuns } from '../testing/workflows.ts';

// Two server processes on one PostgreSQL, each with its own pool and engine loop.
describe.skipIf(!process.env.DATABASE_URL)('workflows on two nodes sharing one PostgreSQL', () => {
  let a: TestKizuna;
  let b: TestKizuna;
  beforeAll(async () => {
    a = await startKizuna('postgres', { workflowPollMs: 10 });
    b = await startKizuna('postgres', { schema: a.schema, workflowPollMs: 10 });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('never runs a step twice', async () => {
    const id = await publishWorkflow(a, {
      name: 'shared',
      trigger: { type: 'record.created', object: 'contact' },
      start: 'one',
      steps: [
        { id: 'one', type: 'update_record', config: { values: { first_name: '一' } }, next: 'pause' },
        { id: 'pause', type: 'wait', config: { seconds: 0 }, next: 'two' },
        { id: 'two', type: 'update_record', config: { values: { title: '二' } } },
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await (i % 2 ? a : b).call('POST', '/api/records/contact', { last_name: `並行${i}` })).body.id);
    const runs = await settledRuns(a, id, 30, ['succeeded', 'failed'], 20_000);
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'succeeded'));
    const dup = await a.db.query(
      sql`select run_id, step_id, count(*)::int as n from kizuna_workflow_steps group by run_id, step_id having count(*) > 1`,
    );
    expect(dup).toEqual([]);
    const [steps] = await a.db.query<{ n: number }>(sql`select count(*)::int as n from kizuna_workflow_steps`);
    expect(Number(steps.n)).toBe(90);
    for (const cid of ids) expect((await a.call('GET', `/api/records/contact/${cid}`)).body.version).toBe(3);
  });
});

describe.each(databases)('workflow schedules on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { workflowPollMs: 50 });
  });
  afterAll(async () => {
    await k?.close();
  });

  it('computes the next cron time in its time zone and fires once per turn', async () => {
    const id = await publishWorkflow(k, {
      name: 'morning',
      trigger: { type: 'schedule', cron: '0 9 * * *', timezone: 'Asia/Tokyo' },
      start: 'make',
      steps: [{ id: 'make', type: 'create_record', config: { object: 'company', values: { name: 'scheduled {{trigger.at}}' } } }],
    });
    const next = new Date((await k.call('GET', `/api/workflows/${id}`)).body.next_run_at);
    expect(next.getUTCHours()).toBe(0); // 09:00 in Tokyo
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    await k.db.query(sql`update kizuna_workflows set next_run_at = now() - interval '1 second' where id = ${id}::uuid`);
    const runs = await settledRuns(k, id, 1);
    expect(runs).toHaveLength(1);
    expect(new Date((await k.call('GET', `/api/workflows/${id}`)).body.next_run_at).getTime()).toBeGreaterThan(Date.now());
  });
});
