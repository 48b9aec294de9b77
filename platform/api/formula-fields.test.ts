// Formula fields through the API: declared as metadata, stored as generated columns (or read
// through the clock), listed, filtered, sorted and exported like any field, never written.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, upload } from '../testing/imports.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const label = (en: string, ja = en) => ({ en, ja });
const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const deal = {
  name: 'deal',
  label: label('Deal', '商談'),
  plural: 'deals',
  fields: [
    { name: 'title', type: 'text', label: label('Title', '件名') },
    { name: 'qty', type: 'integer', label: label('Quantity', '数量') },
    { name: 'unit_price', type: 'currency', currency: 'JPY', label: label('Unit price', '単価') },
    { name: 'closes_on', type: 'date', label: label('Closes on', '完了予定日') },
    // Declared before the fields it reads, and reading another formula: both must work.
    { name: 'with_tax', type: 'formula', formula: 'round(total * 1.1)', indexed: true, label: label('With tax', '税込') },
    { name: 'total', type: 'formula', formula: 'qty * unit_price', label: label('Total', '合計') },
    { name: 'heading', type: 'formula', formula: "concat(title, '（', qty, '個）')", label: label('Heading', '見出し') },
    { name: 'days_left', type: 'formula', formula: 'days_between(today(), closes_on)', label: label('Days left', '残日数') },
  ],
};

