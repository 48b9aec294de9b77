import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { startSmtp } from '../testing/smtp.ts';

const PASSWORD = 'a brand new password';

describe.each(databases)('invitations, password links and temporary passwords on %s', (kind) => {
  let k: TestKizuna;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailing: TestKizuna;
  beforeAll(async () => {
    smtp = await startSmtp();
    k = await startKizuna(kind);
    mailing = await startKizuna(kind, { smtpUrl: smtp.url, mailFrom: 'crm@example.jp' });
  });
  afterAll(async () => {
    await k?.close();
    await mailing?.close();
    await smtp?.close();
  });

  const newUser = async (kz: TestKizuna, email: string, extra: Record<string, unknown> = {}) => {
    const r = await kz.call('POST', '/api/users', { email, name: '招待 花子', locale: 'ja', roles: ['viewer'], ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const post = (kz: TestKizuna, path: string, body: unknown) =>
    kz.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const tokenOf = (url: string) => url.split('#')[1];

  it('invites a new user with a one-time link shown once, which sets the password and signs them in', async () => {
    const id = await newUser(k, 'invitee@example.jp');
    const inv = await k.call('POST', `/api/users/${id}/invitation`, {}, { origin: 'https://crm.example.jp' });
    expect(inv.status, JSON.stringify(inv.body)).toBe(201);
    expect(inv.body).toMatchObject({ purpose: 'invite', emailed: false });
    expect(inv.body.url).toMatch(/^https:\/\/crm\.example\.jp\/set-password#[\w-]{40,}$/);
    const token = tokenOf(inv.body.url);

    const info = await post(k, '/api/auth/password-link', { token });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ purpose: 'invite', email: 'invitee@example.jp', name: '招待 花子', locale: 'ja' });

    const done = await post(k, '/api/auth/password-link/complete', { token, password: PASSWORD });
    expect(done.status).toBe(200);
    const body = await done.json();
    expect(body.user).toMatchObject({ id, email: 'invitee@example.jp' });
    const cookie = (done.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^kizuna_session=/);
    const me = await k.app.request('/api/auth/me', { headers: { cookie } });
    expect((await me.json()).user.id).toBe(id);
    const login = await post(k, '/api/auth/login', { email: 'invitee@example.jp', password: PASSWORD });
    expect(login.status).toBe(200);

    // Used once: refused clearly, by its own problem type, naming the token.
    const again = await post(k, '/api/auth/password-link/complete', { token, password: 'another password 1' });
    expect(again.status).toBe(410);
    const p = await again.json();
    expect(p.type).toBe('https://kizuna.dev/problems/link-used');
    expect(p.errors).toEqual([{ field: 'token', message: 'was already used' }]);
    expect((await post(k, '/api/auth/password-link', { token })).status).toBe(410);

    // The audit trail has the invitation and its acceptance, never the token.
    const audit = await k.call('GET', `/api/audit?record_id=${id}`);
    const actions = audit.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'invite', 'accept-invitation']));
    expect(JSON.stringify(audit.body)).not.toContain(token);
    // Stored only as a hash.
    const [row] = await k.db.query<{ id: string }>(sql`select id from kizuna_password_links where user_id = ${id}::uuid`);
    expect(row.id).not.toBe(token);
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an expired link with link-expired, and one a newer link or a deactivation withdrew with link-revoked', async () => {
    const id = await newUser(k, 'late@example.jp');
    const first = tokenOf((await k.call('POST', `/api/users/${id}/invitation`)).body.url);
    const second = tokenOf((await k.call('POST', `/api/users/${id}/invitation`)).body.url);
    const withdrawn = await post(k, '/api/auth/password-link/complete', { token: first, password: PASSWORD });
    expect(withdrawn.status).toBe(410);
    expect((await withdrawn.json()).type).toBe('https://kizuna.dev/problems/link-revoked');

    // Time passes: the link's week is over.
    await k.db.query(sql`update kizuna_password_links set expires_at = now() - interval '1 minute' where user_id = ${id}::uuid`);
    const expired = await post(k, '/api/auth/password-link', { token: second });
    expect(expired.status).toBe(410);
    const p = await expired.json();
    expect(p.type).toBe('https://kizuna.dev/problems/link-expired');
    expect(p.errors[0].field).toBe('token');

    const third = tokenOf((await k.call('POST', `/api/users/${id}/invitation`)).body.url);
    expect((await k.call('PATCH', `/api/users/${id}`, { active: false })).status).toBe(200);
    const off = await post(k, '/api/auth/password-link', { token: third });
    expect(off.status).toBe(410);
    expect((await off.json()).type).toBe('https://kizuna.dev/problems/link-revoked');
    const refused = await k.call('POST', `/api/users/${id}/invitation`);
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].field).toBe('active');
  });

  it('withdraws a reset link when the password is changed some other way', async () => {
    const id = await newUser(k, 'changed@example.jp', { password: 'the old password' });
    const token = tokenOf((await k.call('POST', `/api/users/${id}/password-reset`, { method: 'link' })).body.url);
    expect((await k.call('PATCH', `/api/users/${id}`, { password: 'set by the admin 1' })).status).toBe(200);
    const r = await post(k, '/api/auth/password-link/complete', { token, password: PASSWORD });
    expect(r.status).toBe(410);
    expect((await r.json()).type).toBe('https://kizuna.dev/problems/link-revoked');
  });

  it('answers bad input with 4xx problems naming the field', async () => {
    const missing = await post(k, '/api/auth/password-link/complete', { password: 'short' });
    expect(missing.status).toBe(422);
    expect((await missing.json()).errors.map((e: { field: string }) => e.field)).toEqual(['token', 'password']);
    const unknown = await post(k, '/api/auth/password-link', { token: 'x'.repeat(43) });
    expect(unknown.status).toBe(404);
    expect((await post(k, '/api/auth/password-link', [])).status).toBe(422);
    const id = await newUser(k, 'has-password@example.jp', { password: 'already a password' });
    const invite = await k.call('POST', `/api/users/${id}/invitation`);
    expect(invite.status).toBe(409);
    expect(invite.body.errors[0].field).toBe('password');
    const badOpts = await k.call('POST', `/api/users/${id}/password-reset`, { method: 'sms', send_email: 'yes', extra: 1 });
    expect(badOpts.status).toBe(422);
    expect(badOpts.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'method', 'send_email']);
    expect((await k.call('POST', '/api/users/00000000-0000-7000-8000-000000000000/invitation')).status).toBe(404);
    expect((await k.call('POST', '/api/users/not-a-uuid/password-reset', { method: 'link' })).status).toBe(404);
  });

  it('resets a password with a link, ending the user’s sessions', async () => {
    const id = await newUser(k, 'forgetful@example.jp', { password: 'the old password' });
    const old = await post(k, '/api/auth/login', { email: 'forgetful@example.jp', password: 'the old password' });
    const oldCookie = (old.headers.get('set-cookie') ?? '').split(';')[0];
    const reset = await k.call('POST', `/api/users/${id}/password-reset`, { method: 'link' });
    expect(reset.status).toBe(201);
    expect(reset.body).toMatchObject({ method: 'link', purpose: 'reset', emailed: false });
    const done = await post(k, '/api/auth/password-link/complete', { token: tokenOf(reset.body.url), password: PASSWORD });
    expect(done.status).toBe(200);
    expect((await k.app.request('/api/auth/me', { headers: { cookie: oldCookie } })).status).toBe(401);
    expect((await post(k, '/api/auth/login', { email: 'forgetful@example.jp', password: 'the old password' })).status).toBe(401);
    expect((await post(k, '/api/auth/login', { email: 'forgetful@example.jp', password: PASSWORD })).status).toBe(200);
  });

  it('gives a temporary password once, which replaces the old one and ends sessions', async () => {
    const id = await newUser(k, 'temp@example.jp', { password: 'the old password' });
    const old = await post(k, '/api/auth/login', { email: 'temp@example.jp', password: 'the old password' });
    const oldCookie = (old.headers.get('set-cookie') ?? '').split(';')[0];
    const r = await k.call('POST', `/api/users/${id}/password-reset`, { method: 'temporary_password' });
    expect(r.status).toBe(201);
    expect(r.body.temporary_password).toMatch(/^[a-zA-Z2-9]{16}$/);
    expect((await k.app.request('/api/auth/me', { headers: { cookie: oldCookie } })).status).toBe(401);
    expect((await post(k, '/api/auth/login', { email: 'temp@example.jp', password: r.body.temporary_password })).status).toBe(200);
    const audit = await k.call('GET', `/api/audit?record_id=${id}`);
    expect(JSON.stringify(audit.body)).not.toContain(r.body.temporary_password);
  });

  it('emails the link in the user’s language when SMTP is configured, and does not answer it', async () => {
    const id = await newUser(mailing, 'mailed@example.jp');
    const inv = await mailing.call('POST', `/api/users/${id}/invitation`, {}, { origin: 'https://crm.example.jp' });
    expect(inv.status).toBe(201);
    expect(inv.body).toMatchObject({ purpose: 'invite', emailed: true });
    expect(inv.body.url).toBeUndefined();
    await expect.poll(() => smtp.messages.filter((m) => m.to.includes('mailed@example.jp')).length).toBe(1);
    const mail = smtp.messages.find((m) => m.to.includes('mailed@example.jp'))!;
    expect(mail.subject).toBe('Kizuna への招待');
    expect(mail.from).toBe('crm@example.jp');
    const url = /https:\/\/crm\.example\.jp\/set-password#([\w-]+)/.exec(mail.text);
    expect(url).not.toBeNull();
    const done = await post(mailing, '/api/auth/password-link/complete', { token: url![1], password: PASSWORD });
    expect(done.status).toBe(200);

    // send_email: false shows the link to the admin instead.
    const other = await newUser(mailing, 'handed@example.jp');
    const shown = await mailing.call('POST', `/api/users/${other}/invitation`, { send_email: false });
    expect(shown.body).toMatchObject({ emailed: false });
    expect(shown.body.url).toMatch(/\/set-password#/);
  });

  it('is for admins only', async () => {
    const id = await newUser(k, 'plain@example.jp', { password: 'plain password 1' });
    const login = await post(k, '/api/auth/login', { email: 'plain@example.jp', password: 'plain password 1' });
    const { csrf_token } = await login.json();
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const r = await k.app.request(`/api/users/${id}/password-reset`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' },
      body: '{"method":"temporary_password"}',
    });
    expect(r.status).toBe(403);
  });
});
