// Drafts keep their problems (issue 16): an admin saves half-done work, sees what is wrong,
// and only publishing asks for a sound definition that fits the metadata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const blank = { name: 'Blank', trigger: { type: 'record.created', object: 'case' }, start: '', steps: [] };

describe.each(databases)('workflow drafts on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('keeps a blank workflow (a trigger, no steps) as a draft and names what publishing needs', async () => {
    const made = await k.call('POST', '/api/workflows', blank);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.draft.steps).toEqual([]);
    expect(made.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'steps' })]));
    const published = await k.call('POST', `/api/workflows/${made.body.id}/publish`);
    expect(published.status).toBe(422);
    expect(published.body.detail).toBe('The draft has problems: fix them before publishing');
    expect(published.body.errors).toEqual(made.body.problems);
    expect((await k.call('GET', `/api/workflows/${made.body.id}`)).body.active_version).toBeNull();
  });

  it('saves a draft with problems and publishes it once they are fixed', async () => {
    const id = (await k.call('POST', '/api/workflows', blank)).body.id as string;
    const half = await k.call('PATCH', `/api/workflows/${id}`, {
      start: 'u',
      steps: [{ id: 'u', type: 'update_record', config: { values: { status: '' } } }],
    });
    expect(half.status).toBe(200);
    expect(half.body.draft.steps[0].config.values).toEqual({ status: '' });
    // An empty select value is a problem naming the field, not a silent "clear".
    expect(half.body.problems).toEqual([
      expect.objectContaining({ field: 'steps.0.config.values.status', message: expect.stringMatching(/needs a value.*open/) }),
    ]);
    expect((await k.call('POST', `/api/workflows/${id}/publish`)).status).toBe(422);
    const fixed = await k.call('PATCH', `/api/workflows/${id}`, {
      steps: [{ id: 'u', type: 'update_record', config: { values: { status: 'open' } } }],
    });
    expect(fixed.body.problems).toEqual([]);
    expect((await k.call('POST', `/api/workflows/${id}/publish`)).body.version).toBe(1);
  });

  it('refuses with 422 a body the designer could not open, naming the field', async () => {
    const id = (await k.call('POST', '/api/workflows', blank)).body.id as string;
    const r = await k.call('PATCH', `/api/workflows/${id}`, { steps: [{ type: 'wait' }], trigger: 'soon' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      { field: 'trigger', message: 'must be an object with a type', keyword: 'type' },
      { field: 'steps.0', message: 'must be a step with an id and a type', keyword: 'type' },
    ]);
    expect((await k.call('POST', '/api/workflows', { ...blank, steps: 'none', extra: 1 })).body.errors).toEqual([
      { field: 'extra', message: 'is not a known keyword here', keyword: 'additionalProperties' },
      { field: 'steps', message: 'must be a list of steps', keyword: 'type' },
    ]);
  });
});
