// A failed HTTP step keeps what the service answered, and a failed run can go again from any
// earlier step it took (issue 13, item 4).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow, settledRuns } from '../testing/workflows.ts';

describe.each(databases)('failed steps and retries on %s', (kind) => {
  let k: TestKizuna;
  let server: Server;
  let answer = { status: 503, body: '' };
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    k = await startKizuna(kind, { workflowPollMs: 20, workflowHttpHosts: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await k?.close();
    await new Promise((r) => server?.close(() => r(undefined)));
  });

  const detail = async (id: string) => (await k.call('GET', `/api/workflow-runs/${id}`)).body;

  it('keeps the status and the (truncated) body of a failed HTTP call, and retries from an earlier step', async () => {
    const port = (server.address() as AddressInfo).port;
    const id = await publishWorkflow(k, {
      name: 'call out',
      trigger: { type: 'manual', object: 'contact' },
      start: 'mark',
      steps: [
        { id: 'mark', type: 'update_record', config: { values: { title: 'calling' } }, next: 'call' },
        { id: 'call', type: 'http', retries: 0, config: { url: `http://127.0.0.1:${port}/orders` } },
      ],
    });
    const c = (await k.call('POST', '/api/records/contact', { last_name: '呼出' })).body;
    answer = { status: 503, body: JSON.stringify({ error: 'maintenance', until: '10:00' }) };
    const run = (await k.call('POST', `/api/workflows/${id}/run`, { record_id: c.id })).body;
    await settledRuns(k, id, 1);
    const failed = await detail(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.steps[1]).toMatchObject({
      step_id: 'call',
      status: 'failed',
      error: expect.stringContaining('HTTP 503'),
      output: { status: 503, body: { error: 'maintenance', until: '10:00' } },
    });

    // Not the failed step, nor a step the run never took: 422 naming from_step.
    const never = await k.call('POST', `/api/workflow-runs/${run.id}/retry`, { from_step: 'nowhere' });
    expect(never.status).toBe(422);
    expect(never.body.errors).toEqual([expect.objectContaining({ field: 'from_step' })]);
    expect((await k.call('POST', `/api/workflow-runs/${run.id}/retry`, { from: 'mark' })).status).toBe(422);

    // A long answer is kept truncated.
    answer = { status: 500, body: `<html>${'障害'.repeat(3000)}</html>` };
    expect((await k.call('POST', `/api/workflow-runs/${run.id}/retry`, { from_step: 'mark' })).status).toBe(202);
    await expect.poll(async () => (await detail(run.id)).status).toBe('failed');
    const again = await detail(run.id);
    expect(again.steps.map((s: { step_id: string; status: string }) => `${s.step_id}:${s.status}`)).toEqual([
      'mark:succeeded',
      'call:failed',
      'mark:succeeded',
      'call:failed',
    ]);
    expect(again.steps[3].output).toMatchObject({ status: 500, truncated: true });
    expect(again.steps[3].output.body).toHaveLength(2000);

    // From the earlier step: it runs again, then the call succeeds.
    answer = { status: 200, body: '{"ok":true}' };
    expect((await k.call('POST', `/api/workflow-runs/${run.id}/retry`, { from_step: 'mark' })).status).toBe(202);
    await expect.poll(async () => (await detail(run.id)).status).toBe('succeeded');
    const done = await detail(run.id);
    expect(done.steps.map((s: { step_id: string }) => s.step_id)).toEqual(['mark', 'call', 'mark', 'call', 'mark', 'call']);
    expect(done.steps[5].output).toEqual({ status: 200, body: { ok: true } });
  });

  it('refuses a retry from inside a loop body, naming the loop to start from', async () => {
    const port = (server.address() as AddressInfo).port;
    const id = await publishWorkflow(k, {
      name: 'loop out',
      trigger: { type: 'manual' },
      start: 'each',
      variables: { items: [1, 2] },
      steps: [
        { id: 'each', type: 'loop', config: { items: '{{vars.items}}' }, branches: { body: 'look' } },
        { id: 'look', type: 'condition', config: { filter: { 'loop.item': { gte: 2 } } }, branches: { true: 'call' } },
        { id: 'call', type: 'http', retries: 0, config: { url: `http://127.0.0.1:${port}/item/{{loop.item}}` } },
      ],
    });
    answer = { status: 502, body: 'bad gateway' };
    const run = (await k.call('POST', `/api/workflows/${id}/run`)).body;
    await expect.poll(async () => (await detail(run.id)).status).toBe('failed');
    expect((await detail(run.id)).steps.at(-1).output).toEqual({ status: 502, body: 'bad gateway' });
    const inside = await k.call('POST', `/api/workflow-runs/${run.id}/retry`, { from_step: 'look' });
    expect(inside.status).toBe(409);
    expect(inside.body.detail).toContain('"each"');
    answer = { status: 200, body: '{}' };
    expect((await k.call('POST', `/api/workflow-runs/${run.id}/retry`, { from_step: 'each' })).status).toBe(202);
    await expect.poll(async () => (await detail(run.id)).status).toBe('succeeded');
  });
});
