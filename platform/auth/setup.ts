// The first admin's password, set once with the setup token printed on first start (when
// KIZUNA_ADMIN_PASSWORD is unset): the studio's setup page, then the person is signed in.
// Until then the admin's password_hash holds "setup$" + sha256(token).
import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { conflict, forbidden, tooManyRequests, validation, type FieldProblem } from '../problems/index.ts';
import { SETUP_PREFIX, setupHash } from './bootstrap.ts';
import { attemptSucceeded, LOGIN_LIMITS, reserveAttempt } from './login.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { SessionStore } from './sessions.ts';
import { replacePasswordHash } from './users.ts';

// Setup attempts are counted like sign-ins, under a name no email can have: after
// LOGIN_LIMITS.perAccount wrong tokens in the window, setup waits (429 with Retry-After).
const SETUP_ACCOUNT = '#setup';

interface PendingAdmin {
  id: string;
  email: string;
  password_hash: string;
}

async function pendingAdmin(db: Database): Promise<PendingAdmin | undefined> {
  const [row] = await db.query<PendingAdmin & Record<string, unknown>>(sql`select id::text as id, email, password_hash from kizuna_users
    where is_admin and active and starts_with(password_hash, ${SETUP_PREFIX}) order by created_at limit 1`);
  return row;
}

/** Whether the first admin still waits for a password (the studio then shows its setup page). */
export async function setupStatus(db: Database): Promise<{ pending: boolean; email?: string }> {
  const admin = await pendingAdmin(db);
  return admin ? { pending: true, email: admin.email } : { pending: false };
}

/** Checks the token (once, in constant time), sets the password and opens a session. */
export async function completeSetup(
  { db, sessions }: { db: Database; sessions: SessionStore },
  input: unknown,
  meta: { ip?: string; userAgent?: string; requestId?: string },
) {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  if (typeof body.token !== 'string' || !body.token.trim() || body.token.length > 200)
    problems.push({ field: 'token', message: 'is required' });
  const weak = passwordProblem(body.password);
  if (weak) problems.push({ field: 'password', message: weak });
  if (problems.length) throw validation(problems);

  const done = () => conflict('The admin password is already set: sign in instead');
  const admin = await pendingAdmin(db);
  if (!admin) throw done();
  const slot = await reserveAttempt(db, SETUP_ACCOUNT, meta.ip ?? null);
  if (slot.attempt === null) {
    const first = slot.account_first ?? Date.now();
    throw tooManyRequests(
      'Too many wrong setup tokens; try again later',
      Math.max(1, Math.ceil((first + LOGIN_LIMITS.windowMinutes * 60_000 - Date.now()) / 1000)),
    );
  }
  const given = Buffer.from(setupHash((body.token as string).trim()));
  const stored = Buffer.from(admin.password_hash);
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) {
    throw forbidden('The setup token is wrong', [{ field: 'token', message: 'is not the setup token printed on first start' }]);
  }
  // Only the request that still finds the token's hash sets the password: the token works once.
  const hash = await hashPassword(body.password as string);
  if (!(await replacePasswordHash(db, admin.id, admin.password_hash, hash))) throw done();
  await attemptSucceeded(db, slot.attempt);

  const [user] = await db.query<{ id: string; email: string; name: string; locale: string; is_admin: boolean }>(
    sql`select id::text as id, email, name, locale, is_admin from kizuna_users where id = ${admin.id}::uuid`,
  );
  const session = await sessions.create(user.id, meta);
  await writeAudit(db, {
    kind: 'auth',
    object: 'user',
    recordId: user.id,
    action: 'setup',
    actor: user.id,
    requestId: meta.requestId,
    via: `session:${session.sessionId.slice(0, 12)}`,
  });
  return { user, ...session };
}
