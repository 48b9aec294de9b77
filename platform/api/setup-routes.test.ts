// The first admin's password through /api/auth/setup: the one-time token printed on first start.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../auth/index.ts';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

const PASSWORD = 'first-admin-password';

/** A Kizuna on a new database, so its admin waits for a password (no KIZUNA_ADMIN_PASSWORD). */
async function freshKizuna(kind: (typeof databases)[number]): Promise<TestKizuna> {
  const k = await startKizuna(kind, kind === 'pglite' ? { pglite: new PGlite() } : {});
  expect(k.bootstrap.setupToken).toMatch(/^[\w-]{20,}$/);
  return k;
}

const anonymous = async (k: TestKizuna, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await k.app.request(path, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text(),
  } as { status: number; headers: Headers; body: any };
};

describe.each(databases)('first admin setup on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await freshKizuna(kind);
  });
  afterAll(() => k?.close());

  it('says setup is pending, naming the admin, while no password exists; signing in meanwhile is the usual 401', async () => {
    expect(await anonymous(k, 'GET', '/api/auth/setup')).toMatchObject({ status: 200, body: { pending: true, email: 'admin@localhost' } });
    expect((await anonymous(k, 'POST', '/api/auth/login', { email: 'admin@localhost', password: PASSWORD })).status).toBe(401);
  });

  it('refuses a missing token and a short password with 422 naming each, and a wrong token with 403 naming it', async () => {
    const bad = await anonymous(k, 'POST', '/api/auth/setup', { password: 'short' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      { field: 'token', message: 'is required' },
      { field: 'password', message: 'must be at least 10 characters' },
    ]);
    const wrong = await anonymous(k, 'POST', '/api/auth/setup', { token: `${k.bootstrap.setupToken}x`, password: PASSWORD });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors).toEqual([{ field: 'token', message: 'is not the setup token printed on first start' }]);
    expect((await anonymous(k, 'GET', '/api/auth/setup')).body.pending).toBe(true);
  });

  it('sets the password with the printed token and signs the admin in, once: a second use (even at the same time) is a 409', async () => {
    const token = k.bootstrap.setupToken!;
    const answers = await Promise.all([1, 2].map(() => anonymous(k, 'POST', '/api/auth/setup', { token, password: PASSWORD })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const ok = answers.find((a) => a.status === 200)!;
    expect(ok.body).toMatchObject({ user: { email: 'admin@localhost', is_admin: true }, csrf_token: expect.any(String) });
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).toMatch(/^kizuna_session=/);
    expect(await anonymous(k, 'GET', '/api/auth/me', undefined, { cookie })).toMatchObject({
      status: 200,
      body: { user: { email: 'admin@localhost', is_admin: true } },
    });

    expect(await anonymous(k, 'GET', '/api/auth/setup')).toMatchObject({ status: 200, body: { pending: false } });
    expect((await anonymous(k, 'GET', '/api/auth/setup')).body.email).toBeUndefined();
    const again = await anonymous(k, 'POST', '/api/auth/setup', { token, password: 'another-password-1' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await anonymous(k, 'POST', '/api/auth/login', { email: 'admin@localhost', password: PASSWORD })).status).toBe(200);
    expect((await anonymous(k, 'POST', '/api/auth/login', { email: 'admin@localhost', password: 'another-password-1' })).status).toBe(401);
  });
});

describe.each(databases)('wrong setup tokens on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await freshKizuna(kind);
  });
  afterAll(() => k?.close());

  it('are counted like failed sign-ins: past the limit even the right token waits (429 with Retry-After)', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      expect((await anonymous(k, 'POST', '/api/auth/setup', { token: `wrong-${i}`, password: PASSWORD })).status).toBe(403);
    }
    const held = await anonymous(k, 'POST', '/api/auth/setup', { token: k.bootstrap.setupToken, password: PASSWORD });
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await anonymous(k, 'GET', '/api/auth/setup')).body.pending).toBe(true);
  });
});
