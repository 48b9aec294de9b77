// The designer's endpoints: the catalog, live validation, and test runs that commit nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { sql } from '../db/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { stepConfigSchema } from './catalog.ts';
import { supportTeams } from '../testing/workflows.ts';

const testPlugins = resolve(import.meta.dirname, 'testdata');

describe.each(databases)('workflow designer API on %s', (kind) => {
  let k: TestKizuna;
  let people: Awaited<ReturnType<typeof supportTeams>>;
  beforeAll(async () => {
    k = await startKizuna(kind, { pluginDirs: [testPlugins], workflowPollMs: 50 });
    people = await supportTeams(k);
  });
  afterAll(async () => {
    await k?.close();
  });

  /** Rows that a committed run would leave behind. */
  const footprint = async () => {
    const [r] = await k.db.query<
      Record<string, number>
    >(sql`select (select count(*)::int from kizuna_history) as history, (select count(*)::int from kizuna_events) as events,
      (select count(*)::int from kizuna_workflow_runs) as runs, (select count(*)::int from kizuna_workflow_steps) as steps, (select count(*)::int from message) as messages,
      (select count(*)::int from company) as companies, (select count(*)::int from kizuna_workflow_counters) as counters`);
    return r;
  };

  it('lists every trigger and step type with the config schema the server validates with, and plugin actions', async () => {
    expect((await k.call('POST', '/api/plugins/greeter/install')).status).toBe(201);
    const r = await k.call('GET', '/api/workflows/catalog');
    expect(r.status).toBe(200);
    expect(r.body.triggers.map((t: { type: string }) => t.type)).toEqual([
      'record.created',
      'record.updated',
      'record.deleted',
      'record.date',
      'manual',
      'schedule',
      'webhook',
    ]);
    const steps = r.body.steps as {
      type: string;
      action?: string;
      branches: unknown;
      config_schema: Record<string, any>;
      label: { en: string; ja: string };
      plugin?: string;
    }[];
    expect(
      steps
        .filter((s) => s.type !== 'action')
        .map((s) => s.type)
        .sort(),
    ).toEqual(['assign', 'branch', 'condition', 'create_record', 'find_records', 'http', 'loop', 'send_message', 'update_record', 'wait']);
    for (const s of steps) {
      expect(s.label.en && s.label.ja, s.type).toBeTruthy();
      expect(JSON.stringify(s.config_schema), s.type).not.toContain('$ref');
    }
    expect(steps.find((s) => s.type === 'condition')!.branches).toEqual(['true', 'false']);
    expect(steps.find((s) => s.type === 'branch')!.branches).toBe('cases');
    expect(steps.find((s) => s.type === 'loop')!.branches).toEqual(['body']);
    expect(steps.find((s) => s.type === 'update_record')!.config_schema).toEqual(stepConfigSchema('update_record'));
    expect(steps.find((s) => s.type === 'assign')!.config_schema.properties.strategy.enum).toEqual(['round_robin', 'least_loaded']);
    const greet = steps.find((s) => s.action === 'greeter.greet')!;
    expect(greet).toMatchObject({
      type: 'action',
      plugin: 'greeter',
      label: { en: 'Greet someone', ja: 'あいさつする' },
      category: 'plugins',
    });
    expect(greet.config_schema.properties.config.required).toEqual(['word']);
    // The schema in the catalog is the one saving checks: a config it rejects is a problem of the draft.
    const bad = await k.call('POST', '/api/workflows', {
      name: 'g',
      trigger: { type: 'manual' },
      start: 'a',
      steps: [{ id: 'a', type: 'action', config: { action: 'greeter.greet', config: {} } }],
    });
    expect(bad.status).toBe(201);
    expect(bad.body.problems).toEqual([
      { field: 'steps.0.config.config', message: 'must have "word"', keyword: 'required', params: { name: 'word' } },
    ]);
    const unknown = await k.call('POST', '/api/workflows/validate', {
      name: 'g',
      trigger: { type: 'manual' },
      start: 'a',
      steps: [{ id: 'a', type: 'action', config: { action: 'greeter.nope' } }],
    });
    expect(unknown.body).toEqual({
      valid: false,
      errors: [{ field: 'steps.0.config.action', message: 'no enabled plugin offers the action "greeter.nope"', keyword: 'action' }],
    });
    expect((await k.app.request('/api/workflows/catalog')).status).toBe(401);
  });

  it('validates a definition live, naming field and keyword, and accepts designer positions', async () => {
    const good = {
      name: 'ok',
      trigger: { type: 'manual', ui: { x: 0, y: 0 } },
      start: 'a',
      steps: [{ id: 'a', type: 'wait', config: { seconds: 1 }, ui: { x: 10, y: 80 } }],
    };
    expect((await k.call('POST', '/api/workflows/validate', good)).body).toEqual({ valid: true, errors: [] });
    const r = await k.call('POST', '/api/workflows/validate', {
      name: 'bad',
      trigger: { type: 'record.date', object: 'case' },
      start: 'a',
      steps: [
        { id: 'a', type: 'loop', config: { items: '{{steps.x.records}}' }, next: 'b' },
        { id: 'b', type: 'wait', config: { seconds: 1, until: '{{trigger.record.due_at}}' } },
        { id: 'c', type: 'send_message', config: { subject: 's', body: 'b' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(r.body.errors).toEqual([{ field: 'trigger', message: 'must have "field"', keyword: 'required', params: { name: 'field' } }]);
    const graph = await k.call('POST', '/api/workflows/validate', {
      name: 'bad',
      trigger: { type: 'record.date', object: 'case', field: 'due_at', offset: '-3d' },
      start: 'a',
      steps: [
        { id: 'a', type: 'loop', config: { items: '{{steps.x.records}}' }, next: 'b' },
        { id: 'b', type: 'wait', config: { seconds: 1, until: '{{trigger.record.due_at}}' } },
        { id: 'c', type: 'send_message', config: { subject: 's', body: 'b' } },
      ],
    });
    expect(graph.body.errors).toEqual([
      { field: 'steps.0.branches.body', message: 'a loop needs the first step of its body in branches.body', keyword: 'branches' },
      {
        field: 'steps.1.config',
        message: 'must be one of: a duration (seconds, minutes, hours, days), until, or condition',
        keyword: 'wait',
      },
      { field: 'steps.2.config.to', message: 'names no recipient: give to, to_users or to_team', keyword: 'required' },
      { field: 'steps.2', message: 'step "c" is unreachable from "a"', keyword: 'unreachable' },
    ]);
    expect((await k.call('POST', '/api/workflows/validate', [1])).body.valid).toBe(false);
  });

  it('test-runs the draft against a record: true outputs, skipped side effects, nothing committed', async () => {
    const made = await k.call('POST', '/api/workflows', {
      name: 'dry',
      trigger: { type: 'record.created', object: 'case' },
      start: 'assign',
      steps: [
        { id: 'assign', type: 'assign', config: { team: 'support' }, next: 'urgent' },
        {
          id: 'urgent',
          type: 'condition',
          config: { filter: { and: [{ priority: 'urgent' }, { 'steps.assign.user_id': { in: people.agents } }] } },
          branches: { true: 'note', false: 'note' },
        },
        { id: 'note', type: 'update_record', config: { values: { resolution: '担当: {{steps.assign.user_id}}' } }, next: 'company' },
        {
          id: 'company',
          type: 'create_record',
          config: { object: 'company', values: { name: '試験 {{trigger.record.subject}}' } },
          next: 'tell',
        },
        {
          id: 'tell',
          type: 'send_message',
          config: {
            to_team: 'support',
            subject: '緊急: {{trigger.record.subject}}',
            body: '対応してください',
            related: { case: '{{trigger.record_id}}' },
          },
          next: 'hook',
        },
        { id: 'hook', type: 'http', config: { url: 'https://example.com/{{trigger.record_id}}' }, next: 'pause' },
        { id: 'pause', type: 'wait', config: { hours: 4 }, next: 'greet' },
        {
          id: 'greet',
          type: 'action',
          config: { action: 'greeter.greet', config: { word: 'こんにちは' }, input: { name: '{{trigger.record.subject}}' } },
        },
      ],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const c = (await k.call('POST', '/api/records/case', { subject: '止まった', priority: 'urgent' })).body;
    const before = await footprint();
    const t = await k.call('POST', `/api/workflows/${made.body.id}/test`, { record_id: c.id });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(t.body.status).toBe('succeeded');
    expect(t.body.path).toEqual(['assign', 'urgent', 'note', 'company', 'tell', 'hook', 'pause', 'greet']);
    const by = Object.fromEntries(t.body.steps.map((s: { step_id: string }) => [s.step_id, s]));
    expect(people.agents).toContain(by.assign.output.user_id);
    expect(by.assign.status).toBe('succeeded');
    expect(by.urgent.output).toEqual({ result: true });
    expect(by.note.output.record).toMatchObject({
      id: c.id,
      resolution: `担当: ${by.assign.output.user_id}`,
      assignee: by.assign.output.user_id,
    });
    expect(by.company.output.record).toMatchObject({ name: '試験 止まった' });
    expect(by.tell).toMatchObject({
      status: 'skipped',
      input: { subject: '緊急: 止まった' },
      output: { sent: false, recipients: expect.arrayContaining(['agent1@example.jp']) },
    });
    expect(by.tell.output.record).toMatchObject({ subject: '緊急: 止まった', case: c.id });
    expect(by.hook).toMatchObject({ status: 'skipped', input: { url: `https://example.com/${c.id}` }, output: null, error: null });
    expect(by.pause).toMatchObject({ status: 'skipped', input: { hours: 4 } });
    expect(by.greet).toMatchObject({ status: 'skipped', input: { input: { name: '止まった' } } });
    // Rolled back: no record, history, event, run, message or turn of the round-robin counter.
    expect(await footprint()).toEqual(before);
    expect((await k.call('GET', `/api/records/case/${c.id}`)).body).toMatchObject({ assignee: null, resolution: null, version: 1 });
  });

  it('tests a definition given in the body and reports the failing step', async () => {
    const made = (
      await k.call('POST', '/api/workflows', {
        name: 'x',
        trigger: { type: 'manual', object: 'contact' },
        start: 'a',
        steps: [{ id: 'a', type: 'wait', config: { seconds: 1 } }],
      })
    ).body;
    const c = (await k.call('POST', '/api/records/contact', { last_name: '試験' })).body;
    const before = await footprint();
    const t = await k.call('POST', `/api/workflows/${made.id}/test`, {
      record_id: c.id,
      input: { n: 3 },
      definition: {
        name: 'x',
        trigger: { type: 'manual', object: 'contact' },
        start: 'one',
        steps: [
          { id: 'one', type: 'update_record', config: { values: { first_name: 'n{{input.n}}' } }, next: 'two' },
          { id: 'two', type: 'update_record', config: { values: { email: 'not an email' } }, next: 'three' },
          { id: 'three', type: 'update_record', config: { values: { title: 'never' } } },
        ],
      },
    });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ status: 'failed', path: ['one'], error: expect.stringMatching(/^Step "two" failed: .*email/) });
    expect(t.body.steps.map((s: { step_id: string; status: string }) => [s.step_id, s.status])).toEqual([
      ['one', 'succeeded'],
      ['two', 'failed'],
    ]);
    expect(t.body.steps[0].output.record.first_name).toBe('n3');
    expect(await footprint()).toEqual(before);
    const invalid = await k.call('POST', `/api/workflows/${made.id}/test`, { definition: { name: 'x' } });
    expect(invalid.status).toBe(422);
    expect((await k.call('POST', `/api/workflows/${made.id}/test`, { recordid: 'x' })).body.errors).toEqual([
      { field: 'recordid', message: 'is not one of record_id, input, definition' },
    ]);
  });
});
