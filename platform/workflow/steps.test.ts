// The step types beyond records: send_message through a real SMTP server, loops and their
// bound, conditions over earlier outputs, waits until a date or a condition, least-loaded
// assignment, date-relative triggers and a manual trigger's input schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { startSmtp } from '../testing/smtp.ts';
import { publishWorkflow, settledRuns, supportTeams } from '../testing/workflows.ts';

describe.each(databases)('workflow steps on %s', (kind) => {
  let k: TestKizuna;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let people: Awaited<ReturnType<typeof supportTeams>>;
  beforeAll(async () => {
    smtp = await startSmtp();
    k = await startKizuna(kind, { workflowPollMs: 50, workflowRetryBaseMs: 50, smtpUrl: smtp.url, mailFrom: 'kizuna@example.jp' });
    people = await supportTeams(k);
  });
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  const run = async (id: string) => (await k.call('GET', `/api/workflow-runs/${id}`)).body;

  it('send_message writes a message record and emails it once, in Japanese, even when the step is taken over', async () => {
    const id = await publishWorkflow(k, {
      name: 'notify',
      trigger: { type: 'manual', object: 'case' },
      start: 'tell',
      steps: [
        {
          id: 'tell',
          type: 'send_message',
          config: {
            to_team: 'support',
            to: 'boss@example.jp',
            subject: '【緊急】{{trigger.record.subject}}',
            body: '件名「{{trigger.record.subject}}」の対応をお願いします。\n優先度: {{trigger.record.priority}}',
            related: { case: '{{trigger.record_id}}' },
          },
        },
      ],
    });
    const c = (await k.call('POST', '/api/records/case', { subject: 'ログインできない', priority: 'urgent' })).body;
    const started = (await k.call('POST', `/api/workflows/${id}/run`, { record_id: c.id })).body;
    await expect.poll(async () => (await run(started.id)).status).toBe('succeeded');
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0];
    expect(mail.subject).toBe('【緊急】ログインできない');
    expect(mail.text).toBe('件名「ログインできない」の対応をお願いします。\n優先度: urgent');
    expect(mail.to.sort()).toEqual(['agent1@example.jp', 'agent2@example.jp', 'agent3@example.jp', 'boss@example.jp']);
    expect(mail.from).toBe('kizuna@example.jp');
    const detail = await run(started.id);
    expect(detail.steps[0].output).toMatchObject({ sent: true, recipients: expect.arrayContaining(['boss@example.jp']) });
    const messages = (await k.call('GET', `/api/records/message?filter=${encodeURIComponent(JSON.stringify({ case: c.id }))}`)).body.data;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      subject: '【緊急】ログインできない',
      channel: 'email',
      direction: 'outbound',
      from_address: 'kizuna@example.jp',
    });

    // A node that dies after sending but before the step commits: another node takes the run
    // over at the same step. The effect row says the email went out: no second email, no second record.
    await k.db.query(sql`delete from kizuna_workflow_steps where run_id = ${started.id}::uuid`);
    await k.db
      .query(sql`update kizuna_workflow_runs set status = 'running', lease_owner = 'dead-node', lease_until = now() - interval '1 second',
      current_step = 'tell', finished_at = null, context = jsonb_set(context, '{$seq}', '0') where id = ${started.id}::uuid`);
    await expect.poll(async () => (await run(started.id)).status).toBe('succeeded');
    expect((await run(started.id)).steps.map((s: { step_id: string; status: string }) => [s.step_id, s.status])).toEqual([
      ['tell', 'succeeded'],
    ]);
    // Everything due has been advanced: nothing is left that could send a second email.
    await k.workflows.drain();
    expect(smtp.messages).toHaveLength(1);
    expect(
      (await k.call('GET', `/api/records/message?filter=${encodeURIComponent(JSON.stringify({ case: c.id }))}`)).body.data,
    ).toHaveLength(1);
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it("loops over found records, decides on an earlier step's output, and bounds the loop with a clear error", async () => {
    const tag = `loop-${Date.now()}`;
    for (const n of ['一', '二', '三']) await k.call('POST', '/api/records/contact', { last_name: n, title: tag });
    const def = (max: number) => ({
      name: `loop ${max}`,
      trigger: { type: 'manual' },
      variables: { tag },
      start: 'find',
      steps: [
        {
          id: 'find',
          type: 'find_records',
          config: { object: 'contact', filter: { title: { eq: '{{vars.tag}}' } }, sort: 'last_name' },
          next: 'each',
        },
        {
          id: 'each',
          type: 'loop',
          config: { items: '{{steps.find.records}}', max_iterations: max },
          branches: { body: 'mark' },
          next: 'any',
        },
        {
          id: 'mark',
          type: 'update_record',
          config: { object: 'contact', record_id: '{{loop.item.id}}', values: { first_name: '{{loop.item.last_name}}-{{loop.index}}' } },
        },
        { id: 'any', type: 'condition', config: { filter: { 'steps.find.count': { gte: 3 } } }, branches: { true: 'done' } },
        { id: 'done', type: 'create_record', config: { object: 'company', values: { name: '{{vars.tag}} {{steps.find.count}}' } } },
      ],
    });
    const ok = await publishWorkflow(k, def(3));
    const r1 = (await k.call('POST', `/api/workflows/${ok}/run`, {})).body;
    await expect.poll(async () => (await run(r1.id)).status).toMatch(/^(succeeded|failed)$/);
    const d1 = await run(r1.id);
    expect(d1.status, d1.error).toBe('succeeded');
    expect(d1.path).toEqual(['find', 'each', 'mark', 'each', 'mark', 'each', 'mark', 'each', 'any', 'done']);
    const marked = (await k.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ title: tag }))}&sort=last_name`))
      .body.data;
    expect(marked.map((c: { first_name: string }) => c.first_name).sort()).toEqual(['一-0', '三-1', '二-2'].sort());
    expect(d1.steps.at(-1).output.record.name).toBe(`${tag} 3`);

    const bounded = await publishWorkflow(k, def(2));
    const r2 = (await k.call('POST', `/api/workflows/${bounded}/run`, {})).body;
    await expect.poll(async () => (await run(r2.id)).status).toBe('failed');
    const d2 = await run(r2.id);
    expect(d2.error).toMatch(/Loop bounded: "each" has 3 items, more than its max_iterations of 2; no item was processed/);
    expect(d2.path).toEqual(['find']);
  });

  it('fails a run whose graph loops without end once it has used its step budget', async () => {
    const id = await publishWorkflow(k, {
      name: 'cycle',
      trigger: { type: 'manual', object: 'contact' },
      start: 'a',
      steps: [
        { id: 'a', type: 'update_record', config: { values: { title: 'a' } }, next: 'b' },
        { id: 'b', type: 'update_record', config: { values: { title: 'b' } }, next: 'again' },
        // A way out the run never takes (a cycle without one is refused at save).
        { id: 'again', type: 'condition', config: { filter: { 'trigger.type': 'manual' } }, branches: { true: 'a' } },
      ],
    });
    const c = (await k.call('POST', '/api/records/contact', { last_name: '循環' })).body;
    await k.workflows.stop();
    const { createWorkflowEngine } = await import('./index.ts');
    const small = createWorkflowEngine({ db: k.db, records: k.records, pollMs: 50, maxSteps: 5 });
    small.start();
    try {
      const r = (await k.call('POST', `/api/workflows/${id}/run`, { record_id: c.id })).body;
      await expect.poll(async () => (await run(r.id)).status).toBe('failed');
      const d = await run(r.id);
      expect(d.error).toMatch(/Step budget exceeded: the run has committed 5 steps \(at most 5\); its graph probably loops without end/);
      expect(d.path).toEqual(['a', 'b', 'again', 'a', 'b']);
      expect((await k.call('GET', `/api/records/contact/${c.id}`)).body.version).toBe(5);
    } finally {
      await small.stop();
      k.workflows.start();
    }
  });

  it('waits until a date from the record, and until a condition holds or times out', async () => {
    const id = await publishWorkflow(k, {
      name: 'wait until',
      trigger: { type: 'manual', object: 'case' },
      start: 'until',
      steps: [
        { id: 'until', type: 'wait', config: { until: '{{trigger.record.due_at}}' }, next: 'resolved' },
        {
          id: 'resolved',
          type: 'wait',
          config: { condition: { status: 'resolved' }, every_seconds: 1, timeout: { seconds: 30 } },
          next: 'note',
        },
        { id: 'note', type: 'update_record', config: { values: { resolution: 'met={{steps.resolved.met}}' } } },
      ],
    });
    const due = new Date(Date.now() + 1500).toISOString();
    const c = (await k.call('POST', '/api/records/case', { subject: '期限待ち', due_at: due })).body;
    const r = (await k.call('POST', `/api/workflows/${id}/run`, { record_id: c.id })).body;
    // It sleeps as a row until the record's date, then checks the condition every second.
    let readAt = 0;
    let sleeping = await run(r.id);
    await expect
      .poll(async () => {
        readAt = Date.now();
        sleeping = await run(r.id);
        return [sleeping.status, sleeping.current_step];
      })
      .toEqual(['waiting', 'resolved']);
    // Read before the date: it sleeps until exactly then (a machine slow enough to read it
    // later sees it sleeping until its next condition check, which is asserted below).
    if (readAt < new Date(due).getTime() - 50)
      expect(Math.abs(new Date(sleeping.run_at).getTime() - new Date(due).getTime())).toBeLessThan(100);
    expect(sleeping.steps[0].output).toEqual({ until: due });
    // Past the date it has checked the condition (not met) and sleeps again until the next
    // check. Polled: between its checks the run is briefly `running`.
    let checking = sleeping;
    await expect
      .poll(
        async () => {
          checking = await run(r.id);
          return {
            status: checking.status,
            step: checking.current_step,
            after: new Date(checking.run_at).getTime() > new Date(due).getTime(),
          };
        },
        { timeout: 15_000 },
      )
      .toEqual({ status: 'waiting', step: 'resolved', after: true });
    expect(checking.path).toEqual(['until']);
    await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'resolved' });
    await expect.poll(async () => (await run(r.id)).status, { timeout: 15_000 }).toBe('succeeded');
    expect((await k.call('GET', `/api/records/case/${c.id}`)).body.resolution).toBe('met=true');
    expect((await run(r.id)).path).toEqual(['until', 'resolved', 'note']);

    const timeout = await publishWorkflow(k, {
      name: 'wait timeout',
      trigger: { type: 'manual', object: 'case' },
      start: 'resolved',
      steps: [
        {
          id: 'resolved',
          type: 'wait',
          config: { condition: { status: 'resolved' }, every_seconds: 1, timeout: { seconds: 1 } },
          next: 'late',
        },
        { id: 'late', type: 'condition', config: { filter: { 'steps.resolved.met': false } }, branches: { true: 'note' } },
        { id: 'note', type: 'update_record', config: { values: { resolution: 'timed out' } } },
      ],
    });
    const c2 = (await k.call('POST', '/api/records/case', { subject: '放置' })).body;
    const r2 = (await k.call('POST', `/api/workflows/${timeout}/run`, { record_id: c2.id })).body;
    await expect.poll(async () => (await run(r2.id)).status, { timeout: 15_000 }).toBe('succeeded');
    expect((await k.call('GET', `/api/records/case/${c2.id}`)).body.resolution).toBe('timed out');
    const bad = (await k.call('POST', `/api/workflows/${id}/run`, { record_id: c2.id })).body; // no due_at
    await expect.poll(async () => (await run(bad.id)).status).toBe('failed');
    expect((await run(bad.id)).error).toMatch(/wait.until is not a date: null/);
  });

  it('assigns to the least loaded member by open records', async () => {
    const [a1, a2] = people.agents;
    // agent1: two open; agent2: one open and one resolved; agent3: none (after the other tests' cases are closed).
    await k.db.query(sql`update "case" set status = 'closed'`);
    for (const [assignee, status] of [
      [a1, 'open'],
      [a1, 'in_progress'],
      [a2, 'open'],
      [a2, 'resolved'],
    ]) {
      expect((await k.call('POST', '/api/records/case', { subject: '既存', assignee, status })).status).toBe(201);
    }
    const id = await publishWorkflow(k, {
      name: 'least',
      trigger: { type: 'record.created', object: 'case', condition: { priority: 'high' } },
      start: 'assign',
      steps: [{ id: 'assign', type: 'assign', config: { team: 'support', strategy: 'least_loaded' } }],
    });
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await k.call('POST', '/api/records/case', { subject: `負荷${i}`, priority: 'high' })).body.id);
    await settledRuns(k, id, 3);
    const got = await Promise.all(made.map(async (m) => (await k.call('GET', `/api/records/case/${m}`)).body.assignee));
    // agent3 (0) → agent3 has 1, agent2 1 → the lower id of the tied; then the other — never agent1 (2 open).
    expect(got).not.toContain(a1);
    expect(got.filter((u) => u === people.agents[2])).toHaveLength(2);
    expect(got).toContain(a2);
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it('fires a date-relative trigger once per record per date value, again when the date changes, also across a restart', async () => {
    const soon = () => new Date(Date.now() + 86_400_000 + 800).toISOString();
    const past = (
      await k.call('POST', '/api/records/case', { subject: '過去', due_at: new Date(Date.now() - 86_400_000 * 3).toISOString() })
    ).body;
    const id = await publishWorkflow(k, {
      name: 'day before',
      trigger: { type: 'record.date', object: 'case', field: 'due_at', offset: '-1d', condition: { status: { neq: 'closed' } } },
      start: 'note',
      steps: [{ id: 'note', type: 'update_record', config: { values: { resolution: 'reminded for {{trigger.date}}' } } }],
    });
    const c = (await k.call('POST', '/api/records/case', { subject: '明日期限', due_at: soon() })).body;
    const far = (
      await k.call('POST', '/api/records/case', { subject: '来月', due_at: new Date(Date.now() + 30 * 86_400_000).toISOString() })
    ).body;
    const closed = (await k.call('POST', '/api/records/case', { subject: '完了済み', due_at: soon(), status: 'closed' })).body;
    const first = await settledRuns(k, id, 1, ['succeeded', 'failed'], 8000);
    expect(first).toHaveLength(1);
    const detail = await run(first[0].id);
    expect(detail.trigger).toMatchObject({ type: 'record.date', record_id: c.id, field: 'due_at', offset: '-1d' });
    // Fires once: a later date scan, seen by the run it starts for a case made only now,
    // started nothing more for the first case (its date is still reached).
    const later = (await k.call('POST', '/api/records/case', { subject: '後から', due_at: soon() })).body;
    const two = await settledRuns(k, id, 2, ['succeeded', 'failed'], 8000);
    expect(two.map((r) => r.record_id).sort()).toEqual([c.id, later.id].sort());
    // A new date value re-arms it — reached while no engine runs: a restarted one fires it.
    await k.workflows.stop();
    const rearmed = soon();
    await k.call('PATCH', `/api/records/case/${c.id}`, { due_at: rearmed });
    // Until the re-armed moment (a day before the new date) has passed, with no engine running.
    await expect.poll(() => Date.now()).toBeGreaterThan(new Date(rearmed).getTime() - 86_400_000 + 100);
    expect((await k.call('GET', `/api/workflows/${id}/runs`)).body.data).toHaveLength(2);
    k.workflows.start();
    const all = await settledRuns(k, id, 3, ['succeeded', 'failed'], 8000);
    expect(all.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const runs = (await k.call('GET', `/api/workflows/${id}/runs`)).body.data as { record_id: string }[];
    expect(runs.map((r) => r.record_id).sort()).toEqual([c.id, c.id, later.id].sort());
    for (const other of [past, far, closed]) expect(runs.some((r) => r.record_id === other.id)).toBe(false);
    const [fires] = await k.db.query<{ n: number }>(
      sql`select count(*)::int as n from kizuna_workflow_date_fires where workflow_id = ${id}::uuid`,
    );
    expect(Number(fires.n)).toBe(3); // the case, the later one and the closed one (fired, condition not met)
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it("checks a manual run's input against the trigger's input_schema, naming the field", async () => {
    const id = await publishWorkflow(k, {
      name: 'with input',
      start: 'make',
      trigger: {
        type: 'manual',
        input_schema: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1 }, amount: { type: 'integer', minimum: 1 } },
        },
      },
      steps: [{ id: 'make', type: 'create_record', config: { object: 'company', values: { name: '{{input.name}}' } } }],
    });
    const bad = await k.call('POST', `/api/workflows/${id}/run`, { input: { amount: 0 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'input', message: 'must have "name"', keyword: 'required' }),
        expect.objectContaining({ field: 'input.amount', keyword: 'minimum' }),
      ]),
    );
    expect((await k.call('POST', `/api/workflows/${id}/run`, { input: { name: '入力株式会社', amount: 2 } })).status).toBe(202);
    const bogus = await k.call('POST', '/api/workflows/validate', {
      name: 'x',
      trigger: { type: 'manual', input_schema: { type: 'objekt' } },
      start: 'a',
      steps: [{ id: 'a', type: 'wait', config: { seconds: 1 } }],
    });
    expect(bogus.body.errors).toEqual([expect.objectContaining({ field: 'trigger.input_schema', keyword: 'input_schema' })]);
  });
});
