// One-time links to set a password: an invitation for a new person, or a reset an admin sends.
// kizuna_password_links' one writer. The token is 256 random bits, shown once (in the link)
// and stored as its SHA-256 hash; it works once, until it expires, and only a user's newest
// link works (issuing one withdraws the earlier ones, as does deactivating the user).
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { conflict, gone, notFound, validation, type FieldProblem } from '../problems/index.ts';
import { auditOf, type AuditContext } from './audit-context.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { SessionStore } from './sessions.ts';
import { updateUserRow } from './users.ts';
import { ISO_TIME } from './shapes.ts';

export type LinkPurpose = 'invite' | 'reset';

/** How long a link works: an invitation a week (people are away), a reset a day. */
export const LINK_TTL_MS: Record<LinkPurpose, number> = { invite: 7 * 24 * 3600_000, reset: 24 * 3600_000 };

export interface IssuedLink {
  token: string;
  purpose: LinkPurpose;
  expires_at: string;
  user: { id: string; email: string; name: string; locale: string };
}

export interface LinkInfo {
  purpose: LinkPurpose;
  email: string;
  name: string;
  locale: string;
  expires_at: string;
}

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Withdraws every unused link of a user (on deactivation, in its transaction). */
export async function revokeLinksOf(exec: Executor, userId: string): Promise<void> {
  await exec.query(sql`update kizuna_password_links set revoked_at = now()
    where user_id = ${userId}::uuid and used_at is null and revoked_at is null`);
}

interface LinkRow {
  user_id: string;
  purpose: LinkPurpose;
  email: string;
  name: string;
  locale: string;
  active: boolean;
  expires_at: string;
  expired: boolean;
  used: boolean;
  revoked: boolean;
}

function tokenProblem(token: unknown): FieldProblem | undefined {
  return typeof token === 'string' && /^[\w-]{20,100}$/.test(token)
    ? undefined
    : { field: 'token', message: 'must be the token of a link' };
}

/** The link's row, or the problem that says clearly why it does not work (unknown, expired, used, withdrawn). */
function usable(row: LinkRow | undefined): LinkRow {
  if (!row) throw notFound('This link is not valid: check that it was copied whole');
  if (row.used)
    throw gone('link-used', 'This link was already used: sign in, or ask an admin for a new one', [
      { field: 'token', message: 'was already used' },
    ]);
  if (row.revoked || !row.active)
    throw gone('link-revoked', 'This link was withdrawn (a newer one was sent, or the account is deactivated)', [
      { field: 'token', message: 'was withdrawn' },
    ]);
  if (row.expired)
    throw gone('link-expired', 'This link has expired: ask an admin for a new one', [{ field: 'token', message: 'has expired' }]);
  return row;
}

