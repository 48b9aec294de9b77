// /api/auth: sign-in for people (session cookie + CSRF token), the current user, passwords.
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Database } from '../db/index.ts';
import {
  completeSetup,
  login,
  passwordHashOf,
  passwordProblem,
  SESSION_COOKIE,
  setupStatus,
  verifyPassword,
  type PeopleStore,
  type SessionStore,
} from '../auth/index.ts';
import { forbidden, unauthorized, validation } from '../problems/index.ts';
import { readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

export interface AuthRouteDeps {
  db: Database;
  sessions: SessionStore;
  people: PeopleStore;
  /** Mark the cookie Secure (set KIZUNA_SECURE_COOKIES=true behind HTTPS). */
  secureCookies?: boolean;
}

export function clientIp(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // app.request() in tests has no socket
  }
}

/** Where a sign-in comes from, for its session and the audit trail. */
export const signInOrigin = (c: Context<AppEnv>) => ({
  ip: clientIp(c),
  userAgent: c.req.header('user-agent'),
  requestId: c.get('requestId'),
});

/** The answer to a new session (sign-in, setup, a password link): its cookie, the user and the CSRF token. */
export function signedIn(
  c: Context<AppEnv>,
  session: { token: string; expiresAt: Date; user: unknown; csrfToken: string },
  secure?: boolean,
): Response {
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure ?? false,
    path: '/',
    expires: session.expiresAt,
  });
  return c.json({ user: session.user, csrf_token: session.csrfToken });
}

/** Routes that work without a signed-in caller. Mounted before the auth middleware. */
export function publicAuthRoutes({ db, sessions, secureCookies }: AuthRouteDeps) {
  const app = new Hono<AppEnv>();
  app.post('/login', async (c) => {
    const body = await readJson(c, 16 * 1024);
    return signedIn(c, await login({ db, sessions }, body, signInOrigin(c)), secureCookies);
  });

  // While the first admin has no password: the studio shows its setup page. The one-time
  // setup token printed on first start sets the password and signs the admin in.
  app.get('/setup', async (c) => c.json(await setupStatus(db)));
  app.post('/setup', async (c) => {
    const body = await readJson(c, 16 * 1024);
    return signedIn(c, await completeSetup({ db, sessions }, body, signInOrigin(c)), secureCookies);
  });
  return app;
}

export function authRoutes({ db, sessions, people }: AuthRouteDeps) {
  const app = new Hono<AppEnv>();
  app.post('/logout', async (c) => {
    const p = c.get('principal');
    if (p.sessionId) await sessions.revoke(p.sessionId);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.get('/me', async (c) => {
    const p = c.get('principal');
    const user = await people.users.get(p.userId);
    return c.json({ user, ...(p.csrfToken && { csrf_token: p.csrfToken }), api_key_id: p.keyId ?? null });
  });

  // A person changes their own password; every other session of theirs ends.
  app.post('/password', async (c) => {
    const p = c.get('principal');
    const body = (await readJson(c, 16 * 1024)) as Record<string, unknown>;
    const problem = passwordProblem(body?.new_password);
    if (problem) throw validation([{ field: 'new_password', message: problem }]);
    const stored = await passwordHashOf(db, p.userId);
    if (typeof body?.current_password !== 'string' || !(await verifyPassword(body.current_password, stored))) {
      if (!p.sessionId && !stored) throw forbidden('This user has no password yet; an admin sets it');
      throw unauthorized('The current password is wrong');
    }
    await people.users.update(
      p.userId,
      { password: body.new_password },
      { actor: p.userId, requestId: c.get('requestId'), via: c.get('actor').via },
      {
        onPasswordChange: (tx) => sessions.revokeAllFor(p.userId, p.sessionId, tx),
      },
    );
    return c.body(null, 204);
  });
  return app;
}
