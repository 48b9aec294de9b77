// Definitions are checked against the metadata (issue 13, item 2): at validate, save, publish
// and enable (422 naming the path), and again when the metadata changes under a published
// workflow (it is marked invalid and stops, and takes the events it missed once fixed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { publishWorkflow, settledRuns, supportTeams } from '../testing/workflows.ts';

const wf = (trigger: Record<string, unknown>, steps: Record<string, unknown>[]) => ({ name: 'fit', trigger, start: steps[0].id, steps });
const onCase = { type: 'record.created', object: 'case' };
const noop = { id: 'end', type: 'wait', config: { seconds: 0 } };

describe.each(databases)('workflow definitions against the metadata on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { workflowPollMs: 20 });
    await supportTeams(k);
  });
  afterAll(async () => {
    await k?.close();
  });

  const problemsOf = async (def: unknown) => {
    const v = await k.call('POST', '/api/workflows/validate', def);
    expect(v.status).toBe(200);
    return v.body as { valid: boolean; errors: { field: string; message: string }[] };
  };

  it.each([
    ['an unknown object', wf({ type: 'record.created', object: 'cas' }, [noop]), 'trigger.object', /no object "cas"/],
    [
      'an unknown field in a trigger condition',
      wf({ ...onCase, condition: { prioriti: 'urgent' } }, [noop]),
      'trigger.condition.prioriti',
      /prioriti/,
    ],
    [
      'an unknown field in an old. condition',
      wf({ type: 'record.updated', object: 'case', condition: { 'old.statu': 'open' } }, [noop]),
      'trigger.condition.statu',
      /statu/,
    ],
    [
      'an unknown select value in a condition',
      wf({ ...onCase, condition: { priority: { in: ['urgent', 'asap'] } } }, [noop]),
      'trigger.condition.priority',
      /"asap" is not an option of priority/,
    ],
    [
      'an integer condition beyond 32 bits',
      wf({ ...onCase, condition: { satisfaction: { gt: 1e30 } } }, [noop]),
      'trigger.condition.satisfaction.gt',
      /must be an integer from -2147483648 to 2147483647/,
    ],
    [
      'an unknown trigger field',
      wf({ type: 'record.updated', object: 'case', fields: ['status', 'stauts'] }, [noop]),
      'trigger.fields.1',
      /stauts/,
    ],
    [
      'a date trigger on a text field',
      wf({ type: 'record.date', object: 'case', field: 'subject' }, [noop]),
      'trigger.field',
      /subject is a text field/,
    ],
    [
      'an unknown field in update_record',
      wf(onCase, [{ id: 'u', type: 'update_record', config: { values: { stauts: 'open' } } }]),
      'steps.0.config.values.stauts',
      /stauts/,
    ],
    [
      'an unknown select value in update_record',
      wf(onCase, [{ id: 'u', type: 'update_record', config: { values: { status: 'done' } } }]),
      'steps.0.config.values.status',
      /"done" is not an option/,
    ],
    [
      'an unknown field in find_records',
      wf(onCase, [{ id: 'f', type: 'find_records', config: { object: 'contact', filter: { emial: 'a@example.jp' } } }]),
      'steps.0.config.filter.emial',
      /emial/,
    ],
    [
      'an unknown object in create_record',
      wf(onCase, [{ id: 'c', type: 'create_record', config: { object: 'tasks', values: {} } }]),
      'steps.0.config.object',
      /no object "tasks"/,
    ],
    ['an unknown team', wf(onCase, [{ id: 'a', type: 'assign', config: { team: 'suport' } }]), 'steps.0.config.team', /no team "suport"/],
    [
      'a template naming an unknown field',
      wf(onCase, [{ id: 'c', type: 'create_record', config: { object: 'company', values: { name: 'From {{trigger.record.subjet}}' } } }]),
      'steps.0.config.values.name',
      /\{\{trigger\.record\.subjet\}\}: case has no field "subjet"/,
    ],
    [
      'a template naming an unknown step',
      wf(onCase, [{ id: 'c', type: 'update_record', config: { values: { resolution: '{{steps.nosuch.id}}' } } }]),
      'steps.0.config.values.resolution',
      /there is no step "nosuch"/,
    ],
  ])('names %s at validate and save, and refuses to publish it, naming the path', async (_name, def, path, message) => {
    const v = await problemsOf(def);
    expect(v.valid).toBe(false);
    expect(v.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: path, message: expect.stringMatching(message) })]));
    // A draft keeps its problems (answered with it); publishing is what they stop.
    const saved = await k.call('POST', '/api/workflows', def);
    expect(saved.status).toBe(201);
    expect(saved.body.problems).toEqual(v.errors);
    const published = await k.call('POST', `/api/workflows/${saved.body.id}/publish`);
    expect(published.status).toBe(422);
    expect(published.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: path })]));
  });

  it('accepts what exists: fields, old. values, options by label, teams, templates of the run', async () => {
    const def = wf(
      {
        type: 'record.updated',
        object: 'case',
        fields: ['status'],
        condition: { status: 'resolved', 'old.status': { neq: 'resolved' }, priority: 'Urgent' },
      },
      [
        {
          id: 'find',
          type: 'find_records',
          config: { object: 'contact', filter: { email: '{{trigger.record.subject}}' }, sort: '-created_at' },
          next: 'a',
        },
        { id: 'a', type: 'assign', config: { team: 'Support' }, next: 'u' },
        {
          id: 'u',
          type: 'update_record',
          config: {
            values: {
              resolution: '{{steps.a.record.subject}} {{trigger.changes.status}} {{steps.find.count}}',
              status: '{{trigger.record.status}}',
            },
          },
        },
      ],
    );
    expect(await problemsOf(def)).toEqual({ valid: true, errors: [] });
  });

  it('refuses a cycle with no way out, and accepts one with an exit', async () => {
    const closed = wf(onCase, [
      { id: 'a', type: 'update_record', config: { values: { status: 'open' } }, next: 'b' },
      { id: 'b', type: 'condition', config: { filter: { status: 'open' } }, branches: { true: 'a', false: 'a' } },
    ]);
    const r = await k.call('POST', '/api/workflows', closed);
    expect(r.status).toBe(201);
    expect(r.body.problems).toEqual([
      expect.objectContaining({ field: 'steps.0', keyword: 'cycle', message: expect.stringContaining('"a", "b"') }),
    ]);
    const open = wf(onCase, [closed.steps[0], { ...closed.steps[1], branches: { true: 'a', false: 'end' } }, noop]);
    expect((await k.call('POST', '/api/workflows', open)).status).toBe(201);
  });

  it('marks a published workflow invalid when a team it assigns to is deleted, and ok again once the team is back', async () => {
    const team = (await k.call('POST', '/api/teams', { name: '夜間窓口' })).body.id as string;
    const id = await publishWorkflow(k, wf(onCase, [{ id: 'a', type: 'assign', config: { team: '夜間窓口' } }]));
    expect((await k.call('DELETE', `/api/teams/${team}`)).status).toBe(204);
    // No metadata change: the team's deletion alone is what the workflow is checked again for.
    await expect.poll(async () => (await k.call('GET', `/api/workflows/${id}`)).body.state).toBe('invalid');
    expect((await k.call('GET', `/api/workflows/${id}`)).body.error.errors).toEqual([
      expect.objectContaining({ field: 'steps.0.config.team' }),
    ]);
    expect((await k.call('POST', '/api/teams', { name: '夜間窓口' })).status).toBe(201);
    await expect.poll(async () => (await k.call('GET', `/api/workflows/${id}`)).body).toMatchObject({ state: 'ok', error: null });
  });

  it('marks a published workflow invalid when a field it uses is deleted, and takes the events it missed once fixed', async () => {
    const field = {
      name: 'region_code',
      type: 'select',
      label: { en: 'Region', ja: '地域' },
      options: [
        { value: 'kanto', label: { en: 'Kanto', ja: '関東' } },
        { value: 'kansai', label: { en: 'Kansai', ja: '関西' } },
      ],
    };
    expect((await k.call('POST', '/api/meta/objects/case/fields', field)).status).toBe(201);
    const id = await publishWorkflow(k, wf(onCase, [{ id: 'u', type: 'update_record', config: { values: { region_code: 'kanto' } } }]));
    const first = (await k.call('POST', '/api/records/case', { subject: '前' })).body.id;
    await settledRuns(k, id, 1);
    expect((await k.call('GET', `/api/records/case/${first}`)).body.region_code).toBe('kanto');

    expect((await k.call('DELETE', '/api/meta/objects/case/fields/region_code')).status).toBe(200);
    await expect.poll(async () => (await k.call('GET', `/api/workflows/${id}`)).body.state).toBe('invalid');
    const w = (await k.call('GET', `/api/workflows/${id}`)).body;
    expect(w.error.errors).toEqual([
      expect.objectContaining({ field: 'steps.0.config.values.region_code', message: expect.stringContaining('region_code') }),
    ]);
    expect(((await k.call('GET', '/api/workflows')).body.data as { id: string; state: string }[]).find((x) => x.id === id)!.state).toBe(
      'invalid',
    );
    // Its events are kept, not run into failures.
    const missed = (await k.call('POST', '/api/records/case', { subject: '間' })).body.id;
    expect((await k.call('POST', `/api/workflows/${id}/enable`)).status).toBe(422);
    expect((await k.call('POST', `/api/workflows/${id}/publish`)).status).toBe(422);

    // Fixed by a new version: it starts the run of the event it stopped at.
    expect(
      (
        await k.call('PATCH', `/api/workflows/${id}`, {
          steps: [{ id: 'u', type: 'update_record', config: { values: { priority: 'high' } } }],
        })
      ).status,
    ).toBe(200);
    expect((await k.call('POST', `/api/workflows/${id}/publish`)).status).toBe(200);
    expect((await k.call('GET', `/api/workflows/${id}`)).body).toMatchObject({ state: 'ok', error: null });
    const runs = await settledRuns(k, id, 2);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect((await k.call('GET', `/api/records/case/${missed}`)).body.priority).toBe('high');
  });
});
