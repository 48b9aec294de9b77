// A workflow whose trigger cannot be evaluated fails alone (issue 13, item 1): it is marked
// failing with its error, the others keep starting runs, and the events it could not evaluate
// start its runs once a fixed version is published.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow, settledRuns } from '../testing/workflows.ts';
import { isWorkflowFault } from './triggers.ts';

const tagCase = (name: string, condition?: Record<string, unknown>) => ({
  name,
  trigger: { type: 'record.created', object: 'case', ...(condition && { condition }) },
  start: 'note',
  steps: [{ id: 'note', type: 'wait', config: { seconds: 0 } }],
});

/** Publishes a sound workflow, then breaks its active version as one published before definitions were checked. */
async function brokenWorkflow(k: TestKizuna): Promise<string> {
  const id = await publishWorkflow(k, tagCase('broken', { priority: 'urgent' }));
  await k.db.query(
    sql`update kizuna_workflow_versions set definition = jsonb_set(definition, '{trigger,condition}', '{"prioriti": "urgent"}') where workflow_id = ${id}::uuid`,
  );
  return id;
}

const runsOf = async (k: TestKizuna, id: string) =>
  (await k.call('GET', `/api/workflows/${id}/runs?limit=500`)).body.data as { id: string; status: string; record_id: string }[];
const listed = async (k: TestKizuna, id: string) =>
  ((await k.call('GET', '/api/workflows')).body.data as { id: string; state: string; error: { message: string } | null }[]).find(
    (w) => w.id === id,
  )!;

