// Manual runs by people who are not admins: the workflows they may start on an object they
// read, on records they read (one or a list selection); everything else stays admin-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow } from '../testing/workflows.ts';

describe.each(databases)('manual workflow runs by non-admins on %s', (kind) => {
  let k: TestKizuna;
  let carol: { id: string; key: string };
  const ids: Record<string, string> = {};
  const wf: Record<string, string> = {};
  const asCarol = (method: string, path: string, body?: unknown) => k.call(method, path, body, { authorization: `Bearer ${carol.key}` });

  beforeAll(async () => {
    k = await startKizuna(kind, { workflowPollMs: 50 });
    const support = (await k.call('POST', '/api/teams', { name: 'Support' })).body.id;
    const user = await k.call('POST', '/api/users', {
      email: 'carol@example.jp',
      name: 'carol',
      roles: ['support_agent'],
      teams: [support],
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const key = await k.call('POST', '/api/api-keys', { name: 'carol key', user_id: user.body.id });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    carol = { id: user.body.id, key: key.body.key };
    const oscar = (await k.call('POST', '/api/users', { email: 'oscar@example.jp', name: 'oscar', roles: ['support_agent'] })).body.id;
    for (const [name, assignee] of [
      ['mine1', carol.id],
      ['mine2', carol.id],
      ['mine3', carol.id],
      ['theirs', oscar],
    ] as const) {
      ids[name] = (await k.call('POST', '/api/records/case', { subject: `case ${name}`, priority: 'low', assignee })).body.id;
    }
    const escalate = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      description: 'Raises the priority',
      trigger: { type: 'manual', object: 'case', ...extra },
      start: 'raise',
      steps: [{ id: 'raise', type: 'update_record', config: { values: { priority: '{{input.priority}}' } } }],
    });
    const withInput = { input_schema: { type: 'object', required: ['priority'], properties: { priority: { enum: ['high', 'urgent'] } } } };
    wf.escalate = await publishWorkflow(k, escalate('Escalate', withInput));
    wf.disabled = await publishWorkflow(k, escalate('Switched off', withInput));
    expect((await k.call('POST', `/api/workflows/${wf.disabled}/disable`)).status).toBe(200);
    const draft = await k.call('POST', '/api/workflows', escalate('Never published', withInput));
    wf.draft = draft.body.id;
    wf.onCreate = await publishWorkflow(k, {
      name: 'On create',
      trigger: { type: 'record.created', object: 'case' },
      start: 'a',
      steps: [{ id: 'a', type: 'wait', config: { seconds: 1 } }],
    });
    wf.campaign = await publishWorkflow(k, {
      name: 'Campaign',
      trigger: { type: 'manual', object: 'campaign' },
      start: 'a',
      steps: [{ id: 'a', type: 'wait', config: { seconds: 1 } }],
    });
    wf.contact = await publishWorkflow(k, {
      name: 'Contact',
      trigger: { type: 'manual', object: 'contact' },
      start: 'a',
      steps: [{ id: 'a', type: 'wait', config: { seconds: 1 } }],
    });
  });
  afterAll(() => k?.close());

  it('lists only the enabled, published manual workflows of an object the caller reads, and only what a runner needs', async () => {
    const r = await asCarol('GET', '/api/workflows/manual?object=case');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toEqual([
      {
        id: wf.escalate,
        name: 'Escalate',
        description: 'Raises the priority',
        input_schema: { type: 'object', required: ['priority'], properties: { priority: { enum: ['high', 'urgent'] } } },
      },
    ]);
    expect((await asCarol('GET', '/api/workflows/manual?object=contact')).body.data.map((w: { name: string }) => w.name)).toEqual([
      'Contact',
    ]);
    // An object the caller may not read is not there; a missing or unknown parameter is a 400 naming it.
    const hidden = await asCarol('GET', '/api/workflows/manual?object=campaign');
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toContain('application/problem+json');
    expect((await asCarol('GET', '/api/workflows/manual?object=nope')).status).toBe(404);
    const missing = await asCarol('GET', '/api/workflows/manual');
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('object');
    expect((await asCarol('GET', '/api/workflows/manual?object=case&x=1')).body.errors[0].field).toBe('x');
    // Admins see the same list.
    expect((await k.call('GET', '/api/workflows/manual?object=campaign')).body.data.map((w: { name: string }) => w.name)).toEqual([
      'Campaign',
    ]);
  });

  it("runs a manual workflow on a record the caller reads, acting as the workflow's own user", async () => {
    const r = await asCarol('POST', `/api/workflows/${wf.escalate}/run`, { record_id: ids.mine1, input: { priority: 'urgent' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ workflow_id: wf.escalate, object: 'case', record_id: ids.mine1 });
    expect(r.body.trigger.by).toBe(carol.id);
    await expect.poll(async () => (await k.call('GET', `/api/workflow-runs/${r.body.id}`)).body.status).toBe('succeeded');
    expect((await asCarol('GET', `/api/records/case/${ids.mine1}`)).body.priority).toBe('urgent');
    const user = (await k.call('GET', `/api/workflows/${wf.escalate}`)).body.user_id;
    const timeline = (await asCarol('GET', `/api/records/case/${ids.mine1}/timeline`)).body.data;
    expect(timeline.find((e: { kind: string; action: string }) => e.kind === 'change' && e.action === 'update').actor).toBe(user);
    expect(timeline.some((e: { kind: string; run?: { id: string } }) => e.kind === 'workflow_run' && e.run?.id === r.body.id)).toBe(true);
  });

  it('starts one run per selected record, all or nothing', async () => {
    const r = await asCarol('POST', `/api/workflows/${wf.escalate}/run`, {
      record_ids: [ids.mine2, ids.mine3],
      input: { priority: 'high' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.data.map((x: { record_id: string }) => x.record_id)).toEqual([ids.mine2, ids.mine3]);
    for (const run of r.body.data)
      await expect.poll(async () => (await k.call('GET', `/api/workflow-runs/${run.id}`)).body.status).toBe('succeeded');
    for (const id of [ids.mine2, ids.mine3]) expect((await asCarol('GET', `/api/records/case/${id}`)).body.priority).toBe('high');

    // A record the caller cannot read is a 404 and starts no run at all.
    const before = (await k.call('GET', `/api/workflows/${wf.escalate}/runs`)).body.data.length;
    const hidden = await asCarol('POST', `/api/workflows/${wf.escalate}/run`, {
      record_ids: [ids.mine2, ids.theirs],
      input: { priority: 'high' },
    });
    expect(hidden.status).toBe(404);
    expect((await k.call('GET', `/api/workflows/${wf.escalate}/runs`)).body.data.length).toBe(before);
    expect(
      (await asCarol('POST', `/api/workflows/${wf.escalate}/run`, { record_id: ids.theirs, input: { priority: 'high' } })).status,
    ).toBe(404);
    expect((await k.call('GET', `/api/records/case/${ids.theirs}`)).body.priority).toBe('low');
  });

  it('answers a bad record_ids or input with 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ record_ids: [], input: { priority: 'high' } }, 'record_ids'],
      [{ record_ids: 'x', input: { priority: 'high' } }, 'record_ids'],
      [{ record_ids: Array.from({ length: 101 }, (_, i) => `id${i}`), input: { priority: 'high' } }, 'record_ids'],
      [{ record_ids: [ids.mine2, 5], input: { priority: 'high' } }, 'record_ids.1'],
      [{ record_ids: [ids.mine2, ids.mine2], input: { priority: 'high' } }, 'record_ids.1'],
      [{ record_id: ids.mine2, record_ids: [ids.mine3], input: { priority: 'high' } }, 'record_ids'],
      [{ record_ids: [ids.mine2], input: { priority: 'low' } }, 'input.priority'],
      [{ record_ids: [ids.mine2], nope: 1 }, 'nope'],
    ];
    for (const [body, field] of cases) {
      const r = await asCarol('POST', `/api/workflows/${wf.escalate}/run`, body);
      expect(r.status, JSON.stringify([body, r.body]).slice(0, 300)).toBe(422);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('keeps everything else admin-only', async () => {
    for (const id of [wf.disabled, wf.draft, wf.onCreate, wf.campaign, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const r = await asCarol('POST', `/api/workflows/${id}/run`, { record_id: ids.mine1, input: { priority: 'high' } });
      expect(r.status, `${id} ${JSON.stringify(r.body)}`).toBe(403);
    }
    for (const [method, path] of [
      ['GET', '/api/workflows'],
      ['GET', `/api/workflows/${wf.escalate}`],
      ['GET', `/api/workflows/${wf.escalate}/runs`],
      ['POST', `/api/workflows/${wf.escalate}/test`],
      ['POST', `/api/workflows/${wf.escalate}/publish`],
      ['GET', '/api/workflows/catalog'],
      ['GET', `/api/workflow-runs?object=case&record_id=${ids.mine1}`],
      ['GET', '/api/workflows/templates'],
    ]) {
      expect((await asCarol(method, path)).status, `${method} ${path}`).toBe(403);
    }
    // Admins still run what is published, enabled or not, and on a list selection too.
    const admin = await k.call('POST', `/api/workflows/${wf.disabled}/run`, { record_ids: [ids.theirs], input: { priority: 'high' } });
    expect(admin.status, JSON.stringify(admin.body)).toBe(202);
    expect(admin.body.data).toHaveLength(1);
  });
});
