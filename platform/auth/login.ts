// Sign-in for people: email + password → a session. Failed attempts are counted in the
// database (so every node sees them) per account and per address, and answered with 429.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { tooManyRequests, unauthorized, validation, type FieldProblem } from '../problems/index.ts';
import { verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';

export const LOGIN_LIMITS = { perAccount: 5, perAddress: 30, windowMinutes: 15 };

export async function login(
  { db, sessions }: { db: Database; sessions: SessionStore },
  input: unknown,
  meta: { ip?: string; userAgent?: string; requestId?: string },
) {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  if (typeof body.email !== 'string' || !body.email.trim() || body.email.length > 254) problems.push({ field: 'email', message: 'is required' });
  if (typeof body.password !== 'string' || !body.password || body.password.length > 200) problems.push({ field: 'password', message: 'is required' });
  if (problems.length) throw validation(problems);
  const email = (body.email as string).trim();
  const ip = meta.ip ?? null;

  const windowMs = LOGIN_LIMITS.windowMinutes * 60_000;
  const [counts] = await db.query<{ account: number; address: number; account_first: number | null; address_first: number | null }>(sql`select
      count(*) filter (where lower(email) = lower(${email}::text))::int as account,
      count(*) filter (where ip = ${ip}::text)::int as address,
      (extract(epoch from min(at) filter (where lower(email) = lower(${email}::text))) * 1000)::float8 as account_first,
      (extract(epoch from min(at) filter (where ip = ${ip}::text)) * 1000)::float8 as address_first
    from kizuna_login_attempts
    where not success and at > now() - make_interval(mins => ${LOGIN_LIMITS.windowMinutes}::int)
      and (lower(email) = lower(${email}::text) or ip = ${ip}::text)`);
  const waitFrom = (first: number | null) => Math.max(1, Math.ceil(((first ?? Date.now()) + windowMs - Date.now()) / 1000));
  if (counts.account >= LOGIN_LIMITS.perAccount) {
    throw tooManyRequests('Too many failed sign-ins for this account; try again later', waitFrom(counts.account_first));
  }
  if (ip && counts.address >= LOGIN_LIMITS.perAddress) {
    throw tooManyRequests('Too many failed sign-ins from this address; try again later', waitFrom(counts.address_first));
  }

  const [user] = await db.query<{ id: string; password_hash: string | null; email: string; name: string; locale: string; is_admin: boolean }>(
    sql`select id::text as id, password_hash, email, name, locale, is_admin from kizuna_users where lower(email) = lower(${email}::text) and active`,
  );
  const ok = await verifyPassword(body.password as string, user?.password_hash);
  await db.query(sql`insert into kizuna_login_attempts (email, ip, success) values (${email}, ${ip}::text, ${ok && !!user})`);
  if (!ok || !user) throw unauthorized('The email or the password is wrong');

  const session = await sessions.create(user.id, meta);
  await writeAudit(db, { kind: 'auth', object: 'session', recordId: user.id, action: 'login', actor: user.id, requestId: meta.requestId, via: `session:${session.sessionId.slice(0, 12)}` });
  return { user: { id: user.id, email: user.email, name: user.name, locale: user.locale, is_admin: user.is_admin }, ...session };
}
