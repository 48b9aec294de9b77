// The set-based import write path: values of every field type land as a single create would
// write them, with the same history and outbox shapes, and unique values and relation targets
// are enforced per row (inside the batch and against live records).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

describe.each(databases)('bulk import writes on %s', (kind) => {
  let k: TestKizuna;
  let actor: { actor: string; requestId: string };
  beforeAll(async () => {
    k = await startKizuna(kind);
    const add = await k.call('POST', '/api/meta/objects', {
      name: 'gadget',
      label: { en: 'Gadget', ja: 'ガジェット' },
      plural: 'gadgets',
      fields: [
        { name: 'code', type: 'text', label: { en: 'Code', ja: 'コード' }, unique: true, required: true },
        { name: 'seq', type: 'autonumber', label: { en: 'No', ja: '番号' }, format: 'G-{0000}' },
        { name: 'score', type: 'integer', label: { en: 'Score', ja: 'スコア' } },
        { name: 'price', type: 'currency', label: { en: 'Price', ja: '価格' }, currency: 'JPY' },
        { name: 'due', type: 'date', label: { en: 'Due', ja: '期日' } },
        { name: 'at', type: 'datetime', label: { en: 'At', ja: '日時' } },
        { name: 'ok', type: 'boolean', label: { en: 'OK', ja: 'OK' } },
        {
          name: 'size',
          type: 'select',
          label: { en: 'Size', ja: 'サイズ' },
          options: [
            { value: 's', label: { en: 'S', ja: '小' } },
            { value: 'l', label: { en: 'L', ja: '大' } },
          ],
        },
        {
          name: 'tags',
          type: 'multi_select',
          label: { en: 'Tags', ja: 'タグ' },
          options: [
            { value: 'a', label: { en: 'A', ja: 'A' } },
            { value: 'b', label: { en: 'B', ja: 'B' } },
          ],
        },
        { name: 'data', type: 'json', label: { en: 'Data', ja: 'データ' } },
        { name: 'company', type: 'relation', target: 'company', label: { en: 'Company', ja: '会社' } },
      ],
    });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    const [me] = await k.db.query<{ id: string }>(sql`select id::text as id from kizuna_users order by created_at limit 1`);
    actor = { actor: me.id, requestId: 'bulk-test' };
  }, 60_000);
  afterAll(async () => k?.close());

  const run = (rows: Record<string, unknown>[], first = 1) =>
    k.db.transaction((tx) =>
      k.records.importBatch(
        tx,
        'gadget',
        rows.map((input, i) => ({ index: first + i, input })),
        actor,
      ),
    );

  it('writes every field type as a single create does, with history and an event per record', async () => {
    const company = (await k.call('POST', '/api/records/company', { name: '絆商事' })).body;
    const values = {
      score: 7,
      price: { amount: '1200.50', currency: 'USD' },
      due: '2026-01-05',
      at: '2026-01-05T09:30:00+09:00',
      ok: true,
      size: 'l',
      tags: ['a', 'b'],
      data: { x: [1, 'y'] },
      company: company.id,
    };
    const single = (await k.call('POST', '/api/records/gadget', { code: 'single', ...values })).body;
    const r = await run([{ code: 'bulk', ...values }, { code: 'bare' }]);
    expect(r.failed).toEqual([]);
    expect(r.written.map((w) => w.action)).toEqual(['created', 'created']);
    const bulk = (await k.call('GET', `/api/records/gadget/${r.written[0].id}`)).body;
    const strip = (o: Record<string, unknown>) => {
      const { id: _i, code: _c, seq, created_at: _ca, updated_at: _ua, ...rest } = o;
      return { ...rest, seq: typeof seq === 'string' && /^G-\d{4}$/.test(seq) };
    };
    expect(strip(bulk)).toEqual(strip(single));
    const bare = (await k.call('GET', `/api/records/gadget/${r.written[1].id}`)).body;
    expect(bare).toMatchObject({ code: 'bare', score: null, tags: null, data: null, price: null });
    // The history and the outbox see the import exactly as an API create.
    const tl = (id: string) => k.call('GET', `/api/records/gadget/${id}/timeline`).then((x) => x.body.data);
    const [hs, hb] = [await tl(single.id), await tl(bulk.id)];
    expect(hb).toHaveLength(1);
    expect({ ...hb[0], id: 0, at: 0, request_id: 0, changes: { ...hb[0].changes, code: 0 } }).toEqual({
      ...hs[0],
      id: 0,
      at: 0,
      request_id: 0,
      changes: { ...hs[0].changes, code: 0 },
    });
    const events = await k.db.query<{ record_id: string; topic: string; payload: unknown }>(
      sql`select record_id::text as record_id, topic, payload from kizuna_events where object = 'gadget' and topic = 'record.created' order by id`,
    );
    const ev = (id: string) => {
      const e = events.find((x) => x.record_id === id)!;
      const p = typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload;
      return { ...e, record_id: 0, payload: { ...p, id: p.id === id } };
    };
    expect(ev(bulk.id)).toEqual(ev(single.id));
  });

  it('refuses unique values taken in the batch or by live records, and missing targets, per row', async () => {
    await k.call('POST', '/api/records/gadget', { code: 'taken' });
    const gone = '01234567-89ab-7def-8123-456789abcdef';
    const r = await run([{ code: 'u1' }, { code: 'taken' }, { code: 'u1' }, { code: 'u2', company: gone }, { code: 'u3' }], 101);
    expect(r.written.map((w) => w.index)).toEqual([101, 105]);
    const reasons = Object.fromEntries(r.failed.map((f) => [f.index, { status: f.problem.status, errors: f.problem.errors }]));
    expect(reasons).toEqual({
      102: { status: 409, errors: [{ field: 'code', message: 'is already used by another record' }] },
      103: { status: 409, errors: [{ field: 'code', message: 'is already used by an earlier row of this import' }] },
      104: { status: 422, errors: [{ field: 'company', message: `no company record with id ${gone}`, keyword: 'reference' }] },
    });
    const [n] = await k.db.query<{ n: number; h: number }>(sql`select count(*)::int as n,
      (select count(*)::int from kizuna_history where object = 'gadget' and request_id = 'bulk-test' and record_id in (select id from gadget where code like 'u%')) as h
      from gadget where code like 'u%'`);
    expect(n).toEqual({ n: 2, h: 2 });
  });

  it('reports the same per-row reasons in a dry run, writing nothing', async () => {
    await k.call('POST', '/api/records/gadget', { code: 'dry-taken' });
    const [before] = await k.db.query<{ n: number }>(sql`select count(*)::int as n from gadget`);
    const r = await k.db.transaction((tx) =>
      k.records.importBatch(
        tx,
        'gadget',
        [{ code: 'dry-taken' }, { code: 'd1' }, { code: 'd1' }].map((input, i) => ({ index: 301 + i, input })),
        actor,
        { dryRun: true },
      ),
    );
    expect(r.written).toEqual([]);
    expect(r.failed.map((f) => [f.index, f.problem.errors?.[0]?.message])).toEqual([
      [301, 'is already used by another record'],
      [303, 'is already used by an earlier row of this import'],
    ]);
    const [after] = await k.db.query<{ n: number }>(sql`select count(*)::int as n from gadget`);
    expect(after.n).toBe(before.n);
  });

  it('keeps tabs, newlines, backslashes and Japanese text as they are, in the record and its history', async () => {
    // Characters that are syntax in CSV, COPY and JSON text, through the whole import write path.
    const tricky = ['a\tb', 'line1\nline2\r\nline3', 'C:\\temp\\new', '\\N', '\\', '"quoted", 髙橋 🍣', ''];
    const r = await run(
      tricky.map((t, n) => ({ code: `esc-${n}-${t}`, data: { t, nested: [t, { t }] } })),
      401,
    );
    expect(r.failed).toEqual([]);
    for (const [n, w] of r.written.entries()) {
      const got = (await k.call('GET', `/api/records/gadget/${w.id}`)).body;
      expect(got.code).toBe(`esc-${n}-${tricky[n]}`);
      expect(got.data).toEqual({ t: tricky[n], nested: [tricky[n], { t: tricky[n] }] });
      const [h] = (await k.call('GET', `/api/records/gadget/${w.id}/timeline`)).body.data;
      expect(h.changes).toMatchObject({ code: got.code, data: got.data });
    }
    // A json field holding a bare string or number stages as that JSON value, not as text.
    const scalars = await run(
      [
        { code: 'esc-str', data: 'a\\b\n' },
        { code: 'esc-num', data: 12.5 },
      ],
      451,
    );
    expect(scalars.failed).toEqual([]);
    const [str, num] = await Promise.all(scalars.written.map((w) => k.call('GET', `/api/records/gadget/${w.id}`).then((x) => x.body.data)));
    expect([str, num]).toEqual(['a\\b\n', 12.5]);
  });

  it('lets a unique value of a deleted record be reused, as a single create does', async () => {
    const old = (await k.call('POST', '/api/records/gadget', { code: 'reuse' })).body;
    await k.call('DELETE', `/api/records/gadget/${old.id}`);
    const r = await run([{ code: 'reuse' }], 201);
    expect(r.failed).toEqual([]);
  });
});