describe.each(databases)('formula fields on %s', (kind) => {
  let k: TestKizuna;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    k = await startKizuna(kind, { jobPollMs: 50 });
    const created = await k.call('POST', '/api/meta/objects', deal);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const [title, qty, price, days] of [
      ['りんご', 3, '120', 10],
      ['Bob\'s "pears"', 10, '80', -2],
      ['空', null, null, null],
    ] as const) {
      const closes = days === null ? null : new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
      const r = await k.call('POST', '/api/records/deal', { title, qty, unit_price: price, closes_on: closes });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids[title] = r.body.id;
    }
  });
  afterAll(() => k?.close());

  it('infers and stores each formula’s result type, and marks it read-only in the definition', async () => {
    const r = await k.call('GET', '/api/meta/objects/deal');
    const props = r.body.properties;
    expect(props.total['x-kizuna']).toMatchObject({ type: 'formula', formula: 'qty * unit_price', result_type: 'number' });
    expect(props.heading['x-kizuna'].result_type).toBe('text');
    expect(props.days_left['x-kizuna'].result_type).toBe('number');
    expect(props.total).toMatchObject({ readOnly: true, type: ['number', 'null'] });
    expect(props.heading).toMatchObject({ readOnly: true, type: ['string', 'null'] });
    expect(props.heading.maxLength).toBeUndefined();
    expect(r.body['x-kizuna-access']?.read_only ?? []).toEqual(expect.arrayContaining(['total', 'heading', 'with_tax', 'days_left']));
  });

  it('stores a formula over the row as a generated column with an index when asked, and a clock formula as no column', async () => {
    const cols = await k.db.query<{ column_name: string; is_generated: string }>(
      sql`select column_name, is_generated from information_schema.columns where table_schema = current_schema() and table_name = 'deal'`,
    );
    const gen = Object.fromEntries(cols.map((c) => [c.column_name, c.is_generated]));
    expect(gen).toMatchObject({ total: 'ALWAYS', with_tax: 'ALWAYS', heading: 'ALWAYS' });
    expect(gen.days_left).toBeUndefined();
    const idx = await k.db.query<{ indexdef: string }>(
      sql`select indexdef from pg_indexes where schemaname = current_schema() and tablename = 'deal' and indexdef like '%with_tax%'`,
    );
    expect(idx).toHaveLength(1);
  });

  it('returns computed values on create and read, Japanese and quotes included', async () => {
    const r = await k.call('GET', `/api/records/deal/${ids['りんご']}`);
    expect(r.body).toMatchObject({ total: 360, with_tax: 396, heading: 'りんご（3個）', days_left: 10 });
    const b = await k.call('GET', `/api/records/deal/${ids['Bob\'s "pears"']}`);
    expect(b.body).toMatchObject({ total: 800, with_tax: 880, heading: 'Bob\'s "pears"（10個）', days_left: -2 });
    const e = await k.call('GET', `/api/records/deal/${ids['空']}`);
    expect(e.body).toMatchObject({ total: null, with_tax: null, heading: '空（個）', days_left: null });
  });

  it('recomputes on update', async () => {
    const r = await k.call('PATCH', `/api/records/deal/${ids['空']}`, { qty: 2, unit_price: '50' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ total: 100, with_tax: 110, heading: '空（2個）' });
  });

  it('filters and sorts by stored and clock formulas like any field', async () => {
    const byTotal = await k.call('GET', `/api/records/deal?sort=-total&fields=title,total`);
    expect(byTotal.body.data.map((d: { title: string }) => d.title)).toEqual(['Bob\'s "pears"', 'りんご', '空']);
    const big = await k.call('GET', `/api/records/deal?filter=${enc({ with_tax: { gte: 396 } })}&sort=with_tax`);
    expect(big.status, JSON.stringify(big.body)).toBe(200);
    expect(big.body.data.map((d: { with_tax: number }) => d.with_tax)).toEqual([396, 880]);
    const late = await k.call('GET', `/api/records/deal?filter=${enc({ days_left: { lt: 0 } })}`);
    expect(late.body.data.map((d: { title: string }) => d.title)).toEqual(['Bob\'s "pears"']);
    const soon = await k.call('GET', `/api/records/deal?sort=days_left&filter=${enc({ days_left: { is_null: false } })}`);
    expect(soon.body.data.map((d: { days_left: number }) => d.days_left)).toEqual([-2, 10]);
    const text = await k.call('GET', `/api/records/deal?filter=${enc({ heading: { contains: '（3個）' } })}`);
    expect(text.body.data.map((d: { title: string }) => d.title)).toEqual(['りんご']);
  });

  it('sums a number formula over the list, stored or read-time', async () => {
    const r = await k.call('GET', `/api/records/deal?sum=total,days_left&filter=${enc({ qty: { gte: 3 } })}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.page.sums).toEqual({ total: [{ amount: '1160', currency: null }], days_left: [{ amount: '8', currency: null }] });
  });

  it('pages through a sort on a clock formula with a cursor', async () => {
    const first = await k.call('GET', `/api/records/deal?sort=days_left&limit=1`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const next = await k.call('GET', `/api/records/deal?sort=days_left&limit=1&cursor=${first.body.page.next_cursor}`);
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect([first.body.data[0].days_left, next.body.data[0].days_left]).toEqual([-2, 10]);
  });

  it('exports formula values as columns', async () => {
    const r = await k.app.request('/api/records/deal/export?format=csv&header=api&sort=title', {
      headers: { authorization: 'Bearer kz_test_admin_token_0123456789' },
    });
    expect(r.status).toBe(200);
    const csv = await r.text();
    expect(csv.split(/\r?\n/)[0]).toContain('total');
    expect(csv).toContain('りんご（3個）');
  });

  it('imports compute formulas set-based and leave a formula column of the file unmapped (mapping it is a 422)', async () => {
    const file = 'title,qty,unit_price,total\nみかん,4,25,999\nぶどう,1,300,1\n';
    const up = await upload(k, file, 'object=deal&filename=deals.csv');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.suggested_mapping).toEqual({ title: 'title', qty: 'qty', unit_price: 'unit_price', total: null });
    const mapped = await k.call('POST', `/api/imports/${up.body.id}/start`, {
      mode: 'partial',
      mapping: { title: 'title', qty: 'qty', unit_price: 'unit_price', total: 'total' },
    });
    expect(mapped.status).toBe(422);
    expect(mapped.body.errors).toEqual([
      expect.objectContaining({ field: 'mapping.total', message: expect.stringContaining('not an importable field') }),
    ]);
    const started = await k.call('POST', `/api/imports/${up.body.id}/start`, { mode: 'partial', mapping: up.body.suggested_mapping });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(await finished(k, up.body.id)).toMatchObject({ state: 'succeeded', created: 2 });
    const got = await k.call('GET', `/api/records/deal?filter=${enc({ title: { in: ['みかん', 'ぶどう'] } })}&sort=title`);
    expect(got.body.data.map((d: { title: string; total: number; with_tax: number }) => [d.title, d.total, d.with_tax])).toEqual([
      ['ぶどう', 300, 330],
      ['みかん', 100, 110],
    ]);
    for (const d of got.body.data) expect((await k.call('DELETE', `/api/records/deal/${d.id}`)).status).toBe(204);
  });

  it('hides a formula from a caller who may not see a field it reads, directly or through another formula', async () => {
    const role = await k.call('POST', '/api/roles', {
      name: 'deal_reader',
      label: label('Deal reader', '商談の閲覧者'),
      objects: { deal: { read: 'all', create: 'none', update: 'none', delete: 'none', fields: { unit_price: 'hidden' } } },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const user = await k.call('POST', '/api/users', { email: 'deal-reader@example.jp', name: 'Reader', roles: ['deal_reader'] });
    const key = (await k.call('POST', '/api/api-keys', { name: 'deal-reader', user_id: user.body.id })).body.key;
    const as = (path: string) => k.call('GET', path, undefined, { authorization: `Bearer ${key}` });
    const one = await as(`/api/records/deal/${ids['りんご']}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ heading: 'りんご（3個）', qty: 3 });
    expect(Object.keys(one.body)).not.toEqual(expect.arrayContaining(['unit_price']));
    expect(one.body.total).toBeUndefined();
    expect(one.body.with_tax).toBeUndefined();
    const filtered = await as(`/api/records/deal?filter=${enc({ with_tax: { gte: 0 } })}`);
    expect(filtered.status).toBe(403);
    const def = await as('/api/meta/objects/deal');
    expect(Object.keys(def.body.properties)).not.toContain('total');
    expect(Object.keys(def.body.properties)).toContain('heading');
  });

  it('refuses a write that sets a formula field with 422 naming it', async () => {
    const r = await k.call('POST', '/api/records/deal', { title: 'x', total: 5 });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'total', keyword: 'read_only' })]);
    const u = await k.call('PATCH', `/api/records/deal/${ids['りんご']}`, { heading: 'x' });
    expect(u.status).toBe(422);
    expect(u.body.errors[0]).toMatchObject({ field: 'heading' });
  });

  it('refuses a formula that does not type-check, naming the token and its position', async () => {
    const bad = (formula: string) =>
      k.call('POST', '/api/meta/objects/deal/fields', { name: 'bad', type: 'formula', formula, label: label('Bad') });
    const unknown = await bad('qty * unit_prise');
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'fields.8.formula', token: 'unit_prise', position: 6, keyword: 'unknown_field' }),
    ]);
    const type = await bad('title + 1');
    expect(type.body.errors[0]).toMatchObject({ token: '+', keyword: 'type' });
    const path = await bad('owner.name');
    expect(path.status).toBe(422);
    expect(path.body.errors[0]).toMatchObject({ keyword: 'path_not_supported' });
    const cyc = await k.call('PATCH', '/api/meta/objects/deal/fields/total', { formula: 'with_tax / 1.1' });
    expect(cyc.status).toBe(422);
    expect(cyc.body.errors[0]).toMatchObject({ keyword: 'cycle' });
    const clockIndexed = await k.call('PATCH', '/api/meta/objects/deal/fields/days_left', { indexed: true });
    expect(clockIndexed.status).toBe(422);
    expect(clockIndexed.body.errors[0]).toMatchObject({ field: 'fields.7.indexed', keyword: 'volatile' });
    const wrongType = await k.call('POST', '/api/meta/objects/deal/fields', {
      name: 'bad',
      type: 'formula',
      formula: 'qty',
      result_type: 'text',
      label: label('Bad'),
    });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors[0]).toMatchObject({ field: 'fields.8.result_type' });
  });

  it("keeps quotes, backslashes and SQL in a formula's text constants as text, in the DDL and in reads", async () => {
    const formula = String.raw`concat(title, '\'); drop table deal; --', "\\", ' $1 ', "様")`;
    const r = await k.call('POST', '/api/meta/objects/deal/fields', { name: 'probe', type: 'formula', formula, label: label('Probe') });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const one = await k.call('GET', `/api/records/deal/${ids['りんご']}`);
    expect(one.body.probe).toBe(String.raw`りんご'); drop table deal; --\ $1 様`);
    expect((await k.call('DELETE', '/api/meta/objects/deal/fields/probe')).status).toBe(200);
  });

  it('shows a formula change in a dry run as a recompute of every record', async () => {
    const r = await k.call('PATCH', '/api/meta/objects/deal/fields/total?dry_run=true', { formula: 'qty * unit_price * 2' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.plan).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'add_column',
          field: 'total',
          description: expect.stringContaining('recompute formula deal.total'),
        }),
        expect.objectContaining({
          kind: 'add_column',
          field: 'with_tax',
          description: expect.stringContaining('recompute formula deal.with_tax'),
        }),
      ]),
    );
  });

  it('refuses to delete a field a formula reads, naming the formula', async () => {
    const r = await k.call('DELETE', '/api/meta/objects/deal/fields/qty');
    expect(r.status).toBe(409);
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['heading', 'total', 'with_tax']);
  });

  it('changes a formula by recomputing its column for every record, its index rebuilt, its type inferred again', async () => {
    const r = await k.call('PATCH', '/api/meta/objects/deal/fields/with_tax', { formula: 'round(total * 1.08)' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const got = await k.call('GET', `/api/records/deal?sort=title&fields=title,with_tax`);
    expect(Object.fromEntries(got.body.data.map((d: { title: string; with_tax: number }) => [d.title, d.with_tax]))).toEqual({
      りんご: 389,
      'Bob\'s "pears"': 864,
      空: 108,
    });
    const idx = await k.db.query(
      sql`select 1 from pg_indexes where schemaname = current_schema() and tablename = 'deal' and indexdef like '%with_tax%'`,
    );
    expect(idx).toHaveLength(1);
    const retyped = await k.call('PATCH', '/api/meta/objects/deal/fields/heading', { formula: 'qty > 2' });
    expect(retyped.status, JSON.stringify(retyped.body)).toBe(200);
    const def = await k.call('GET', '/api/meta/objects/deal');
    expect(def.body.properties.heading['x-kizuna'].result_type).toBe('boolean');
    const one = await k.call('GET', `/api/records/deal/${ids['りんご']}`);
    expect(one.body.heading).toBe(true);
  });

  it('moves a formula between stored and read-time when it starts or stops reading the clock', async () => {
    // with_tax reads total and is indexed: total cannot start reading the clock under it.
    const refused = await k.call('PATCH', '/api/meta/objects/deal/fields/total', {
      formula: 'qty * unit_price + days_between(today(), today())',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({
      field: 'fields.4.indexed',
      keyword: 'volatile',
      message: expect.stringContaining('with_tax'),
    });
    const r = await k.call('PATCH', '/api/meta/objects/deal/fields/heading', {
      formula: "concat(title, ' ', days_between(today(), closes_on))",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const gen = await k.db.query(
      sql`select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'deal' and column_name = 'heading'`,
    );
    expect(gen).toHaveLength(0);
    expect((await k.call('GET', `/api/records/deal/${ids['りんご']}`)).body.heading).toBe('りんご 10');
    const back = await k.call('PATCH', '/api/meta/objects/deal/fields/heading', { formula: 'upper(title)' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect((await k.call('GET', `/api/records/deal/${ids['Bob\'s "pears"']}`)).body.heading).toBe('BOB\'S "PEARS"');
  });
});
