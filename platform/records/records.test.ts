import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

describe.each(databases)('records service on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(() => k?.close());

  it('creates a record with system fields, defaults and an ETag', async () => {
    const r = await k.call('POST', '/api/records/contact', { last_name: '髙橋', first_name: '𠮷男', email: 'yoshio@example.jp' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ last_name: '髙橋', first_name: '𠮷男', lifecycle: 'lead', do_not_contact: false, version: 1 });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.body.created_by).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('etag')).toBe('"1"');
    const got = await k.call('GET', `/api/records/contact/${r.body.id}`);
    expect(got.body).toEqual(r.body);
  });

  it('rejects bad values with 422 listing each field and writes nothing', async () => {
    const before = await k.call('GET', '/api/records/contact?count=true&limit=1');
    const r = await k.call('POST', '/api/records/contact', {
      email: 'taro＠example.jp', // full-width at sign
      lifecycle: 'zombie',
      tags: ['vip', 'vip'],
      country: 'Narnia', // no country (JPN, once too long, is now read as JP)
      do_not_contact: 'yes',
      company: 'not-a-uuid',
      mystery: 1,
    });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const fields = r.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['company', 'country', 'do_not_contact', 'email', 'last_name', 'lifecycle', 'mystery', 'tags'].sort());
    expect(r.body.errors.find((e: { field: string }) => e.field === 'last_name').message).toBe('is required');
    expect(r.body.errors.find((e: { field: string }) => e.field === 'email').message).toMatch(/email/);
    const after = await k.call('GET', '/api/records/contact?count=true&limit=1');
    expect(after.body.page.total).toBe(before.body.page.total);
  });

  it('accepts select options by label and currency amounts as decimal strings', async () => {
    const r = await k.call('POST', '/api/records/company', {
      name: 'Acme',
      industry: 'Retail',
      annual_revenue: { amount: 1234.5, currency: 'USD' },
    });
    expect(r.status).toBe(201);
    expect(r.body.industry).toBe('retail');
    expect(r.body.annual_revenue).toEqual({ amount: '1234.5', currency: 'USD' });
    const bad = await k.call('POST', '/api/records/company', { name: 'Acme', annual_revenue: { amount: '12,50' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toMatch(/^annual_revenue/);
  });

  it('reads amounts as people type them, and holds each currency to its ISO 4217 fraction digits', async () => {
    const revenue = async (annual_revenue: unknown) => {
      const r = await k.call('POST', '/api/records/company', { name: '通貨テスト', annual_revenue });
      return r.status === 201 ? r.body.annual_revenue : r.body.errors;
    };
    // The field's default currency is JPY: ¥, 円, full-width digits and grouping commas are read.
    expect(await revenue({ amount: '12,000' })).toEqual({ amount: '12000', currency: 'JPY' });
    expect(await revenue({ amount: '¥12,000' })).toEqual({ amount: '12000', currency: 'JPY' });
    expect(await revenue('１２，０００円')).toEqual({ amount: '12000', currency: 'JPY' });
    expect(await revenue(12000)).toEqual({ amount: '12000', currency: 'JPY' });
    expect(await revenue({ amount: '$1,234.50' })).toEqual({ amount: '1234.50', currency: 'USD' });
    expect(await revenue({ amount: '12345678901234567.25', currency: 'USD' })).toEqual({ amount: '12345678901234567.25', currency: 'USD' });
    // JPY has no minor unit, USD two, KWD three; codes must exist.
    expect(await revenue({ amount: '12000.5' })).toEqual([
      { field: 'annual_revenue', message: 'JPY amounts have no fraction digits', keyword: 'currency_digits' },
    ]);
    expect(await revenue({ amount: '12.345', currency: 'USD' })).toEqual([
      { field: 'annual_revenue', message: 'USD amounts have at most 2 fraction digits', keyword: 'currency_digits' },
    ]);
    expect(await revenue({ amount: '1.125', currency: 'KWD' })).toEqual({ amount: '1.125', currency: 'KWD' });
    expect(await revenue({ amount: '100', currency: 'XYZ' })).toEqual([
      { field: 'annual_revenue', message: '"XYZ" is not an ISO 4217 currency code (such as JPY, USD, EUR)', keyword: 'currency_code' },
    ]);
    // A sign that contradicts the code given is not guessed at.
    const conflicting = await revenue({ amount: '¥100', currency: 'USD' });
    expect(conflicting).toEqual([expect.objectContaining({ field: 'annual_revenue.amount' })]);
    // A currency field's default code must exist too.
    const field = await k.call('POST', '/api/meta/objects/company/fields', {
      name: 'budget_xyz',
      type: 'currency',
      label: { en: 'Budget', ja: '予算' },
      currency: 'XYZ',
    });
    expect(field.status).toBe(422);
    expect(field.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining('"XYZ" is not an ISO 4217') })]),
    );
  });

  it('updates with If-Match, answers 412 on a stale version, and keeps no-op writes at their version', async () => {
    const c = (await k.call('POST', '/api/records/case', { subject: 'Login fails' })).body;
    expect(c.number).toMatch(/^CASE-\d{6}$/);
    const u = await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'in_progress' }, { 'if-match': '"1"' });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ status: 'in_progress', version: 2, number: c.number });
    const stale = await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'resolved' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    const same = await k.call('PATCH', `/api/records/case/${c.id}`, { status: 'in_progress' });
    expect(same.body.version).toBe(2);
    const required = await k.call('PATCH', `/api/records/case/${c.id}`, { subject: null });
    expect(required.status).toBe(422);
    expect(required.body.errors).toEqual([expect.objectContaining({ field: 'subject', message: 'is required' })]);
    const ro = await k.call('PATCH', `/api/records/case/${c.id}`, { number: 'CASE-999999', id: 'x', version: 99 });
    expect(ro.status).toBe(200);
    expect(ro.body.number).toBe(c.number);
  });

  it('soft deletes to the trash, restores, and erases permanently', async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: 'Trash' })).body;
    expect((await k.call('DELETE', `/api/records/contact/${c.id}`)).status).toBe(204);
    expect((await k.call('GET', `/api/records/contact/${c.id}`)).status).toBe(404);
    const trash = await k.call('GET', `/api/records/contact?trashed=true&filter=${encodeURIComponent(JSON.stringify({ id: c.id }))}`);
    expect(trash.body.data).toHaveLength(1);
    expect(trash.body.data[0].deleted_at).toBeTruthy();
    const restored = await k.call('POST', `/api/records/contact/${c.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.last_name).toBe('Trash');
    expect((await k.call('POST', `/api/records/contact/${c.id}/restore`)).status).toBe(404);
    expect((await k.call('DELETE', `/api/records/contact/${c.id}?permanent=true`)).status).toBe(204);
    expect((await k.call('POST', `/api/records/contact/${c.id}/restore`)).status).toBe(404);
    expect((await k.call('DELETE', `/api/records/contact/${c.id}`)).status).toBe(404);
  });

  it('answers 409 naming the field for a duplicate unique value, also on restore', async () => {
    const add = await k.call('POST', '/api/meta/objects', {
      name: 'member',
      label: { en: 'Member', ja: '会員' },
      plural: 'members',
      fields: [{ name: 'code', type: 'text', label: { en: 'Code', ja: 'コード' }, unique: true, required: true }],
    });
    expect(add.status).toBe(201);
    const a = await k.call('POST', '/api/records/member', { code: 'M-1' });
    expect(a.status).toBe(201);
    const dup = await k.call('POST', '/api/records/member', { code: 'M-1' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'code', keyword: 'unique' })]);
    await k.call('DELETE', `/api/records/member/${a.body.id}`);
    const b = await k.call('POST', '/api/records/member', { code: 'M-1' });
    expect(b.status).toBe(201);
    const restore = await k.call('POST', `/api/records/member/${a.body.id}/restore`);
    expect(restore.status).toBe(409);
  });

  it('names the relation field when the target does not exist', async () => {
    const r = await k.call('POST', '/api/records/contact', { last_name: 'X', company: '01234567-89ab-7def-8123-456789abcdef' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].field).toBe('company');
  });

  it('bulk is all-or-nothing by default and reports each bad row', async () => {
    const before = (await k.call('GET', '/api/records/company?count=true&limit=1')).body.page.total;
    const r = await k.call('POST', '/api/records/company/bulk', { records: [{ name: 'Good 1' }, { name: '' }, { industry: 'x' }] });
    expect(r.status).toBe(422);
    expect(r.body.rows.map((e: { index: number }) => e.index)).toEqual([1, 2]);
    expect(r.body.errors.some((e: { field: string }) => e.field.startsWith('records[2].'))).toBe(true);
    expect((await k.call('GET', '/api/records/company?count=true&limit=1')).body.page.total).toBe(before);
    const p = await k.call('POST', '/api/records/company/bulk', {
      records: [{ name: 'Good 1' }, { name: '' }, { name: 'Good 2' }],
      partial: true,
    });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ created: 2, updated: 0, failed: 1 });
    expect(p.body.errors[0].index).toBe(1);
    expect((await k.call('GET', '/api/records/company?count=true&limit=1')).body.page.total).toBe(before + 2);
  });

  it('bulk upserts on a field, matching emails without case or spaces', async () => {
    const first = await k.call('POST', '/api/records/contact/bulk', {
      upsert_on: 'email',
      records: [
        { last_name: 'Upsert', email: 'Up@Example.com' },
        { last_name: 'Other', email: 'other@example.com' },
      ],
    });
    expect(first.body).toMatchObject({ created: 2, updated: 0 });
    const second = await k.call('POST', '/api/records/contact/bulk', {
      upsert_on: 'email',
      records: [
        { last_name: 'Upserted', email: ' up@example.com ' },
        { last_name: 'Other', email: 'other@example.com' },
        { last_name: 'New', email: 'new@example.com' },
      ],
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ created: 1, updated: 1, failed: 0 });
    expect(second.body.records.map((r: { action: string }) => r.action)).toEqual(['updated', 'unchanged', 'created']);
    const missing = await k.call('POST', '/api/records/contact/bulk', { upsert_on: 'nope', records: [] });
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].field).toBe('upsert_on');
  });

  it('rejects a bulk request over the limit with 413', async () => {
    const r = await k.call('POST', '/api/records/company/bulk', { records: Array.from({ length: 1001 }, (_, i) => ({ name: `C${i}` })) });
    expect(r.status).toBe(413);
  });

  it('keeps a timeline of changes, newest first, with cursor paging', async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: '佐藤' })).body;
    for (let i = 0; i < 3; i++) await k.call('PATCH', `/api/records/contact/${c.id}`, { title: `T${i}` });
    await k.call('DELETE', `/api/records/contact/${c.id}`);
    const t = await k.call('GET', `/api/records/contact/${c.id}/timeline?limit=2`);
    expect(t.status).toBe(200);
    expect(t.body.data.map((e: { action: string }) => e.action)).toEqual(['delete', 'update']);
    expect(t.body.data[1].changes).toEqual({ title: { from: 'T1', to: 'T2' } });
    expect(t.body.page.has_more).toBe(true);
    const rest = await k.call('GET', `/api/records/contact/${c.id}/timeline?limit=10&cursor=${t.body.page.next_cursor}`);
    expect(rest.body.data.map((e: { action: string }) => e.action)).toEqual(['update', 'update', 'create']);
    expect(rest.body.data[2].changes).toMatchObject({ last_name: '佐藤' });
  });

  it('orders a long timeline by time, not by text (10 comes after 9)', async () => {
    const c = (await k.call('POST', '/api/records/contact', { last_name: '長い' })).body;
    for (let i = 1; i <= 11; i++) await k.call('PATCH', `/api/records/contact/${c.id}`, { title: `v${i}` });
    const t = await k.call('GET', `/api/records/contact/${c.id}/timeline`);
    expect(t.body.data.map((e: { version: number }) => e.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('answers 404 for unknown objects, malformed ids and missing records', async () => {
    expect((await k.call('GET', '/api/records/nope')).status).toBe(404);
    expect((await k.call('GET', '/api/records/contact/123')).status).toBe(404);
    expect((await k.call('GET', '/api/records/contact/01234567-89ab-7def-8123-456789abcdef')).status).toBe(404);
    expect((await k.call('PATCH', '/api/records/contact/01234567-89ab-7def-8123-456789abcdef', { title: 'x' })).status).toBe(404);
  });
});
