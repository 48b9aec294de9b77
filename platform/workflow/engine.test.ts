import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { signBody } from './index.ts';
import { publishWorkflow, settledRuns, supportTeams } from '../testing/workflows.ts';
import { startSmtp } from '../testing/smtp.ts';

const template = JSON.parse(readFileSync(new URL('../../metadata/workflows/urgent-case.json', import.meta.url), 'utf8'));
/** The shipped example with a wait of a second instead of four hours. */
const urgentCase = {
  ...template,
  steps: template.steps.map((s: { id: string }) => (s.id === 'wait' ? { ...s, config: { seconds: 1 } } : s)),
};

describe.each(databases)('workflow engine on %s', (kind) => {
  let k: TestKizuna;
  let people: Awaited<ReturnType<typeof supportTeams>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
    k = await startKizuna(kind, { workflowPollMs: 50, workflowRetryBaseMs: 50, smtpUrl: smtp.url });
    people = await supportTeams(k);
  });
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  it('assigns urgent cases round-robin and escalates the unresolved one after the wait', async () => {
    const id = await publishWorkflow(k, urgentCase);
    const made: { id: string }[] = [];
    for (const subject of ['止まった', 'ログインできない', '請求が二重']) {
      made.push((await k.call('POST', '/api/records/case', { subject, priority: 'urgent' })).body);
    }
    await k.call('POST', '/api/records/case', { subject: 'not urgent', priority: 'low' });
    let assigned: { assignee?: string }[] = [];
    await expect
      .poll(async () =>
        (assigned = await Promise.all(made.map(async (c) => (await k.call('GET', `/api/records/case/${c.id}`)).body)))
          .map((r) => r.assignee)
          .sort(),
      )
      .toEqual(people.agents);
    // One is resolved in time; the others are escalated to the lead.
    await k.call('PATCH', `/api/records/case/${made[0].id}`, { status: 'resolved' });
    const runs = await settledRuns(k, id, 3);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const after = await Promise.all(made.map(async (c) => (await k.call('GET', `/api/records/case/${c.id}`)).body));
    expect(after[0]).toMatchObject({ status: 'resolved', assignee: assigned[0].assignee });
    for (const r of after.slice(1))
      expect(r).toMatchObject({
        status: 'in_progress',
        assignee: people.lead,
        resolution: expect.stringContaining('Escalated by workflow'),
      });
    const detail = (await k.call('GET', `/api/workflow-runs/${runs.find((r) => r.id)!.id}`)).body;
    expect(detail.steps[0]).toMatchObject({ step_id: 'assign', status: 'succeeded', input: { team: 'support', field: 'assignee' } });
    const resolvedRun = (await k.call('GET', `/api/workflow-runs?object=case&record_id=${made[0].id}`)).body.data[0];
    expect((await k.call('GET', `/api/workflow-runs/${resolvedRun.id}`)).body.path).toEqual(['assign', 'notify', 'wait', 'unresolved']);
    // The team heard of each urgent case; the lead of each escalated one.
    const team = smtp.messages.filter((m) => m.subject.startsWith('[Urgent]'));
    expect(team.map((m) => m.subject).sort()).toEqual(
      ['止まった', 'ログインできない', '請求が二重'].map((s) => `[Urgent] ${s} / 【緊急】${s}`).sort(),
    );
    for (const m of team) expect(m.to.sort()).toEqual(['agent1@example.jp', 'agent2@example.jp', 'agent3@example.jp']);
    const escalated = smtp.messages.filter((m) => m.subject.startsWith('[Escalated]'));
    expect(escalated.map((m) => m.to)).toEqual([['lead@example.jp'], ['lead@example.jp']]);
    expect(escalated[0].text).toContain('4時間以内に解決されなかったため');
    const notes = (await k.call('GET', `/api/records/message?filter=${encodeURIComponent(JSON.stringify({ case: made[1].id }))}`)).body
      .data;
    expect(notes.map((m: { subject: string }) => m.subject).sort()).toEqual([
      '[Escalated] ログインできない / 【エスカレーション】ログインできない',
      '[Urgent] ログインできない / 【緊急】ログインできない',
    ]);
    // The steps ran as the workflow's own user: the audit trail says so.
    const timeline = (await k.call('GET', `/api/records/case/${made[1].id}/timeline`)).body.data;
    const wf = (await k.call('GET', `/api/workflows/${id}`)).body;
    expect(timeline.filter((t: { actor: string }) => t.actor === wf.user_id)).toHaveLength(3);
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it('triggers on a condition over the old and the new values of an update', async () => {
    const id = await publishWorkflow(k, {
      name: 'reopened',
      trigger: {
        type: 'record.updated',
        object: 'case',
        condition: { status: { eq: 'open' }, 'old.status': { in: ['resolved', 'closed'] } },
      },
      start: 'note',
      steps: [{ id: 'note', type: 'update_record', config: { values: { resolution: 'Reopened from {{trigger.changes.status.from}}' } } }],
    });
    const c = (await k.call('POST', '/api/records/case', { subject: '再オープン', status: 'open' })).body;
    await k.call('PATCH', `/api/records/case/${c.id}`, { priority: 'high' }); // open → open: old.status is open
    await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'resolved' }); // new status is not open
    await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'open' }); // resolved → open: this one
    // Every event of the three updates has been dispatched (and what it started advanced):
    // only then does "one run" mean the other two updates started nothing.
    await k.workflows.drain();
    const runs = await settledRuns(k, id, 1);
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('succeeded');
    expect((await k.call('GET', `/api/records/case/${c.id}`)).body.resolution).toBe('Reopened from resolved');
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it('a rolled-back write triggers nothing', async () => {
    const id = await publishWorkflow(k, {
      name: 'on contact',
      trigger: { type: 'record.created', object: 'contact' },
      start: 'x',
      steps: [{ id: 'x', type: 'wait', config: { seconds: 0 } }],
    });
    await k.db
      .transaction(async (tx) => {
        await k.records.create('contact', { last_name: '幻' }, { actor: null }, tx);
        throw new Error('roll back');
      })
      .catch(() => {});
    await k.records.create('contact', { last_name: '本物' }, { actor: null });
    await k.workflows.drain();
    const runs = await settledRuns(k, id, 1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded' });
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it('bounds a workflow that keeps re-triggering itself, with a clear error on the run', async () => {
    const id = await publishWorkflow(k, {
      name: 'loop',
      trigger: { type: 'record.updated', object: 'company', fields: ['city'] },
      start: 'touch',
      steps: [{ id: 'touch', type: 'update_record', config: { values: { city: 'again {{trigger.version}}' } } }],
    });
    const co = (await k.call('POST', '/api/records/company', { name: '無限株式会社' })).body;
    await k.call('PATCH', `/api/records/company/${co.id}`, { city: 'start' });
    const runs = await settledRuns(k, id, 7);
    const failed = runs.filter((r) => r.status === 'failed') as unknown as { status: string; error: string }[];
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatch(/Recursion bounded/);
    expect(runs).toHaveLength(7); // depths 0..5 ran, 6 refused
    await k.call('POST', `/api/workflows/${id}/disable`);
  });

  it('accepts a webhook signed with the hook key and rejects a bad signature', async () => {
    const id = await publishWorkflow(k, {
      name: 'hook',
      trigger: { type: 'webhook' },
      start: 'make',
      steps: [
        {
          id: 'make',
          type: 'create_record',
          config: { object: 'contact', values: { last_name: '{{input.name}}', email: '{{input.email}}' } },
        },
      ],
    });
    const wf = (await k.call('GET', `/api/workflows/${id}`)).body;
    const body = JSON.stringify({ name: '鈴木', email: 'suzuki@example.jp' });
    const post = (sig: string) =>
      k.app.request(wf.hook.path, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-kizuna-signature': sig } });
    expect((await post(signBody('wrong key', body))).status).toBe(401);
    expect((await post('')).status).toBe(401);
    const ok = await post(signBody(wf.hook.key, body));
    expect(ok.status).toBe(202);
    const runs = await settledRuns(k, id, 1);
    expect(runs).toHaveLength(1);
    const run = (await k.call('GET', `/api/workflow-runs/${runs[0].id}`)).body;
    expect(run.context.steps.make.record).toMatchObject({ last_name: '鈴木', email: 'suzuki@example.jp' });
  });

  it('retries a failing step with backoff, dead-letters it, and re-runs it from the failed step', async () => {
    const id = await publishWorkflow(k, {
      name: 'fails',
      trigger: { type: 'manual', object: 'contact' },
      start: 'first',
      steps: [
        { id: 'first', type: 'update_record', config: { values: { first_name: '一' } }, next: 'second' },
        { id: 'second', type: 'http', retries: 1, config: { url: 'http://127.0.0.1:9/nothing', timeout_ms: 500 } },
      ],
    });
    const c = (await k.call('POST', '/api/records/contact', { last_name: '再試行' })).body;
    const started = await k.call('POST', `/api/workflows/${id}/run`, { record_id: c.id });
    expect(started.status).toBe(202);
    const [run] = await settledRuns(k, id, 1);
    const detail = (await k.call('GET', `/api/workflow-runs/${run.id}`)).body;
    expect(detail).toMatchObject({
      status: 'failed',
      current_step: 'second',
      error: expect.stringContaining('not in KIZUNA_WORKFLOW_HTTP_HOSTS'),
    });
    expect(detail.steps.map((s: { step_id: string; status: string }) => `${s.step_id}:${s.status}`)).toEqual([
      'first:succeeded',
      'second:failed',
    ]);
    const again = await k.call('POST', `/api/workflow-runs/${run.id}/retry`);
    expect(again.status).toBe(202);
    await settledRuns(k, id, 1);
    const twice = (await k.call('GET', `/api/workflow-runs/${run.id}`)).body;
    // The retry went from "second": "first" was not repeated.
    expect(twice.steps.map((s: { step_id: string }) => s.step_id)).toEqual(['first', 'second', 'second']);
    expect((await k.call('GET', `/api/records/contact/${c.id}`)).body.version).toBe(2);
  });

  it('resumes a wait after the engine restarts', async () => {
    const id = await publishWorkflow(k, {
      name: 'sleepy',
      trigger: { type: 'manual', object: 'contact' },
      start: 'nap',
      steps: [
        { id: 'nap', type: 'wait', config: { minutes: 10 }, next: 'mark' },
        { id: 'mark', type: 'update_record', config: { values: { first_name: '起きた' } } },
      ],
    });
    const c = (await k.call('POST', '/api/records/contact', { last_name: '眠り' })).body;
    const run = (await k.call('POST', `/api/workflows/${id}/run`, { record_id: c.id })).body;
    await expect.poll(async () => (await k.call('GET', `/api/workflow-runs/${run.id}`)).body.status).toBe('waiting');
    await k.workflows.stop();
    // A long wait, so the engine cannot have woken it before it stopped however slow the
    // machine; its time then passes while no engine runs.
    const [row] = await k.db.query<{ status: string }>(sql`select status from kizuna_workflow_runs where id = ${run.id}::uuid`);
    expect(row.status).toBe('waiting');
    await k.db.query(sql`update kizuna_workflow_runs set run_at = now() where id = ${run.id}::uuid and status = 'waiting'`);
    const { createWorkflowEngine } = await import('./index.ts');
    const fresh = createWorkflowEngine({ db: k.db, records: k.records, pollMs: 50 });
    fresh.start();
    try {
      await expect
        .poll(async () => (await k.call('GET', `/api/workflow-runs/${run.id}`)).body.status, { timeout: 15_000 })
        .toBe('succeeded');
      expect((await k.call('GET', `/api/records/contact/${c.id}`)).body.first_name).toBe('起きた');
    } finally {
      await fresh.stop();
      k.workflows.start();
    }
  });
});
