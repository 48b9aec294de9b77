// The shipped workflow templates (metadata/workflows/*.json) as the designer gets them, and a
// draft made from one.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const dir = new URL('../../metadata/workflows/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));

describe.each(databases)('workflow templates on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(() => k?.close());

  it('lists every shipped template with its key, name, description and definition', async () => {
    const r = await k.call('GET', '/api/workflows/templates');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toHaveLength(files.length);
    const urgent = r.body.data.find((x: { key: string }) => x.key === 'urgent-case');
    const file = files.find((f) => f.key === 'urgent-case');
    expect(urgent).toEqual({ key: 'urgent-case', name: file.name, description: file.description, definition: file });
    expect((await k.call('GET', '/api/workflows/templates?x=1')).body.errors[0].field).toBe('x');
  });

  it('gives definitions that save as a valid draft, disabled, as they are', async () => {
    for (const t of (await k.call('GET', '/api/workflows/templates')).body.data) {
      expect((await k.call('POST', '/api/workflows/validate', t.definition)).body, t.key).toEqual({ valid: true, errors: [] });
      const made = await k.call('POST', '/api/workflows', { ...t.definition, name: `From ${t.key}` });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect(made.body).toMatchObject({ name: `From ${t.key}`, enabled: false, active_version: null });
      expect(made.body.draft.steps).toEqual(t.definition.steps);
      expect(made.body.draft.trigger).toEqual(t.definition.trigger);
    }
  });
});