describe.each(databases)('bulk upserts on %s', (kind) => {
  let k: TestKizuna;
  let actor: { actor: string; requestId: string };
  beforeAll(async () => {
    k = await startKizuna(kind);
    const [me] = await k.db.query<{ id: string }>(sql`select id::text as id from kizuna_users order by created_at limit 1`);
    actor = { actor: me.id, requestId: 'bulk-upsert-test' };
  }, 60_000);
  afterAll(async () => k?.close());

  it('updates matched records set-based exactly as single updates would, creates the rest, and keeps the file order for a repeated key', async () => {
    const a = (
      await k.call('POST', '/api/records/contact', { last_name: 'A', first_name: 'Old', email: 'a@example.jp', phone: '03-1111-2222' })
    ).body;
    const b = (await k.call('POST', '/api/records/contact', { last_name: 'B', email: 'b@example.jp' })).body;
    await k.call('POST', '/api/records/contact', { last_name: 'Twin1', email: 'twin@example.jp' });
    await k.call('POST', '/api/records/contact', { last_name: 'Twin2', email: 'TWIN@example.jp' });
    const rows = [
      { last_name: 'A', first_name: 'New', email: ' A@Example.jp ' }, // matches a (case, spaces); phone not given: kept
      { last_name: 'B', email: 'b@example.jp' }, // nothing changes
      { last_name: 'C', email: 'c@example.jp', tags: ['vip'] }, // new
      { last_name: 'C2', email: 'c@example.jp' }, // the same key again: updates the record row 3 created
      { last_name: 'T', email: 'twin@example.jp' }, // two records match
      { last_name: 'NoKey' }, // no email to match on
      { last_name: 'C3', email: 'C@example.jp' }, // a third time: a third round, after row 4
    ];
    const r = await k.db.transaction((tx) =>
      k.records.importBatch(
        tx,
        'contact',
        rows.map((input, i) => ({ index: i + 1, input })),
        actor,
        { upsertOn: ['email'] },
      ),
    );
    expect(r.written.sort((x, y) => x.index - y.index).map((w) => [w.index, w.action])).toEqual([
      [1, 'updated'],
      [2, 'unchanged'],
      [3, 'created'],
      [4, 'updated'],
      [7, 'updated'],
    ]);
    expect(r.failed.sort((x, y) => x.index - y.index).map((f) => [f.index, f.problem.status, f.problem.errors?.[0]?.message])).toEqual([
      [5, 409, 'matches several records'],
      [6, 422, 'is needed to match an existing record (upsert_on)'],
    ]);
    const got = (await k.call('GET', `/api/records/contact/${a.id}`)).body;
    // As a single upsert does, the matched record takes the file's spelling of the email.
    expect(got).toMatchObject({ first_name: 'New', phone: '03-1111-2222', email: 'A@Example.jp', version: 2 });
    expect((await k.call('GET', `/api/records/contact/${b.id}`)).body.version).toBe(1);
    const c = (await k.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ email: 'c@example.jp' }))}`)).body
      .data;
    expect(c).toEqual([]); // the third row's spelling won: C@example.jp
    const c3 = (await k.call('GET', `/api/records/contact?filter=${encodeURIComponent(JSON.stringify({ last_name: 'C3' }))}`)).body.data;
    expect(c3).toEqual([expect.objectContaining({ email: 'C@example.jp', tags: ['vip'], version: 3 })]);
    // The history entry is the one a single update writes: only what changed, from and to.
    const tl = (await k.call('GET', `/api/records/contact/${a.id}/timeline`)).body.data;
    expect(tl[0]).toMatchObject({
      action: 'update',
      version: 2,
      request_id: 'bulk-upsert-test',
      changes: { first_name: { from: 'Old', to: 'New' }, email: { from: 'a@example.jp', to: 'A@Example.jp' } },
    });
    expect(Object.keys(tl[0].changes).sort()).toEqual(['email', 'first_name']);
    const single = (await k.call('PATCH', `/api/records/contact/${b.id}`, { first_name: 'Single' })).body;
    const [ev] = await k.db.query<{ n: number; topics: string }>(
      sql`select count(*)::int as n, string_agg(distinct topic, ',') as topics from kizuna_events where record_id = ${a.id}::uuid and topic = 'record.updated'`,
    );
    expect(ev).toEqual({ n: 1, topics: 'record.updated' });
    expect(single.version).toBe(2);
  });
});
