// Sign-in for people: email + password → a session. Failed attempts are counted in the
// database (so every node sees them) per account and per address (docs/API.md, "Signing in").
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { tooManyRequests, unauthorized, validation, type FieldProblem } from '../problems/index.ts';
import { verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';

/**
 * perAccount: failures per account (email) in the window; then every attempt is refused, the
 * right password included. perAddress: failures from one address in the window; past it the
 * address is slowed down (each attempt waits addressDelayMs, a failure answers 429), but a
 * right password for an account that is not locked still signs in.
 */
export const LOGIN_LIMITS = { perAccount: 5, perAddress: 30, windowMinutes: 15, addressDelayMs: 1000 };

/** Advisory lock space of sign-in attempts (second key: the schema and the account or address). */
const LOGIN_LOCK = 0x4b5a4c47; // "KZLG"

export interface Reservation {
  /** The attempt row written for this try (counted as a failure until it succeeds), or null: the account is locked. */
  attempt: string | null;
  account_first: number | null;
  /** Failures from this address in the window, before this attempt. */
  address: number;
  address_first: number | null;
}

/**
 * Counts the failures and records this attempt as one in a single step, under a lock per account
 * and per address: of N parallel attempts on an account, at most perAccount ever reach the
 * password check. (A count followed by a separate insert let 40 parallel guesses all through.)
 */
export async function reserveAttempt(db: Database, email: string, ip: string | null): Promise<Reservation> {
  return db.transaction(async (tx) => {
    // Always the account first, then the address: two attempts never wait for each other in a cycle.
    await tx.query(
      sql`select pg_advisory_xact_lock(${LOGIN_LOCK}::int, hashtext(current_schema() || ':account:' || lower(${email}::text)))`,
    );
    if (ip) await tx.query(sql`select pg_advisory_xact_lock(${LOGIN_LOCK}::int, hashtext(current_schema() || ':address:' || ${ip}::text))`);
    // A statement after the locks: its snapshot sees every attempt the previous holders committed.
    const [row] = await tx.query<Reservation & Record<string, unknown>>(sql`with c as (
        select count(*) filter (where lower(email) = lower(${email}::text))::int as account,
          count(*) filter (where ip = ${ip}::text)::int as address,
          (extract(epoch from min(at) filter (where lower(email) = lower(${email}::text))) * 1000)::float8 as account_first,
          (extract(epoch from min(at) filter (where ip = ${ip}::text)) * 1000)::float8 as address_first
        from kizuna_login_attempts
        where not success and at > now() - make_interval(mins => ${LOGIN_LIMITS.windowMinutes}::int)
          and (lower(email) = lower(${email}::text) or ip = ${ip}::text)
      ), i as (
        insert into kizuna_login_attempts (email, ip, success)
        select ${email}, ${ip}::text, false from c where c.account < ${LOGIN_LIMITS.perAccount}::int
        returning id
      )
      select (select id::text from i) as attempt, c.account_first, c.address, c.address_first from c`);
    return row;
  });
}

export async function login(
  { db, sessions }: { db: Database; sessions: SessionStore },
  input: unknown,
  meta: { ip?: string; userAgent?: string; requestId?: string },
) {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  if (typeof body.email !== 'string' || !body.email.trim() || body.email.length > 254)
    problems.push({ field: 'email', message: 'is required' });
  if (typeof body.password !== 'string' || !body.password || body.password.length > 200)
    problems.push({ field: 'password', message: 'is required' });
  if (problems.length) throw validation(problems);
  const email = (body.email as string).trim();
  const ip = meta.ip ?? null;

  const windowMs = LOGIN_LIMITS.windowMinutes * 60_000;
  const waitFrom = (first: number | null) => Math.max(1, Math.ceil(((first ?? Date.now()) + windowMs - Date.now()) / 1000));
  const slot = await reserveAttempt(db, email, ip);
  if (slot.attempt === null) {
    throw tooManyRequests('Too many failed sign-ins for this account; try again later', waitFrom(slot.account_first));
  }
  // An address with many failures (an attacker, or an office behind one NAT) is slowed down,
  // never locked: the accounts behind it are each protected by their own limit.
  const throttled = ip !== null && slot.address >= LOGIN_LIMITS.perAddress;
  if (throttled && LOGIN_LIMITS.addressDelayMs > 0) await new Promise((ok) => setTimeout(ok, LOGIN_LIMITS.addressDelayMs));

  const [user] = await db.query<{
    id: string;
    password_hash: string | null;
    email: string;
    name: string;
    locale: string;
    is_admin: boolean;
  }>(
    sql`select id::text as id, password_hash, email, name, locale, is_admin from kizuna_users where lower(email) = lower(${email}::text) and active`,
  );
  const ok = await verifyPassword(body.password as string, user?.password_hash);
  if (!ok || !user) {
    if (throttled) throw tooManyRequests('Too many failed sign-ins from this address; slow down', waitFrom(slot.address_first));
    throw unauthorized('The email or the password is wrong');
  }
  await attemptSucceeded(db, slot.attempt);

  const session = await sessions.create(user.id, meta);
  await writeAudit(db, {
    kind: 'auth',
    object: 'session',
    recordId: user.id,
    action: 'login',
    actor: user.id,
    requestId: meta.requestId,
    via: `session:${session.sessionId.slice(0, 12)}`,
  });
  return { user: { id: user.id, email: user.email, name: user.name, locale: user.locale, is_admin: user.is_admin }, ...session };
}

/** An attempt that succeeded no longer counts as a failure. */
export async function attemptSucceeded(db: Database, attempt: string): Promise<void> {
  await db.query(sql`update kizuna_login_attempts set success = true where id = ${attempt}::bigint`);
}
