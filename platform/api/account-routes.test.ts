// "My account" over HTTP (own sessions, own API keys) and an admin's "view as".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const PASSWORD = 'agent password 123';

describe.each(databases)('own sessions, own keys and "view as" on %s', (kind) => {
  let k: TestKizuna;
  let agent: string;
  let other: string;
  beforeAll(async () => {
    k = await startKizuna(kind);
    const role = await k.call('POST', '/api/roles', {
      name: 'own_contacts',
      label: { en: 'Own contacts', ja: '自分の連絡先' },
      objects: {
        contact: { read: 'own', create: 'own', update: 'own', delete: 'none', transfer: true, fields: { notes: 'hidden', email: 'read' } },
      },
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    agent = (
      await k.call('POST', '/api/users', { email: 'agent@example.jp', name: '担当 一郎', password: PASSWORD, roles: ['own_contacts'] })
    ).body.id;
    other = (await k.call('POST', '/api/users', { email: 'other@example.jp', name: '他 次郎', password: PASSWORD, roles: ['viewer'] })).body
      .id;
    for (const [last, owner] of [
      ['山田', agent],
      ['佐藤', agent],
      ['鈴木', other],
    ])
      expect((await k.call('POST', '/api/records/contact', { last_name: last, owner, notes: '社外秘' })).status).toBe(201);
  });
  afterAll(() => k?.close());

  const signIn = async (email = 'agent@example.jp', ua = 'Browser A') => {
    const r = await k.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': ua },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(r.status).toBe(200);
    return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0], csrf: (await r.json()).csrf_token as string };
  };
  const as = (s: { cookie: string; csrf: string }, method: string, path: string, body?: unknown) =>
    k.app.request(path, {
      method,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('lists a person’s own live sessions, marking the current one, and ends one or all others', async () => {
    const a = await signIn('agent@example.jp', 'Browser A');
    const b = await signIn('agent@example.jp', 'Browser B');
    const c = await signIn('agent@example.jp', 'Browser C');
    await signIn('other@example.jp', 'Not mine');
    const list = await (await as(a, 'GET', '/api/auth/sessions')).json();
    expect(list.data.map((s: { user_agent: string }) => s.user_agent).sort()).toEqual(['Browser A', 'Browser B', 'Browser C']);
    const current = list.data.filter((s: { current: boolean }) => s.current);
    expect(current.map((s: { user_agent: string }) => s.user_agent)).toEqual(['Browser A']);
    expect(list.data[0].id).toMatch(/^[0-9a-f]{16}$/);

    const bId = list.data.find((s: { user_agent: string }) => s.user_agent === 'Browser B').id;
    expect((await as(a, 'DELETE', `/api/auth/sessions/${bId}`)).status).toBe(204);
    expect((await as(b, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await as(a, 'DELETE', `/api/auth/sessions/${bId}`)).status).toBe(404);
    // Someone else's session is not found, as if it did not exist.
    const others = await (await as(await signIn('other@example.jp'), 'GET', '/api/auth/sessions')).json();
    expect((await as(a, 'DELETE', `/api/auth/sessions/${others.data[0].id}`)).status).toBe(404);

    const ended = await as(a, 'DELETE', '/api/auth/sessions');
    expect(await ended.json()).toEqual({ ended: 1 });
    expect((await as(c, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await as(a, 'GET', '/api/auth/me')).status).toBe(200);
    const audit = await k.call('GET', `/api/audit?actor=${agent}&kind=auth`);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['sign-out', 'sign-out-others']));
  });

  it('answers bad session ids and parameters with 4xx', async () => {
    const a = await signIn();
    expect((await as(a, 'DELETE', '/api/auth/sessions/not-an-id')).status).toBe(404);
    const bad = await as(a, 'GET', '/api/auth/sessions?all=true');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('all');
  });

  it('lets a person list, create and revoke their own keys, audited', async () => {
    const a = await signIn();
    const made = await as(a, 'POST', '/api/api-keys', { name: 'スクリプト' });
    expect(made.status).toBe(201);
    const key = await made.json();
    expect(key.key).toMatch(/^kz_/);
    const mine = await (await as(a, 'GET', `/api/api-keys?user_id=${agent}`)).json();
    expect(mine.data.map((x: { id: string }) => x.id)).toEqual([key.id]);
    expect(JSON.stringify(mine)).not.toContain(key.key);
    const notMine = await as(a, 'GET', `/api/api-keys?user_id=${other}`);
    expect(notMine.status).toBe(403);
    expect((await notMine.json()).errors[0].field).toBe('user_id');
    expect((await k.call('GET', '/api/api-keys?user_id=nope')).status).toBe(400);
    expect((await k.call('GET', `/api/api-keys?user_id=${agent}`)).body.data).toHaveLength(1);
    expect((await as(a, 'DELETE', `/api/api-keys/${key.id}`)).status).toBe(204);
    const audit = await k.call('GET', `/api/audit?record_id=${key.id}`);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(['revoke', 'create']);
    expect(JSON.stringify(audit.body)).not.toContain(key.key);
  });

  it('shows an admin a user’s list of an object and which fields they see ("view as")', async () => {
    const r = await k.call('GET', `/api/users/${agent}/view-as/contact?sort=last_name`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.user).toMatchObject({ id: agent, name: '担当 一郎' });
    expect(r.body.data.map((c: { last_name: string }) => c.last_name).sort()).toEqual(['佐藤', '山田']);
    expect(r.body.data[0]).not.toHaveProperty('notes');
    const level = (f: string) => r.body.fields.find((x: { name: string }) => x.name === f)?.level;
    expect(level('notes')).toBe('hidden');
    expect(level('email')).toBe('read');
    expect(level('last_name')).toBe('write');
    expect(r.body.access).toMatchObject({ read: true, create: true, update: true, delete: false, transfer: true });
    expect(r.body.access.scoped).toEqual(expect.arrayContaining(['read', 'update']));

    const company = await k.call('GET', `/api/users/${agent}/view-as/company`);
    expect(company.status).toBe(200);
    expect(company.body).toMatchObject({ access: { read: false }, data: [] });

    const viewer = await k.call('GET', `/api/users/${other}/view-as/contact?limit=10`);
    expect(viewer.body.data).toHaveLength(3);
    const admin = await k.call('GET', `/api/auth/me`);
    const asAdmin = await k.call('GET', `/api/users/${admin.body.user.id}/view-as/contact`);
    expect(asAdmin.body.fields.every((f: { level: string }) => f.level === 'write')).toBe(true);
  });

  it('answers a bad "view as" with 4xx naming what is wrong, and only for admins', async () => {
    expect((await k.call('GET', `/api/users/${agent}/view-as/nothing`)).status).toBe(404);
    expect((await k.call('GET', `/api/users/00000000-0000-7000-8000-000000000000/view-as/contact`)).status).toBe(404);
    const bad = await k.call('GET', `/api/users/${agent}/view-as/contact?filter=nope`);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const hidden = await k.call('GET', `/api/users/${agent}/view-as/contact?sort=notes`);
    expect(hidden.status).toBe(403);
    expect(hidden.body.errors[0].field).toContain('notes');
    const unknown = await k.call('GET', `/api/users/${agent}/view-as/contact?as=1`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('as');
    const a = await signIn();
    expect((await as(a, 'GET', `/api/users/${agent}/view-as/contact`)).status).toBe(403);
  });
});