describe.each(databases)('a failing workflow on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { workflowPollMs: 20 });
  });
  afterAll(async () => {
    await k?.close();
  });

  it('is marked failing alone, the others keep running, and its missed events start runs once fixed', async () => {
    const broken = await brokenWorkflow(k);
    const sameObject = await publishWorkflow(k, tagCase('same object'));
    const otherObject = await publishWorkflow(k, { ...tagCase('other object'), trigger: { type: 'record.created', object: 'contact' } });
    const urgent: string[] = [];
    for (let i = 0; i < 3; i++) {
      urgent.push((await k.call('POST', '/api/records/case', { subject: `急ぎ${i}`, priority: 'urgent' })).body.id);
      await k.call('POST', '/api/records/case', { subject: `普通${i}`, priority: 'low' });
      await k.call('POST', '/api/records/contact', { last_name: `連絡${i}` });
    }
    expect((await settledRuns(k, sameObject, 6)).length).toBe(6);
    expect((await settledRuns(k, otherObject, 3)).length).toBe(3);
    await expect.poll(async () => (await listed(k, broken)).state).toBe('failing');
    const shown = await listed(k, broken);
    expect(shown.error!.message).toContain('prioriti');
    expect((await k.call('GET', `/api/workflows/${broken}`)).body).toMatchObject({
      state: 'failing',
      enabled: true,
      error: { message: expect.stringContaining('prioriti') },
    });
    expect(await runsOf(k, broken)).toEqual([]);
    // Later events still start the others' runs.
    await k.call('POST', '/api/records/case', { subject: '後から', priority: 'urgent' }).then((r) => urgent.push(r.body.id));
    expect((await settledRuns(k, sameObject, 7)).length).toBe(7);

    // Fixed: a new version reads the events from where the workflow stopped.
    expect(
      (
        await k.call('PATCH', `/api/workflows/${broken}`, {
          trigger: { type: 'record.created', object: 'case', condition: { priority: 'urgent' } },
        })
      ).status,
    ).toBe(200);
    expect((await k.call('POST', `/api/workflows/${broken}/publish`)).status).toBe(200);
    await settledRuns(k, broken, 4);
    expect((await runsOf(k, broken)).map((r) => r.record_id).sort()).toEqual([...urgent].sort());
    expect(await listed(k, broken)).toMatchObject({ state: 'ok', error: null });
    // Caught up, it reads with the others again (no position of its own).
    const [row] = await k.db.query<{ resume: string | null }>(
      sql`select resume_xid::text as resume from kizuna_workflows where id = ${broken}::uuid`,
    );
    expect(row.resume).toBeNull();
    await k.call('POST', '/api/records/case', { subject: '直った後', priority: 'urgent' });
    expect((await settledRuns(k, broken, 5)).length).toBe(5);
  });

  it('stops alone when its condition holds a value the column cannot take (1e30 for an integer)', async () => {
    // Before integers were range-checked, such a condition passed every check and PostgreSQL
    // refused the dispatcher's statement: every record-triggered workflow stopped with it.
    const broken = await publishWorkflow(k, tagCase('too big', { satisfaction: { gt: 1 } }));
    await k.db.query(
      sql`update kizuna_workflow_versions set definition = jsonb_set(definition, '{trigger,condition}', '{"satisfaction": {"gt": 1e30}}') where workflow_id = ${broken}::uuid`,
    );
    const good = await publishWorkflow(k, tagCase('sound'));
    await k.call('POST', '/api/records/case', { subject: '大きすぎる値', satisfaction: 5 });
    expect((await settledRuns(k, good, 1)).length).toBe(1);
    await expect.poll(async () => (await listed(k, broken)).state).toBe('failing');
    expect((await listed(k, broken)).error!.message).toContain('satisfaction');
  });

  it("takes a statement the database refuses for its values or shape as the workflow's fault, not an outage", async () => {
    const refused = async (statement: ReturnType<typeof sql>) =>
      k.db.query(statement).then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isWorkflowFault(await refused(sql`select ${'1e+30'}::integer`))).toBe(true);
    expect(isWorkflowFault(await refused(sql`select nosuch from kizuna_workflows`))).toBe(true);
    expect(isWorkflowFault(await refused(sql`select 1/0`))).toBe(true);
    expect(isWorkflowFault(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isWorkflowFault(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(false);
  });

  it('stops a date-triggered workflow whose condition cannot be evaluated alone; its dates fire once fixed', async () => {
    const dated = (name: string) => ({
      name,
      trigger: { type: 'record.date', object: 'case', field: 'due_at', condition: { priority: 'high' } },
      start: 'note',
      steps: [{ id: 'note', type: 'wait', config: { seconds: 0 } }],
    });
    // The broken one first: the scan meets it before the sound one.
    const broken = await publishWorkflow(k, dated('broken date'));
    await k.db.query(
      sql`update kizuna_workflow_versions set definition = jsonb_set(definition, '{trigger,condition}', '{"prioriti": "high"}') where workflow_id = ${broken}::uuid`,
    );
    const good = await publishWorkflow(k, dated('good date'));
    const [{ soon }] = await k.db.query<{ soon: string }>(
      sql`select to_char((now() + interval '1 second') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as soon`,
    );
    const c = (await k.call('POST', '/api/records/case', { subject: '期日', priority: 'high', due_at: soon })).body.id;
    await expect.poll(async () => (await runsOf(k, good)).map((r) => r.record_id), { timeout: 30_000 }).toEqual([c]);
    await expect.poll(async () => (await listed(k, broken)).state, { timeout: 30_000 }).toBe('failing');
    expect((await listed(k, broken)).error!.message).toContain('prioriti');
    expect((await k.call('PATCH', `/api/workflows/${broken}`, { trigger: dated('fixed').trigger })).status).toBe(200);
    expect((await k.call('POST', `/api/workflows/${broken}/publish`)).status).toBe(200);
    await expect.poll(async () => (await runsOf(k, broken)).map((r) => r.record_id), { timeout: 30_000 }).toEqual([c]);
  });
});

// Two server processes on one PostgreSQL: whichever node reads the batch, the broken workflow stops alone.
describe.skipIf(!process.env.DATABASE_URL)('a failing workflow with two nodes sharing one PostgreSQL', () => {
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

  it('keeps dispatching the other workflows on both nodes', async () => {
    const broken = await brokenWorkflow(a);
    const good = await publishWorkflow(b, tagCase('good'));
    const contacts = await publishWorkflow(a, { ...tagCase('contacts'), trigger: { type: 'record.created', object: 'contact' } });
    for (let i = 0; i < 10; i++) {
      await (i % 2 ? a : b).call('POST', '/api/records/case', { subject: `並行${i}`, priority: i % 3 ? 'urgent' : 'low' });
      await (i % 2 ? b : a).call('POST', '/api/records/contact', { last_name: `並行${i}` });
    }
    expect((await settledRuns(a, good, 10, undefined, 30_000)).length).toBe(10);
    expect((await settledRuns(b, contacts, 10, undefined, 30_000)).length).toBe(10);
    expect((await listed(b, broken)).state).toBe('failing');
    expect(await runsOf(a, broken)).toEqual([]);
    await b.call('PATCH', `/api/workflows/${broken}`, {
      trigger: { type: 'record.created', object: 'case', condition: { priority: 'urgent' } },
    });
    await b.call('POST', `/api/workflows/${broken}/publish`);
    expect((await settledRuns(a, broken, 6, undefined, 30_000)).length).toBe(6);
  });
});
