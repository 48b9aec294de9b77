import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const template = JSON.parse(readFileSync(new URL('../../metadata/workflows/urgent-case.json', import.meta.url), 'utf8'));

describe.each(databases)('workflow definitions on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('accepts the shipped urgent-case template and versions it on publish', async () => {
    const made = await k.call('POST', '/api/workflows', template);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ name: template.name, enabled: false, active_version: null });
    expect(made.body.hook.path).toMatch(/^\/api\/workflows\/hooks\/\S+$/);
    expect((await k.call('POST', `/api/workflows/${made.body.id}/enable`)).status).toBe(409);
    const v1 = await k.call('POST', `/api/workflows/${made.body.id}/publish`);
    expect(v1.body.version).toBe(1);
    const edited = await k.call('PATCH', `/api/workflows/${made.body.id}`, { name: 'Renamed' });
    expect(edited.body).toMatchObject({ name: 'Renamed', active_version: 1 });
    expect((await k.call('POST', `/api/workflows/${made.body.id}/publish`)).body.version).toBe(2);
    const versions = await k.call('GET', `/api/workflows/${made.body.id}/versions`);
    expect(versions.body.data.map((v: { version: number; definition: { name: string } }) => [v.version, v.definition.name])).toEqual([
      [2, 'Renamed'],
      [1, template.name],
    ]);
    expect((await k.call('POST', `/api/workflows/${made.body.id}/enable`)).body.enabled).toBe(true);
    expect((await k.call('GET', '/api/workflows')).body.data).toHaveLength(1);
  });

  it('keeps a broken graph as a draft naming each problem and its keyword', async () => {
    const bad = {
      name: 'bad',
      trigger: { type: 'manual' },
      start: 'a',
      steps: [
        { id: 'a', type: 'update_record', config: { values: { status: 'open' } }, next: 'nowhere' },
        { id: 'b', type: 'wait', config: { seconds: 1 } },
        { id: 'c', type: 'create_record' },
      ],
    };
    const r = await k.call('POST', '/api/workflows', bad);
    expect(r.status).toBe(201);
    expect(r.body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'steps.2', keyword: 'required', message: 'must have "config"' })]),
    );
    const graph = await k.call('POST', '/api/workflows', { ...bad, steps: bad.steps.slice(0, 2) });
    expect(graph.status).toBe(201);
    expect(graph.body.problems).toEqual([
      { field: 'steps.0.next', message: 'names no step "nowhere"', keyword: 'next' },
      { field: 'steps.1', message: 'step "b" is unreachable from "a"', keyword: 'unreachable' },
    ]);
    const cron = await k.call('POST', '/api/workflows', {
      ...bad,
      trigger: { type: 'schedule', cron: 'not a cron', timezone: 'Asia/Tokyo' },
      steps: [bad.steps[1]],
      start: 'b',
    });
    expect(cron.body.problems).toEqual([expect.objectContaining({ field: 'trigger.cron', keyword: 'cron' })]);
  });
});
