// A record's timeline lists the workflow runs it triggered among its changes, each once across pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow, settledRuns, supportTeams } from './testing.ts';

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
      name: '自動割り当て', trigger: { type: 'record.created', object: 'case' }, start: 'assign',
      steps: [{ id: 'assign', type: 'assign', config: { team: 'support' } }],
    });
    const bad = await publishWorkflow(k, {
      name: 'fails', trigger: { type: 'record.created', object: 'case' }, start: 'x',
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
    expect(runs.find((e) => e.run!.workflow_id === ok)!.run).toMatchObject({ workflow_name: '自動割り当て', status: 'succeeded', error: null, duration_ms: expect.any(Number) });
    expect(runs.find((e) => e.run!.workflow_id === bad)!.run).toMatchObject({ workflow_name: 'fails', status: 'failed', error: expect.stringContaining('Step "x" failed') });
    expect(entries.find((e) => e.kind === 'change')).toMatchObject({ action: expect.any(String), version: expect.any(Number), changes: expect.any(Object) });

    // Page by one change at a time: every entry comes back exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string; kind: string }[]; page: { next_cursor: string | null } } } = await k.call('GET', `/api/records/case/${c.id}/timeline?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((e) => `${e.kind}:${e.id}`));
      cursor = page.body.page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(entries.map((e) => `${e.kind}:${(e as unknown as { id: string }).id}`).sort());
    expect((await k.call('GET', `/api/records/case/${c.id}/timeline?nope=1`)).status).toBe(400);
    expect((await k.call('GET', '/api/records/case/00000000-0000-0000-0000-000000000000/timeline')).status).toBe(404);
  });
});
