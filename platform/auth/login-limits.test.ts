// Sign-in limits under real parallel requests (issue 13, items 11 and 12). PGlite runs the
// requests one statement at a time; PostgreSQL really runs them side by side, and is the run
// that proves the count and the attempt are one step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { LOGIN_LIMITS } from './login.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(databases)('sign-in limits on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind);
  });
  afterAll(() => k?.close());

  /** A sign-in from a client address (the Node socket @hono/node-server reads it from), or from none. */
  const signIn = async (email: string, password: string, ip?: string) => {
    const env = ip ? { incoming: { socket: { remoteAddress: ip, remotePort: 40000, remoteFamily: 'IPv4' } } } : undefined;
    const r = await k.app.request(
      '/api/auth/login',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) },
      env,
    );
    return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() };
  };
  const user = async (email: string) =>
    expect((await k.call('POST', '/api/users', { email, name: email, password: PASSWORD })).status).toBe(201);
  const failuresOf = async (email: string) =>
    (
      await k.db.query<{ n: number }>(
        sql`select count(*)::int as n from kizuna_login_attempts where lower(email) = lower(${email}) and not success`,
      )
    )[0].n;
  const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

  it('checks at most the per-account limit of 40 parallel wrong passwords; the rest get 429', async () => {
    await user('parallel@example.jp');
    const statuses = (await Promise.all(Array.from({ length: 40 }, (_, i) => signIn('parallel@example.jp', `wrong guess ${i}`)))).map(
      (r) => r.status,
    );
    expect(tally(statuses)).toEqual({ 401: LOGIN_LIMITS.perAccount, 429: 40 - LOGIN_LIMITS.perAccount });
    expect(await failuresOf('parallel@example.jp')).toBe(LOGIN_LIMITS.perAccount);
    expect((await signIn('parallel@example.jp', PASSWORD)).status).toBe(429);
  });

  it('does not let the right password among 30 parallel guesses in once the limit is reached', async () => {
    await user('victim@example.jp');
    for (let i = 0; i < LOGIN_LIMITS.perAccount - 1; i++) expect((await signIn('VICTIM@example.jp', `earlier ${i}`)).status).toBe(401);
    // One try left: of 30 parallel guesses (the right one last), exactly one is checked.
    const guesses = [...Array.from({ length: 29 }, (_, i) => `guess ${i}`), PASSWORD];
    const results = await Promise.all(guesses.map((p) => signIn('victim@example.jp', p)));
    const checked = results.filter((r) => r.status !== 429);
    expect(checked).toHaveLength(1);
    if (checked[0].status === 200) expect(results.filter((r) => r.status === 429)).toHaveLength(29);
    for (const r of results.filter((x) => x.status === 429)) expect(Number(r.retryAfter)).toBeGreaterThan(0);
  });

  it('a right password for an unlocked account signs in from an address with many failures; failures from it get 429', async () => {
    await user('office@example.jp');
    const ip = '198.51.100.7';
    const spray = await Promise.all(
      Array.from({ length: LOGIN_LIMITS.perAddress + 2 }, (_, i) => signIn(`nobody${i}@example.jp`, 'wrong password', ip)),
    );
    // Exactly perAddress failures are answered 401; past that the address is slowed down.
    expect(tally(spray.map((r) => r.status))).toEqual({ 401: LOGIN_LIMITS.perAddress, 429: 2 });
    const ok = await signIn('office@example.jp', PASSWORD, ip);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.user.email).toBe('office@example.jp');
    const wrong = await signIn('office@example.jp', 'not it', ip);
    expect(wrong.status).toBe(429);
    expect(Number(wrong.retryAfter)).toBeGreaterThan(0);
    expect(wrong.body.detail).toMatch(/address/);
    // Another address is not affected.
    expect((await signIn('office@example.jp', 'not it either', '198.51.100.8')).status).toBe(401);
  });
});
