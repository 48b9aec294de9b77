// Sessions for people in the studio: a random token in an HttpOnly cookie, stored only as a
// hash server-side so it can be revoked; each session has its own CSRF token.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { auditOf, type AuditContext } from './audit-context.ts';
import { ISO_TIME } from './shapes.ts';

export const SESSION_COOKIE = 'kizuna_session';
const TTL_MS = 7 * 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 60_000;

const PUBLIC_ID_LENGTH = 16;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SessionInfo {
  sessionId: string;
  userId: string;
  email: string;
  isAdmin: boolean;
  csrfToken: string;
}

/** A live session as its user sees it (GET /api/auth/sessions). */
export interface SessionView {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** The session asking. */
  current: boolean;
}

export function createSessionStore({ db }: { db: Database }) {
  const touched = new Map<string, number>();
  return {
    async create(userId: string, meta: { ip?: string; userAgent?: string }, exec: Executor = db) {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(Date.now() + TTL_MS);
      await exec.query(sql`insert into kizuna_sessions (id, user_id, csrf_token, expires_at, ip, user_agent)
        values (${hash(token)}, ${userId}::uuid, ${csrfToken}, ${expiresAt.toISOString()}::timestamptz, ${meta.ip ?? null}, ${meta.userAgent?.slice(0, 300) ?? null})`);
      return { token, csrfToken, expiresAt, sessionId: hash(token) };
    },

    /** undefined when the token is unknown, revoked, expired, or its user is inactive. */
    async verify(token: string): Promise<SessionInfo | undefined> {
      const id = hash(token);
      const [row] = await db.query<{
        user_id: string;
        csrf_token: string;
        email: string;
        is_admin: boolean;
      }>(sql`select s.user_id::text as user_id, s.csrf_token, u.email, u.is_admin
        from kizuna_sessions s join kizuna_users u on u.id = s.user_id
        where s.id = ${id} and s.revoked_at is null and s.expires_at > now() and u.active`);
      if (!row) return undefined;
      const now = Date.now();
      if ((touched.get(id) ?? 0) < now - TOUCH_EVERY_MS) {
        touched.set(id, now);
        await db.query(sql`update kizuna_sessions set last_seen_at = now() where id = ${id}`);
      }
      return { sessionId: id, userId: row.user_id, email: row.email, isAdmin: row.is_admin, csrfToken: row.csrf_token };
    },

    async revoke(sessionId: string) {
      await db.query(sql`update kizuna_sessions set revoked_at = now() where id = ${sessionId} and revoked_at is null`);
    },

    /**
     * A user's live sessions, newest first. Each is named by the first 16 characters of its
     * stored hash (`id`): enough to tell one from another and end it, never enough to use it.
     */
    async listFor(userId: string, currentSessionId?: string): Promise<SessionView[]> {
      const rows = await db.query<SessionView & Record<string, unknown>>(sql`select left(id, ${PUBLIC_ID_LENGTH}) as id,
          to_char(created_at at time zone 'UTC', ${ISO_TIME}) as created_at, to_char(last_seen_at at time zone 'UTC', ${ISO_TIME}) as last_seen_at,
          to_char(expires_at at time zone 'UTC', ${ISO_TIME}) as expires_at, ip, user_agent, id = ${currentSessionId ?? ''} as current
        from kizuna_sessions where user_id = ${userId}::uuid and revoked_at is null and expires_at > now()
        order by last_seen_at desc, created_at desc`);
      return rows.map((r) => ({ ...r, current: r.current === true }));
    },

    /** Ends one of a user's own sessions by its public id, audited; false when there is no such live session. */
    async revokeOwn(userId: string, publicId: string, ctx: AuditContext): Promise<boolean> {
      if (!/^[0-9a-f]{16}$/.test(publicId)) return false;
      return db.transaction(async (tx) => {
        const rows = await tx.query(sql`update kizuna_sessions set revoked_at = now()
          where user_id = ${userId}::uuid and left(id, ${PUBLIC_ID_LENGTH}) = ${publicId} and revoked_at is null and expires_at > now() returning id`);
        if (!rows.length) return false;
        await writeAudit(tx, {
          kind: 'auth',
          object: 'session',
          recordId: userId,
          action: 'sign-out',
          changes: { session: publicId },
          ...auditOf(ctx),
        });
        return true;
      });
    },

    /** Ends every other session of a user (the one asking stays), audited; answers how many ended. */
    async revokeOthers(userId: string, currentSessionId: string | undefined, ctx: AuditContext): Promise<number> {
      return db.transaction(async (tx) => {
        const rows = await tx.query(sql`update kizuna_sessions set revoked_at = now()
          where user_id = ${userId}::uuid and revoked_at is null and expires_at > now() ${currentSessionId ? sql`and id <> ${currentSessionId}` : sql``} returning id`);
        await writeAudit(tx, {
          kind: 'auth',
          object: 'session',
          recordId: userId,
          action: 'sign-out-others',
          changes: { sessions: rows.length },
          ...auditOf(ctx),
        });
        return rows.length;
      });
    },

    /** Ends every session of a user but one (after a password change, the one that changed it). */
    async revokeAllFor(userId: string, exceptSessionId?: string, exec: Executor = db) {
      await exec.query(sql`update kizuna_sessions set revoked_at = now()
        where user_id = ${userId}::uuid and revoked_at is null ${exceptSessionId ? sql`and id <> ${exceptSessionId}` : sql``}`);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
