// Before-hooks in batch form (beforeCreateBatch / beforeUpdateBatch): a single write uses the
// per-record form, else the batch form with one row; a bulk write and an import batch go to
// the batch form once (creates, and apart the matched updates with their ids) and stay on
// their path — refused rows fail alone, changed values are checked again, crashes and time
// outs are the plugin's — unless some hook has no batch form; dry runs undo what hooks write.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { count, finished, upload } from '../testing/imports.ts';
import { pluginFolderWith } from '../testing/plugins.ts';

type Call = {
  form: 'batch' | 'record';
  event: 'create' | 'update';
  rows: { index: number; id?: string; name: string }[];
  earlier?: { index: number; id: string; name: string }[];
};

describe.each(databases)('batch before-hooks on %s', (kind) => {
  let k: TestKizuna;
  let dir: string;
  beforeAll(async () => {
    dir = await pluginFolderWith('batch_probe');
    k = await startKizuna(kind, { pluginDirs: [dir], jobPollMs: 50, hookTimeoutMs: 1000 });
    expect((await k.call('POST', '/api/plugins/batch_probe/install')).status).toBe(201);
  });
  afterAll(async () => {
    await k?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await form('batch');
    await k.call('POST', '/api/plugins/batch_probe/calls/reset');
  });

  const form = async (f: string) => expect((await k.call('PUT', '/api/plugins/batch_probe/settings', { form: f })).status).toBe(200);
  const calls = async (): Promise<Call[]> => (await k.call('GET', '/api/plugins/batch_probe/calls')).body;
  const item = async (id: string) => (await k.call('GET', `/api/records/probe_item/${id}`)).body;
  const byCode = async (code: string) =>
    (await k.call('GET', `/api/records/probe_item?filter=${encodeURIComponent(JSON.stringify({ code }))}`)).body.data;
  const importCsv = async (csv: string, options: Record<string, unknown> = {}) => {
    const up = await upload(k, csv, 'object=probe_item&filename=p.csv');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const start = await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', ...options });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    return { id: up.body.id as string, status: await finished(k, up.body.id) };
  };
  const report = async (id: string) =>
    (await k.app.request(`/api/imports/${id}/errors`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();

  it("runs the batch form with one row for a single write without a per-record form; its refusal is the write's problem", async () => {
    const created = await k.call('POST', '/api/records/probe_item', { name: 'one' });
    expect(created.status).toBe(201);
    expect(created.body.mark).toBe('batch:create');
    const changed = await k.call('PATCH', `/api/records/probe_item/${created.body.id}`, { name: 'two' });
    expect(changed.body.mark).toBe('batch:update');
    expect(await calls()).toEqual([
      { form: 'batch', event: 'create', rows: [{ index: 0, name: 'one' }] },
      { form: 'batch', event: 'update', rows: [{ index: 0, id: created.body.id, name: 'two' }] },
    ]);
    const refused = await k.call('POST', '/api/records/probe_item', { name: 'refuse' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ errors: [{ field: 'name', message: 'is refused' }], matches: [{ id: 'm-1' }] });
    const bad = await k.call('POST', '/api/records/probe_item', { name: 'bad' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('count');
  });

  it('prefers the per-record form for a single write when a plugin has both', async () => {
    await form('both');
    expect((await k.call('POST', '/api/records/probe_item', { name: 'single' })).body.mark).toBe('record:create');
  });

  it('gives a bulk write to the batch form once; refused rows fail alone (partial) or are all reported (all or nothing)', async () => {
    const r = await k.call('POST', '/api/records/probe_item/bulk', {
      records: [{ name: 'a' }, { name: 'refuse' }, { name: 'bad' }, { name: 'b' }],
      partial: true,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 2, failed: 2 });
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        index: 1,
        status: 409,
        errors: [{ field: 'name', message: 'is refused' }],
        matches: [{ id: 'm-1', display: 'Match' }],
      }),
      expect.objectContaining({ index: 2, status: 422, errors: [expect.objectContaining({ field: 'count' })] }),
    ]);
    expect((await item(r.body.records[0].id)).mark).toBe('batch:create');
    expect((await calls()).map((c) => c.rows.length)).toEqual([4]);

    const before = await count(k, 'probe_item');
    const all = await k.call('POST', '/api/records/probe_item/bulk', { records: [{ name: 'refuse' }, { name: 'c' }, { name: 'refuse' }] });
    expect(all.status).toBe(409);
    expect(all.body.rows.map((x: { index: number }) => x.index)).toEqual([0, 2]);
    expect(await count(k, 'probe_item')).toBe(before);
  });

  it('gives a bulk upsert its creates and its matched updates (with their ids) in separate calls', async () => {
    const existing = (await k.call('POST', '/api/records/probe_item', { name: 'old', code: 'E1' })).body.id;
    await k.call('POST', '/api/plugins/batch_probe/calls/reset');
    const r = await k.call('POST', '/api/records/probe_item/bulk', {
      records: [
        { code: 'E1', name: 'renamed' },
        { code: 'N1', name: 'new' },
        { code: 'N1', name: 'again' },
      ],
      upsert_on: 'code',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ created: 1, updated: 2, failed: 0 });
    const created = (await byCode('N1'))[0];
    expect(await calls()).toEqual([
      { form: 'batch', event: 'update', rows: [{ index: 0, id: existing, name: 'renamed' }] },
      { form: 'batch', event: 'create', rows: [{ index: 1, name: 'new' }] },
      // The key's second row updates what its first created: record by record, after it.
      { form: 'batch', event: 'update', rows: [{ index: 0, id: created.id, name: 'again' }] },
    ]);
    expect(await item(existing)).toMatchObject({ name: 'renamed', mark: 'batch:update' });
    expect(created).toMatchObject({ name: 'again', mark: 'batch:update' });
  });

  it('keeps an import batch on the set-based path: one call, refused and re-checked rows are row errors', async () => {
    const { id, status } = await importCsv('name,code\nfirst,I1\nrefuse,I2\nbad,I3\nsecond,I4\nstray,I5\ndrop,I6\n');
    expect(status).toMatchObject({ state: 'succeeded', created: 2, rows_failed: 4 });
    expect(await calls()).toEqual([
      {
        form: 'batch',
        event: 'create',
        rows: ['first', 'refuse', 'bad', 'second', 'stray', 'drop'].map((name, i) => ({ index: i + 1, name })),
      },
    ]);
    expect((await byCode('I1'))[0].mark).toBe('batch:create');
    const errors = await report(id);
    expect(errors).toMatch(/refuse,I2,name: is refused/);
    // What a hook set is checked (alone), and a field it removed puts the whole row in question.
    expect(errors).toMatch(/bad,I3,count: /);
    expect(errors).toMatch(/stray,I5,stray: is not a field of probe_item/);
    expect(errors).toMatch(/drop,I6,name: is required/);
  });

  it('gives an import upsert its matched updates with ids and its creates apart', async () => {
    const existing = (await k.call('POST', '/api/records/probe_item', { name: 'old', code: 'U1' })).body.id;
    await k.call('POST', '/api/plugins/batch_probe/calls/reset');
    const { status } = await importCsv('name,code\nrenamed,U1\nnew,U2\n', { upsert_on: 'code' });
    expect(status).toMatchObject({ state: 'succeeded', created: 1, updated: 1 });
    expect(await calls()).toEqual([
      { form: 'batch', event: 'update', rows: [{ index: 1, id: existing, name: 'renamed' }] },
      { form: 'batch', event: 'create', rows: [{ index: 2, name: 'new' }] },
    ]);
    expect(await item(existing)).toMatchObject({ name: 'renamed', mark: 'batch:update' });
  });

  it("runs the batch hooks in previews and all_or_nothing's first pass, undoing what they write", async () => {
    const logs = await count(k, 'probe_log');
    const up = await upload(k, 'name,code\nlog,P1\nrefuse,P2\n', 'object=probe_item&filename=p.csv');
    const preview = await k.call('GET', `/api/imports/${up.body.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.rows.map((r: { errors: unknown[] }) => r.errors)).toEqual([[], [{ field: 'name', message: 'is refused' }]]);
    expect(await count(k, 'probe_log')).toBe(logs);

    const failed = await importCsv('name,code\nlog,P3\nrefuse,P4\n', { mode: 'all_or_nothing' });
    expect(failed.status).toMatchObject({ state: 'failed', rows_failed: 1 });
    expect(await count(k, 'probe_log')).toBe(logs);
    expect(await byCode('P3')).toEqual([]);

    const ok = await importCsv('name,code\nlog,P5\n', { mode: 'all_or_nothing' });
    expect(ok.status).toMatchObject({ state: 'succeeded', created: 1 });
    // Pass 1 ran the hook too, and what it wrote was undone: one log, from pass 2.
    expect(await count(k, 'probe_log')).toBe(logs + 1);
  });

  it('goes record by record when a hook has no batch form (per-record plugins as before)', async () => {
    await form('record');
    const { status } = await importCsv('name\nr1\nr2\n');
    expect(status).toMatchObject({ state: 'succeeded', created: 2 });
    expect((await calls()).map((c) => [c.form, c.rows.length])).toEqual([
      ['record', 1],
      ['record', 1],
    ]);

    // A batch form for creates but not for updates: upserts go record by record (creates through the batch form, one row each).
    await form('mixed');
    await k.call('POST', '/api/plugins/batch_probe/calls/reset');
    const bulk = await k.call('POST', '/api/records/probe_item/bulk', {
      records: [
        { code: 'M1', name: 'm1' },
        { code: 'M2', name: 'm2' },
      ],
      upsert_on: 'code',
    });
    expect(bulk.body).toMatchObject({ created: 2 });
    expect((await calls()).map((c) => [c.form, c.event, c.rows.length])).toEqual([
      ['batch', 'create', 1],
      ['batch', 'create', 1],
    ]);
  });

  it('gives concurrent hooks the rows of the batches in flight before them (PostgreSQL: up to three at once), with the ids they get', async () => {
    await form('concurrent');
    const rows = Array.from({ length: 4500 }, (_, i) => `c${i + 1},C${i + 1}`);
    const { status } = await importCsv(`name,code\n${rows.join('\n')}\n`);
    expect(status).toMatchObject({ state: 'succeeded', created: 4500 });
    const made = await calls();
    expect(made.map((c) => [c.event, c.rows.length])).toEqual([
      ['create', 2000],
      ['create', 2000],
      ['create', 500],
    ]);
    if (kind === 'pglite') {
      // One connection: batches one at a time, each finds what the one before committed.
      expect(made.every((c) => c.earlier === undefined)).toBe(true);
      return;
    }
    // Up to three batches in flight: each gets the rows of the two before it.
    expect(made[0].earlier).toEqual([]);
    for (const [n, call] of made.entries()) {
      const before = made.slice(Math.max(0, n - 2), n).flatMap((c) => c.rows);
      expect(call.earlier!.map((r) => r.index)).toEqual(before.map((r) => r.index));
      expect(call.earlier!.map((r) => r.name)).toEqual(before.map((r) => r.name));
    }
    // The ids are those the records got.
    for (const r of [made[1].earlier![0], made[1].earlier![1999], made[2].earlier![2007]])
      expect((await byCode(`C${r.index}`))[0].id).toBe(r.id);

    // A batch that fails (a crash in its hook) fails the import; the batch after it does not wait forever.
    await k.call('POST', '/api/plugins/batch_probe/calls/reset');
    const crashing = rows.slice(0, 4500).map((r, i) => (i === 2100 ? 'crash,X1' : r.replace(/^c/, 'd').replace(',C', ',D')));
    const failed = await importCsv(`name,code\n${crashing.join('\n')}\n`);
    expect(failed.status.state).toBe('failed');
    expect(failed.status.error).toMatch(/batch_probe/);
  });

  it('fails the batch with 500 plugin-error naming the plugin when a batch hook crashes, 503 when it runs out of time', async () => {
    const before = await count(k, 'probe_item');
    const crash = await k.call('POST', '/api/records/probe_item/bulk', { records: [{ name: 'fine' }, { name: 'crash' }], partial: true });
    expect(crash.status).toBe(500);
    expect(crash.body).toMatchObject({
      type: expect.stringContaining('plugin-error'),
      plugin: 'batch_probe',
      detail: expect.stringContaining('a batch of 2 creates of probe_item'),
    });
    const hang = await k.call('POST', '/api/records/probe_item/bulk', { records: [{ name: 'hang' }] });
    expect(hang.status).toBe(503);
    expect(hang.body).toMatchObject({ type: expect.stringContaining('plugin-timeout'), plugin: 'batch_probe' });
    const imported = await importCsv('name\nfine\ncrash\n');
    expect(imported.status.state).toBe('failed');
    expect(imported.status.error).toMatch(/batch_probe/);
    expect(await count(k, 'probe_item')).toBe(before);
  });
});