export function createPasswordLinks({ db, sessions }: { db: Database; sessions: SessionStore }) {
  async function find(exec: Executor, token: string, lock: boolean): Promise<LinkRow | undefined> {
    const [row] = await exec.query<LinkRow & Record<string, unknown>>(sql`select l.user_id::text as user_id, l.purpose, u.email, u.name,
        u.locale, u.active, to_char(l.expires_at at time zone 'UTC', ${ISO_TIME}) as expires_at, l.expires_at <= now() as expired,
        l.used_at is not null as used, l.revoked_at is not null as revoked
      from kizuna_password_links l join kizuna_users u on u.id = l.user_id
      where l.id = ${hashToken(token)} ${lock ? sql`for update of l` : sql``}`);
    return row;
  }

  /**
   * A new link for a user (withdrawing the earlier ones), audited. An invitation is for someone
   * who has no password yet; a reset for anyone active.
   */
  async function issue(userId: string, purpose: LinkPurpose, ctx: AuditContext, ttlMs = LINK_TTL_MS[purpose]): Promise<IssuedLink> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) throw notFound(`No user with id "${userId}"`);
    return db.transaction(async (tx) => {
      const [user] = await tx.query<{ id: string; email: string; name: string; locale: string; active: boolean; has_password: boolean }>(
        sql`select id::text as id, email, name, locale, active, password_hash is not null as has_password
          from kizuna_users where id = ${userId}::uuid for update`,
      );
      if (!user) throw notFound(`No user with id "${userId}"`);
      if (!user.active)
        throw conflict(`${user.email} is deactivated: reactivate the user first`, [
          { field: 'active', message: 'the user is deactivated' },
        ]);
      if (purpose === 'invite' && user.has_password)
        throw conflict(`${user.email} already has a password: send a password reset instead`, [
          { field: 'password', message: 'the user already has a password' },
        ]);
      await revokeLinksOf(tx, userId);
      const token = randomBytes(32).toString('base64url');
      const [link] = await tx.query<{
        expires_at: string;
      }>(sql`insert into kizuna_password_links (id, user_id, purpose, created_by, expires_at)
        values (${hashToken(token)}, ${userId}::uuid, ${purpose}, ${ctx.actor}::uuid, now() + ${`${Math.round(ttlMs)} milliseconds`}::interval)
        returning to_char(expires_at at time zone 'UTC', ${ISO_TIME}) as expires_at`);
      await writeAudit(tx, {
        kind: 'auth',
        object: 'user',
        recordId: userId,
        action: purpose === 'invite' ? 'invite' : 'password-reset',
        changes: { method: 'link', expires_at: link.expires_at },
        ...auditOf(ctx),
      });
      return {
        token,
        purpose,
        expires_at: link.expires_at,
        user: { id: user.id, email: user.email, name: user.name, locale: user.locale },
      };
    });
  }

  /** Who a link is for, while it works (the studio's page shows it before the password is chosen). */
  async function inspect(input: unknown): Promise<LinkInfo> {
    const token = (input as Record<string, unknown> | null)?.token;
    const bad = tokenProblem(token);
    if (bad) throw validation([bad]);
    const row = usable(await find(db, token as string, false));
    return { purpose: row.purpose, email: row.email, name: row.name, locale: row.locale, expires_at: row.expires_at };
  }

  /**
   * Sets the password with a link, once (of two requests with it at the same time, one wins:
   * the row is locked), ends the user's other sessions and opens a new one.
   */
  async function complete(input: unknown, meta: { ip?: string; userAgent?: string; requestId?: string }) {
    const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const problems: FieldProblem[] = [];
    const bad = tokenProblem(body.token);
    if (bad) problems.push(bad);
    const weak = passwordProblem(body.password);
    if (weak) problems.push({ field: 'password', message: weak });
    if (problems.length) throw validation(problems);
    const token = body.token as string;
    usable(await find(db, token, false)); // a clear refusal before the slow hash
    const hash = await hashPassword(body.password as string);
    return db.transaction(async (tx) => {
      const row = usable(await find(tx, token, true));
      await updateUserRow(tx, row.user_id, { passwordHash: hash });
      await tx.query(sql`update kizuna_password_links set used_at = now() where id = ${hashToken(token)}`);
      await sessions.revokeAllFor(row.user_id, undefined, tx);
      const session = await sessions.create(row.user_id, meta, tx);
      await writeAudit(tx, {
        kind: 'auth',
        object: 'user',
        recordId: row.user_id,
        action: row.purpose === 'invite' ? 'accept-invitation' : 'password-set',
        changes: { method: 'link' },
        actor: row.user_id,
        requestId: meta.requestId,
        via: `session:${session.sessionId.slice(0, 12)}`,
      });
      const [user] = await tx.query<{ id: string; email: string; name: string; locale: string; is_admin: boolean }>(
        sql`select id::text as id, email, name, locale, is_admin from kizuna_users where id = ${row.user_id}::uuid`,
      );
      return { user, ...session };
    });
  }

  return { issue, inspect, complete };
}

export type PasswordLinks = ReturnType<typeof createPasswordLinks>;
