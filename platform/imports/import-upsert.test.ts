// An import upsert writes only the fields a row provides, as a bulk upsert does: a row matching
// a record is checked as an update (no required columns), a row creating one as a create —
// on the set-based path and the single-record path, in both modes, and in preview
// (black-box report F4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { finished, upload } from '../testing/imports.ts';

describe.each(databases)('import upserts on %s', (kind) => {
  let k: TestKizuna;
  const rep: { id: string; key: string } = { id: '', key: '' };
  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
    const u = await k.call('POST', '/api/users', { email: 'rep@example.jp', name: 'rep', roles: ['sales_rep'] });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    rep.id = u.body.id;
    rep.key = (await k.call('POST', '/api/api-keys', { name: 'rep', user_id: rep.id })).body.key;
  }, 60_000);
  afterAll(async () => k?.close());

  const contact = async (body: Record<string, unknown>) => {
    const r = await k.call('POST', '/api/records/contact', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string };
  };
  const get = async (id: string) => (await k.call('GET', `/api/records/contact/${id}`)).body;
  const report = async (id: string) =>
    (await k.app.request(`/api/imports/${id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  const run = async (csv: string, mode: string, token = ADMIN_TOKEN) => {
    const up = await upload(k, csv, 'object=contact&filename=u.csv', token);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const start = await k.app.request(`/api/imports/${up.body.id}/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode, mapping: { email: 'email', title: 'title' }, upsert_on: 'email' }),
    });
    expect(start.status).toBe(202);
    return { id: up.body.id as string, status: await finished(k, up.body.id) };
  };

  for (const mode of ['partial', 'all_or_nothing']) {
    it(`updates a matched record from a row without the required columns (${mode})`, async () => {
      const email = `kizon.${mode}@example.jp`;
      const c = await contact({ last_name: '既存', email });
      const { status } = await run(`email,title\n${email},課長\n`, mode);
      expect(status).toMatchObject({ state: 'succeeded', updated: 1, rows_failed: 0 });
      expect(await get(c.id)).toMatchObject({ last_name: '既存', title: '課長' });
    });
  }

  it('still fails a row that would create a record without a required column, naming it', async () => {
    const email = 'kizon.mixed@example.jp';
    const c = await contact({ last_name: '既存', email });
    const { id, status } = await run(`email,title\n${email},部長\nshinki@example.jp,係長\n`, 'partial');
    expect(status).toMatchObject({ updated: 1, created: 0, rows_failed: 1 });
    expect((await get(c.id)).title).toBe('部長');
    expect(await report(id)).toContain('last_name: is required');
    // all_or_nothing finds it in its first pass and writes nothing.
    const all = await run(`email,title\n${email},係長\nshinki@example.jp,係長\n`, 'all_or_nothing');
    expect(all.status).toMatchObject({ state: 'failed', updated: 0, rows_failed: 1 });
    expect((await get(c.id)).title).toBe('部長');
  });

  it('updates from a partial row on the single-record path (a scoped caller)', async () => {
    const email = 'rep.own@example.jp';
    const c = await contact({ last_name: '担当', email, owner: rep.id });
    const { status } = await run(`email,title\n${email},主任\n`, 'partial', rep.key);
    expect(status).toMatchObject({ updated: 1, rows_failed: 0 });
    expect(await get(c.id)).toMatchObject({ last_name: '担当', title: '主任', owner: rep.id });
  });

  it('previews with upsert_on as the run would write: a matched row as an update', async () => {
    const email = 'preview@example.jp';
    await contact({ last_name: '既存', email });
    const up = await upload(k, `email,title\n${email},課長\nnobody@example.jp,係長\n`, 'object=contact&filename=p.csv');
    const mapping = encodeURIComponent(JSON.stringify({ email: 'email', title: 'title' }));
    const p = await k.call('GET', `/api/imports/${up.body.id}/preview?mapping=${mapping}&upsert_on=email`);
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.rows.map((r: { errors: unknown[] }) => r.errors)).toEqual([
      [],
      [expect.objectContaining({ field: 'last_name', message: 'is required' })],
    ]);
    // Without upsert_on every row is previewed as a create; a key the mapping leaves out is a 422.
    const creates = await k.call('GET', `/api/imports/${up.body.id}/preview?mapping=${mapping}`);
    expect(creates.body.rows[0].errors).toEqual([expect.objectContaining({ field: 'last_name', message: 'is required' })]);
    const unmapped = await k.call('GET', `/api/imports/${up.body.id}/preview?mapping=${mapping}&upsert_on=phone`);
    expect(unmapped.status).toBe(422);
    expect(unmapped.body.errors[0].field).toBe('upsert_on');
  });
});
