import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(databases)('sessions, CSRF, rate limits and the audit trail on %s', (kind) => {
  let k: TestKizuna;
  let userId: string;
  beforeAll(async () => {
    k = await startKizuna(kind);
    const u = await k.call('POST', '/api/users', {
      email: 'Hanako@Example.jp',
      name: '花子',
      locale: 'ja',
      password: PASSWORD,
      roles: ['sales_rep'],
    });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    userId = u.body.id;
    expect(JSON.stringify(u.body)).not.toMatch(/password|hash/i);
  });
  afterAll(() => k?.close());

  const raw = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) => k.app.request(path, init);
  const signIn = async (email = 'hanako@example.jp', password = PASSWORD) => {
    const r = await raw('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = r.headers.get('set-cookie') ?? '';
    return { status: r.status, body: await r.json(), cookie: cookie.split(';')[0], setCookie: cookie, headers: r.headers };
  };

  it('signs in with an HttpOnly, SameSite=Lax cookie and answers the user and a CSRF token', async () => {
    const s = await signIn();
    expect(s.status).toBe(200);
    expect(s.setCookie).toMatch(/kizuna_session=/);
    expect(s.setCookie).toMatch(/HttpOnly/i);
    expect(s.setCookie).toMatch(/SameSite=Lax/i);
    expect(s.body.user).toMatchObject({ id: userId, email: 'Hanako@Example.jp', locale: 'ja' });
    expect(s.body.csrf_token).toMatch(/^[\w-]{20,}$/);
    const me = await raw('/api/auth/me', { headers: { cookie: s.cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).user.roles).toEqual(['sales_rep']);
  });

  it('needs the CSRF token for unsafe methods with a cookie session', async () => {
    const s = await signIn();
    const post = (headers: Record<string, string>) =>
      raw('/api/records/contact', {
        method: 'POST',
        headers: { cookie: s.cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ last_name: 'クッキー' }),
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    const ok = await post({ 'x-csrf-token': s.body.csrf_token });
    expect(ok.status).toBe(201);
    expect((await ok.json()).owner).toBe(userId);
    expect((await raw('/api/records/contact?limit=1', { headers: { cookie: s.cookie } })).status).toBe(200);
  });

  it('ends the session on logout, server-side', async () => {
    const s = await signIn();
    const out = await raw('/api/auth/logout', { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.body.csrf_token } });
    expect(out.status).toBe(204);
    expect((await raw('/api/auth/me', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('answers a wrong password and an unknown email alike, and bad input with 422', async () => {
    const wrong = await signIn('hanako@example.jp', 'not the password');
    const unknown = await signIn('nobody@example.jp', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const bad = await raw('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(422);
  });

  it('changing the password ends the other sessions, not this one', async () => {
    const a = await signIn();
    const b = await signIn();
    const change = await raw('/api/auth/password', {
      method: 'POST',
      headers: { cookie: a.cookie, 'x-csrf-token': a.body.csrf_token, 'content-type': 'application/json' },
      body: JSON.stringify({ current_password: PASSWORD, new_password: `${PASSWORD}!` }),
    });
    expect(change.status).toBe(204);
    expect((await raw('/api/auth/me', { headers: { cookie: a.cookie } })).status).toBe(200);
    expect((await raw('/api/auth/me', { headers: { cookie: b.cookie } })).status).toBe(401);
    expect((await signIn('hanako@example.jp', `${PASSWORD}!`)).status).toBe(200);
    // Back, for the other tests (an admin sets it).
    expect((await k.call('PATCH', `/api/users/${userId}`, { password: PASSWORD })).status).toBe(200);
  });

  it('limits failed sign-ins per account with 429 and Retry-After, even for the right password', async () => {
    const u = await k.call('POST', '/api/users', { email: 'target@example.jp', name: 't', password: PASSWORD });
    expect(u.status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await signIn('target@example.jp', 'guess-' + i)).status).toBe(401);
    const blocked = await signIn('target@example.jp', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.body.type).toMatch(/too-many-requests/);
  });

  it('deactivating a user ends its sessions and keys at once', async () => {
    const u = await k.call('POST', '/api/users', { email: 'leaver@example.jp', name: 'leaver', password: PASSWORD, roles: ['viewer'] });
    const key = (await k.call('POST', '/api/api-keys', { name: 'l', user_id: u.body.id })).body.key;
    const s = await signIn('leaver@example.jp');
    expect((await raw('/api/records/contact?limit=1', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await k.call('DELETE', `/api/users/${u.body.id}`)).status).toBe(204);
    expect((await raw('/api/records/contact?limit=1', { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect((await raw('/api/auth/me', { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await k.call('GET', `/api/users/${u.body.id}`)).body.active).toBe(false);
  });

  it('keeps the keys and sessions of a deactivated user revoked when the user is reactivated', async () => {
    const u = await k.call('POST', '/api/users', { email: 'returner@example.jp', name: 'returner', password: PASSWORD, roles: ['viewer'] });
    const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
    const old = (await k.call('POST', '/api/api-keys', { name: 'old', user_id: u.body.id })).body.key;
    const s = await signIn('returner@example.jp');
    expect((await raw('/api/records/contact?limit=1', bearer(old))).status).toBe(200);
    expect((await k.call('PATCH', `/api/users/${u.body.id}`, { active: false })).status).toBe(200);
    expect((await k.call('PATCH', `/api/users/${u.body.id}`, { active: true })).status).toBe(200);
    expect((await raw('/api/records/contact?limit=1', bearer(old))).status).toBe(401);
    expect((await raw('/api/auth/me', { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await k.call('GET', '/api/api-keys')).body.data.map((x: { name: string; user_id: string }) => x.user_id)).not.toContain(
      u.body.id,
    );
    // The same through DELETE (deactivation) and back; new keys and sign-ins work.
    expect((await k.call('DELETE', `/api/users/${u.body.id}`)).status).toBe(204);
    expect((await k.call('PATCH', `/api/users/${u.body.id}`, { active: true })).status).toBe(200);
    expect((await raw('/api/records/contact?limit=1', bearer(old))).status).toBe(401);
    const fresh = (await k.call('POST', '/api/api-keys', { name: 'new', user_id: u.body.id })).body.key;
    expect((await raw('/api/records/contact?limit=1', bearer(fresh))).status).toBe(200);
    expect((await signIn('returner@example.jp')).status).toBe(200);
  });

  it('refuses users management to non-admins and keeps users unique by email', async () => {
    const s = await signIn();
    expect((await raw('/api/users', { headers: { cookie: s.cookie } })).status).toBe(403);
    expect((await k.call('POST', '/api/users', { email: 'HANAKO@example.jp', name: 'dup' })).status).toBe(409);
    expect(
      (await k.call('POST', '/api/users', { email: 'x', name: '', password: 'short', roles: ['nope'], zzz: 1 })).body.errors
        .map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['email', 'name', 'password', 'roles', 'zzz'].sort());
  });

  it('records who did what in the audit trail, with no secrets in it', async () => {
    const c = await k.call('POST', '/api/records/contact', { last_name: '監査' }, { 'x-request-id': 'req-audit-1' });
    await k.call('POST', '/api/meta/objects/contact/fields', { name: 'audited', type: 'boolean', label: { en: 'A', ja: 'A' } });
    const records = await k.call('GET', `/api/audit?record_id=${c.body.id}`);
    expect(records.body.data[0]).toMatchObject({
      kind: 'record',
      action: 'create',
      request_id: 'req-audit-1',
      via: expect.stringMatching(/^key:/),
    });
    const meta = await k.call('GET', '/api/audit?kind=metadata&object=contact');
    expect(meta.body.data[0]).toMatchObject({ action: 'update', actor: expect.any(String) });
    const auth = await k.call('GET', '/api/audit?kind=auth&limit=200');
    const actions = auth.body.data.map((e: { object: string; action: string }) => `${e.object}.${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['user.create', 'session.login', 'user.update']));
    expect(JSON.stringify(auth.body)).not.toContain(PASSWORD);
    expect(JSON.stringify(auth.body)).not.toMatch(/scrypt\$/);
    expect((await k.call('GET', '/api/audit?kind=nope')).status).toBe(400);
    const page = await k.call('GET', '/api/audit?limit=2');
    const next = await k.call('GET', `/api/audit?limit=2&cursor=${page.body.page.next_cursor}`);
    expect(next.body.data[0].id < page.body.data[1].id || Number(next.body.data[0].id) < Number(page.body.data[1].id)).toBe(true);
  });

  it('sends secure headers', async () => {
    const r = await raw('/api/health');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBeTruthy();
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });
});
