// A record's timeline lists the workflow runs it triggered among its changes, each once across pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow, settledRuns, supportTeams } from '../testing/workflows.ts';

describe.each(databases)('record timeline with workflow runs on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { workflowPollMs: 50, workflowRetryBaseMs: 50 });
    await supportTeams(k);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('merges runs (kind workflow_run) with changes (kind change), newest first, each once across pages', async () => {
    const ok = await publishWorkflow(k, {
      name: '自動割り当て',
      trigger: { type: 'record.created', object: 'case' },
      start: 'assign',
      steps: [{ id: 'assign', type: 'assign', config: { team: 'support' } }],
    });
    const bad = await publishWorkflow(k, {
      name: 'fails',
      trigger: { type: 'record.created', object: 'case' },
      start: 'x',
      // Fails at run time only: the subject is no priority.
      steps: [{ id: 'x', type: 'update_record', retries: 0, config: { values: { priority: '{{trigger.record.subject}}' } } }],
    });
    const c = (await k.call('POST', '/api/records/case', { subject: '時系列' })).body;
    await settledRuns(k, ok, 1);
    await settledRuns(k, bad, 1);
    await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'in_progress' });
    const t = await k.call('GET', `/api/records/case/${c.id}/timeline`);
    expect(t.status).toBe(200);
    const entries = t.body.data as { kind: string; at: string; action?: string; run?: Record<string, unknown> }[];
    expect(entries.map((e) => e.kind).sort()).toEqual(['change', 'change', 'change', 'workflow_run', 'workflow_run']);
    expect([...entries].sort((a, b) => (a.at < b.at ? 1 : -1)).map((e) => e.at)).toEqual(entries.map((e) => e.at));
    const runs = entries.filter((e) => e.kind === 'workflow_run');
    expect(runs.find((e) => e.run!.workflow_id === ok)!.run).toMatchObject({
      workflow_name: '自動割り当て',
      status: 'succeeded',
      error: null,
      duration_ms: expect.any(Number),
    });
    expect(runs.find((e) => e.run!.workflow_id === bad)!.run).toMatchObject({
      workflow_name: 'fails',
      status: 'failed',
      error: expect.stringContaining('Step "x" failed'),
    });
    expect(entries.find((e) => e.kind === 'change')).toMatchObject({
      action: expect.any(String),
      version: expect.any(Number),
      changes: expect.any(Object),
    });

    // Page by one change at a time: every entry comes back exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string; kind: string }[]; page: { next_cursor: string | null } } } = await k.call(
        'GET',
        `/api/records/case/${c.id}/timeline?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.data.map((e) => `${e.kind}:${e.id}`));
      cursor = page.body.page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(entries.map((e) => `${e.kind}:${(e as unknown as { id: string }).id}`).sort());
    expect((await k.call('GET', `/api/records/case/${c.id}/timeline?nope=1`)).status).toBe(400);
    expect((await k.call('GET', '/api/records/case/00000000-0000-0000-0000-000000000000/timeline')).status).toBe(404);
  });

  it('shows a reader who is not an admin which step failed, never the error carrying record values', async () => {
    const user = await k.call('POST', '/api/users', { email: 'agent-t@example.jp', name: 'agent', roles: ['support_agent'] });
    const key = (await k.call('POST', '/api/api-keys', { name: 'agent key', user_id: user.body.id })).body.key as string;
    // The step's error quotes its input: here the contact's notes, hidden from support agents.
    const leaky = await publishWorkflow(k, {
      name: 'leaky',
      trigger: { type: 'record.created', object: 'contact' },
      start: 'call',
      steps: [{ id: 'call', type: 'http', retries: 0, config: { url: '{{trigger.record.notes}}' } }],
    });
    const secret = '社外秘: 年収1200万円';
    const c = (await k.call('POST', '/api/records/contact', { last_name: '秘密', notes: secret })).body;
    await settledRuns(k, leaky, 1);
    const asAdmin = (await k.call('GET', `/api/records/contact/${c.id}/timeline`)).body.data.find(
      (e: { kind: string }) => e.kind === 'workflow_run',
    );
    expect(asAdmin.run.error).toContain(secret);
    const asAgent = await k.call('GET', `/api/records/contact/${c.id}/timeline`, undefined, { authorization: `Bearer ${key}` });
    expect(asAgent.status).toBe(200);
    const run = asAgent.body.data.find((e: { kind: string }) => e.kind === 'workflow_run');
    expect(run.run).toMatchObject({
      workflow_name: 'leaky',
      status: 'failed',
      error: 'Step "call" failed (the details are shown to admins)',
    });
    expect(JSON.stringify(asAgent.body)).not.toContain('年収');
  });

  it('answers an unknown object in GET /api/workflow-runs with a 404 naming it, not an empty list', async () => {
    const r = await k.call('GET', '/api/workflow-runs?object=nosuch&record_id=00000000-0000-4000-8000-000000000000');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(r.body)).toContain('nosuch');
    const known = await k.call('GET', '/api/workflow-runs?object=case&record_id=00000000-0000-4000-8000-000000000000');
    expect(known).toMatchObject({ status: 200, body: { data: [] } });
  });
});
