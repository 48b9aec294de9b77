// Recent items and the records assigned to the caller (issue 16, items 10 and 11): stored per
// person, the newest 50 kept, read back under the reader's permissions of now; "assigned" is a
// user field naming the caller and no select option flagged closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { installStandardObjects } from '../metadata/index.ts';

// A case is named by its number and subject (case.json's display template).
const caseName = (subject: string) => expect.stringMatching(new RegExp(`^CASE-\\d{6} ${subject}$`));

describe.each(databases)('recent items and assigned records on %s', (kind) => {
  let k: TestKizuna;
  let rep: { id: string; key: string };
  const as = (key?: string) => (method: string, path: string, body?: unknown) =>
    k.call(method, path, body, key ? { authorization: `Bearer ${key}` } : {});
  const admin = as();
  const create = async (object: string, body: Record<string, unknown>) => {
    const r = await admin('POST', `/api/records/${object}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const view = async (call: ReturnType<typeof as>, object: string, id: string) => {
    const r = await call('POST', '/api/recent-items', { object, id });
    expect(r.status, JSON.stringify(r.body)).toBe(204);
  };
  const recentIds = async (call: ReturnType<typeof as>, limit = 50) => {
    const r = await call('GET', `/api/recent-items?limit=${limit}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.data.map((x: { id: string }) => x.id) as string[];
  };

  beforeAll(async () => {
    k = await startKizuna(kind);
    const role = {
      name: 'own_work',
      label: { en: 'Own work', ja: '自分の仕事' },
      objects: { contact: { read: 'own' }, case: { read: 'own' } },
    };
    expect((await admin('POST', '/api/roles', role)).status).toBe(201);
    const u = await admin('POST', '/api/users', { email: 'rep@example.jp', name: '営業 一郎', roles: ['own_work'] });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    rep = { id: u.body.id, key: (await admin('POST', '/api/api-keys', { name: 'rep', user_id: u.body.id })).body.key };
  });
  afterAll(() => k?.close());

  it('lists the records a person opened, newest first, named, each once', async () => {
    const a = await create('contact', { last_name: '佐藤', first_name: '花子' });
    const b = await create('company', { name: '東京商事' });
    await view(admin, 'contact', a);
    await view(admin, 'company', b);
    await view(admin, 'contact', a);
    const r = await admin('GET', '/api/recent-items?limit=2');
    expect(r.body.data).toEqual([
      { object: 'contact', id: a, name: { en: '花子 佐藤', ja: '佐藤 花子' }, viewed_at: expect.stringMatching(/Z$/) },
      { object: 'company', id: b, name: { en: '東京商事', ja: '東京商事' }, viewed_at: expect.any(String) },
    ]);
    // Each person has their own.
    expect(await recentIds(as(rep.key))).toEqual([]);
  });

  it('keeps the newest 50 views of a person', async () => {
    const bulk = await admin('POST', '/api/records/company/bulk', {
      records: Array.from({ length: 52 }, (_, i) => ({ name: `会社 ${String(i).padStart(2, '0')}` })),
    });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    const list = await admin(
      'GET',
      `/api/records/company?limit=52&sort=name&filter=${encodeURIComponent(JSON.stringify({ name: { starts_with: '会社 ' } }))}`,
    );
    const ids = list.body.data.map((x: { id: string }) => x.id) as string[];
    expect(ids).toHaveLength(52);
    for (const id of ids) await view(admin, 'company', id);
    const recent = await recentIds(admin);
    expect(recent).toEqual(ids.slice(2).reverse());
  });

  it('leaves out deleted records, and brings them back when restored', async () => {
    const c = await create('case', { subject: '消える問い合わせ' });
    await view(admin, 'case', c);
    expect((await recentIds(admin))[0]).toBe(c);
    expect((await admin('DELETE', `/api/records/case/${c}`)).status).toBe(204);
    expect(await recentIds(admin)).not.toContain(c);
    expect((await admin('POST', `/api/records/case/${c}/restore`)).status).toBe(200);
    expect((await recentIds(admin))[0]).toBe(c);
  });

  it('reads recent items back with the reader’s permissions of now', async () => {
    const mine = await create('contact', { last_name: '鈴木', first_name: '一郎', owner: rep.id });
    const repCall = as(rep.key);
    await view(repCall, 'contact', mine);
    expect(await recentIds(repCall)).toEqual([mine]);
    // Given to someone else: out of the rep's read scope, and out of their recent items.
    expect((await admin('PATCH', `/api/records/contact/${mine}`, { owner: null })).status).toBe(200);
    expect(await recentIds(repCall)).toEqual([]);
    expect((await admin('PATCH', `/api/records/contact/${mine}`, { owner: rep.id })).status).toBe(200);
    expect(await recentIds(repCall)).toEqual([mine]);
  });

  it('refuses to note a view of a record the caller may not read, and bad input, naming the field', async () => {
    const theirs = await create('contact', { last_name: '高橋' });
    const repCall = as(rep.key);
    expect((await repCall('POST', '/api/recent-items', { object: 'contact', id: theirs })).status).toBe(404);
    const company = await create('company', { name: '見えない会社' });
    expect([403, 404]).toContain((await repCall('POST', '/api/recent-items', { object: 'company', id: company })).status);
    const bad = await admin('POST', '/api/recent-items', { object: 7, extra: true });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'id', 'object']);
    expect((await admin('POST', '/api/recent-items', { object: 'nosuch', id: theirs })).status).toBe(404);
    const limit = await admin('GET', '/api/recent-items?limit=51');
    expect(limit.status).toBe(400);
    expect(limit.body.errors[0].field).toBe('limit');
  });

  it('lists open records assigned to the caller: a user field names them, no closed option is set', async () => {
    const open = await create('case', { subject: '未対応の件', assignee: rep.id, status: 'open' });
    const working = await create('case', { subject: '対応中の件', assignee: rep.id, status: 'in_progress' });
    await create('case', { subject: '解決済みの件', assignee: rep.id, status: 'resolved' });
    await create('case', { subject: 'クローズの件', assignee: rep.id, status: 'closed' });
    await create('case', { subject: '他人の件', status: 'open' });
    const owned = await create('contact', { last_name: '伊藤', first_name: '三郎', owner: rep.id });
    const r = await as(rep.key)('GET', '/api/assigned-records');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const cases = r.body.data.find((g: { object: string }) => g.object === 'case');
    expect(cases.fields).toEqual(['assignee']);
    expect(cases.total).toBe(2);
    expect(cases.records.map((x: { id: string }) => x.id).sort()).toEqual([open, working].sort());
    expect(cases.records.find((x: { id: string }) => x.id === open)).toMatchObject({
      name: { en: caseName('未対応の件'), ja: caseName('未対応の件') },
      values: { status: 'open' },
    });
    const contacts = r.body.data.find((g: { object: string }) => g.object === 'contact');
    expect(contacts.records.map((x: { id: string }) => x.id)).toContain(owned);
    // The admin has none of them.
    const mine = await admin('GET', '/api/assigned-records');
    expect(JSON.stringify(mine.body)).not.toContain('未対応の件');
  });

  it('flags the shipped closed case statuses of an earlier install on start, and keeps an admin’s own choice', async () => {
    const statusOptions = () => k.registry.get('case').fields.get('status')!.spec.options!;
    await k.registry.change((specs) => {
      const spec = specs.get('case')!;
      specs.set('case', {
        ...spec,
        fields: spec.fields.map((f) =>
          f.name === 'status'
            ? { ...f, options: f.options!.map(({ closed: _c, ...o }) => (o.value === 'resolved' ? { ...o, closed: false } : o)) }
            : f,
        ),
      });
    });
    expect(
      statusOptions()
        .filter((o) => o.closed)
        .map((o) => o.value),
    ).toEqual([]);
    await installStandardObjects(k.registry);
    expect(statusOptions().map((o) => [o.value, o.closed])).toEqual([
      ['open', undefined],
      ['in_progress', undefined],
      ['resolved', false],
      ['closed', true],
    ]);
    const r = await as(rep.key)('GET', '/api/assigned-records');
    expect(
      r.body.data.find((g: { object: string }) => g.object === 'case').records.map((x: { name: { en: string } }) => x.name.en),
    ).toContainEqual(caseName('解決済みの件'));
  });

  it('shows no object the caller may not read among assigned records, and bounds the page', async () => {
    await admin('PUT', '/api/roles/own_work', {
      name: 'own_work',
      label: { en: 'Own work', ja: '自分の仕事' },
      objects: { contact: { read: 'own' } },
    });
    await expect
      .poll(async () => (await as(rep.key)('GET', '/api/assigned-records')).body.data.map((g: { object: string }) => g.object))
      .toEqual(['contact']);
    const one = await as(rep.key)('GET', '/api/assigned-records?limit=1');
    expect(one.body.data[0].records).toHaveLength(1);
    expect((await admin('GET', '/api/assigned-records?limit=0')).status).toBe(400);
  });
});
