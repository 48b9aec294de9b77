import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

async function signIn(k: TestKizuna, email: string, password: string) {
  const res = await k.app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { csrf_token: string };
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  return (method: string, path: string, data?: unknown) =>
    k.call(method, path, data, { authorization: '', cookie, 'x-csrf-token': body.csrf_token });
}

describe.each(databases)('saved views and /api/auth/me on %s', (kind) => {
  let k: TestKizuna;
  let rep: Awaited<ReturnType<typeof signIn>>;
  let agent: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    k = await startKizuna(kind);
    await k.call('POST', '/api/users', { email: 'rep@example.jp', name: '営業 太郎', password: 'rep-password-1', roles: ['sales_rep'] });
    await k.call('POST', '/api/users', {
      email: 'agent@example.jp',
      name: 'Agent',
      password: 'agent-password-1',
      roles: ['support_agent'],
    });
    rep = await signIn(k, 'rep@example.jp', 'rep-password-1');
    agent = await signIn(k, 'agent@example.jp', 'agent-password-1');
  });
  afterAll(() => k?.close());

  it('ships the default views of contacts and cases as shared views', async () => {
    const contacts = await rep('GET', '/api/views?object=contact');
    expect(contacts.status).toBe(200);
    expect(contacts.body.data.map((v: { name: { en: string } }) => v.name.en)).toEqual(
      expect.arrayContaining(['My records', 'Created today', 'Last 30 days']),
    );
    const cases = await rep('GET', '/api/views?object=case');
    const open = cases.body.data.find((v: { key: string }) => v.key === 'case.my_open_cases');
    expect(open).toMatchObject({
      kind: 'list',
      shared: true,
      owner: null,
      filter: { assignee: { eq: '$me' }, status: { in: ['open', 'in_progress'] } },
    });
  });

  it('keeps personal views to their owner and lets only admins share', async () => {
    const made = await rep('POST', '/api/views', {
      object: 'contact',
      name: { en: 'Tokyo', ja: '東京' },
      kind: 'list',
      filter: { city: { eq: '東京' } },
      sort: ['-created_at'],
      columns: ['last_name', 'city'],
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ shared: false, filter: { city: { eq: '東京' } }, columns: ['last_name', 'city'] });
    expect(made.body.owner).toBeTruthy();
    expect((await agent('GET', '/api/views?object=contact')).body.data.map((v: { id: string }) => v.id)).not.toContain(made.body.id);
    expect((await agent('GET', `/api/views/${made.body.id}`)).status).toBe(404);
    expect((await agent('DELETE', `/api/views/${made.body.id}`)).status).toBe(404);

    const renamed = await rep('PATCH', `/api/views/${made.body.id}`, { name: { en: 'Tokyo people' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toEqual({ en: 'Tokyo people' });
    expect(renamed.body.filter).toEqual({ city: { eq: '東京' } });

    const shared = await rep('POST', '/api/views', { object: 'contact', name: { en: 'All' }, kind: 'list', shared: true });
    expect(shared.status).toBe(403);
    const std = (await rep('GET', '/api/views?object=contact')).body.data[0];
    expect((await rep('PATCH', `/api/views/${std.id}`, { name: { en: 'Mine' } })).status).toBe(403);
    expect((await k.call('POST', '/api/views', { object: 'contact', name: { en: 'All' }, kind: 'list', shared: true })).status).toBe(201);
    expect((await rep('DELETE', `/api/views/${made.body.id}`)).status).toBe(204);
  });

  it('validates views against the view schema with problems naming the field', async () => {
    const r = await rep('POST', '/api/views', { object: 'case', name: { en: 'Board' }, kind: 'kanban', columns: 'subject' });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['columns', '(root)']));
  });

  it('hides views of objects the caller may not read', async () => {
    await k.call('POST', '/api/views', { object: 'campaign', name: { en: 'Campaigns' }, kind: 'list', shared: true });
    expect((await agent('GET', '/api/views?object=campaign')).status).toBe(404);
    expect((await agent('GET', '/api/views')).body.data.some((v: { object: string }) => v.object === 'campaign')).toBe(false);
  });

  it('lets people change their own language with PATCH /api/auth/me', async () => {
    const r = await rep('PATCH', '/api/auth/me', { locale: 'ja' });
    expect(r.status).toBe(200);
    expect(r.body.user.locale).toBe('ja');
    expect((await rep('GET', '/api/auth/me')).body.user.locale).toBe('ja');
    expect((await rep('PATCH', '/api/auth/me', { locale: 'fr' })).status).toBe(422);
    expect((await rep('PATCH', '/api/auth/me', { is_admin: true })).status).toBe(422);
  });
});
