// API keys for programs: shown once, stored as a SHA-256 hash (keys are 256-bit random, so a
// fast hash is safe; a memory-hard KDF is for passwords), looked up by that hash.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import { notFound, unauthorized, validation } from '../problems/index.ts';
import { uuidv7 } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { auditOf, type AuditContext } from './audit-context.ts';

import type { Principal } from './principal.ts';
import { ISO_TIME } from './shapes.ts';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: string | null;
  user_id: string;
  created_at: string;
  last_used_at: string | null;
}

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
export const newKeySecret = () => `kz_${randomBytes(32).toString('base64url')}`;
const prefixOf = (key: string) => key.slice(0, 10);

const CHANNEL = 'kizuna_auth';
const CACHE_TTL_MS = 30_000;
const TOUCH_EVERY_MS = 60_000;

/**
 * Revokes every live key of a user (on deactivation, in its transaction). Keys are revoked, not
 * just hidden behind the user's active flag, so that reactivating the user does not revive them.
 */
export async function revokeKeysOf(exec: Executor, userId: string): Promise<void> {
  await exec.query(sql`update kizuna_api_keys set revoked_at = now() where user_id = ${userId}::uuid and revoked_at is null`);
}

export async function createApiKeyStore({ db }: { db: Database }) {
  // Verified keys are cached briefly; a revocation anywhere clears every process's cache.
  const cache = new Map<string, { principal: Principal; expires: number }>();
  const touched = new Map<string, number>();
  const unlisten = await db.listen(CHANNEL, () => cache.clear());

  /** `audit`: who asked (people's keys made over the API are in the audit trail; the bootstrap key is not). */
  async function create(input: { userId: string; name: unknown; role?: unknown; key?: string; audit?: AuditContext }, exec: Executor = db) {
    const problems = [];
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 100)
      problems.push({ field: 'name', message: 'must be a name of 1–100 characters' });
    if (input.role !== undefined && input.role !== null && (typeof input.role !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(input.role))) {
      problems.push({ field: 'role', message: 'must be a role name' });
    }
    if (problems.length) throw validation(problems);
    const key = input.key ?? newKeySecret();
    const id = uuidv7();
    await exec.query(sql`insert into kizuna_api_keys (id, user_id, name, prefix, secret_hash, role)
      values (${id}::uuid, ${input.userId}::uuid, ${(input.name as string).trim()}, ${prefixOf(key)}, ${hashKey(key)}, ${(input.role as string | undefined) ?? null})`);
    if (input.audit)
      await writeAudit(exec, {
        kind: 'auth',
        object: 'api_key',
        recordId: id,
        action: 'create',
        changes: { name: (input.name as string).trim(), user_id: input.userId, role: (input.role as string | undefined) ?? null },
        ...auditOf(input.audit),
      });
    return { id, name: (input.name as string).trim(), prefix: prefixOf(key), role: (input.role as string | undefined) ?? null, key };
  }

  /** Live keys; only one user's when userId is given. */
  async function list(userId?: string): Promise<ApiKeyView[]> {
    return db.query<ApiKeyView & Record<string, unknown>>(sql`select id::text as id, name, prefix, role, user_id::text as user_id,
        to_char(created_at at time zone 'UTC', ${ISO_TIME}) as created_at,
        to_char(last_used_at at time zone 'UTC', ${ISO_TIME}) as last_used_at
      from kizuna_api_keys where revoked_at is null ${userId ? sql`and user_id = ${userId}::uuid` : sql``} order by created_at`);
  }

  /** Revokes a key; only one of the given user's when userId is given. */
  async function revoke(id: string, userId?: string, audit?: AuditContext) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`No API key with id "${id}"`);
    await db.transaction(async (tx) => {
      const rows = await tx.query<{ name: string; user_id: string }>(sql`update kizuna_api_keys set revoked_at = now()
        where id = ${id}::uuid and revoked_at is null ${userId ? sql`and user_id = ${userId}::uuid` : sql``} returning name, user_id::text as user_id`);
      if (!rows.length) throw notFound(`No API key with id "${id}"`);
      if (audit)
        await writeAudit(tx, {
          kind: 'auth',
          object: 'api_key',
          recordId: id,
          action: 'revoke',
          changes: { name: rows[0].name, user_id: rows[0].user_id },
          ...auditOf(audit),
        });
    });
    cache.clear();
    await db.query(sql`select pg_notify(${CHANNEL}, ${id})`);
  }

  async function verify(key: string): Promise<Principal> {
    const hash = hashKey(key);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.expires > now) return hit.principal;
    const [row] = await db.query<{ key_id: string; user_id: string; email: string; is_admin: boolean; role: string | null }>(
      sql`select k.id::text as key_id, u.id::text as user_id, u.email, u.is_admin, k.role
        from kizuna_api_keys k join kizuna_users u on u.id = k.user_id
        where k.secret_hash = ${hash} and k.revoked_at is null and u.active`,
    );
    if (!row) throw unauthorized('The API key is not valid or has been revoked');
    const principal: Principal = {
      userId: row.user_id,
      email: row.email,
      isAdmin: row.is_admin && !row.role,
      userIsAdmin: row.is_admin,
      keyId: row.key_id,
      role: row.role,
    };
    cache.set(hash, { principal, expires: now + CACHE_TTL_MS });
    if ((touched.get(row.key_id) ?? 0) < now - TOUCH_EVERY_MS) {
      touched.set(row.key_id, now);
      await db.query(sql`update kizuna_api_keys set last_used_at = now() where id = ${row.key_id}::uuid`);
    }
    return principal;
  }

  /** Whether a user is still active and, for work started with a key, the key not revoked (long jobs ask). */
  async function stillValid(userId: string, keyId?: string): Promise<boolean> {
    const [row] = await db.query<{ ok: boolean }>(sql`select u.active and (${keyId ?? null}::uuid is null or exists (
        select 1 from kizuna_api_keys k where k.id = ${keyId ?? null}::uuid and k.user_id = u.id and k.revoked_at is null)) as ok
      from kizuna_users u where u.id = ${userId}::uuid`);
    return row?.ok === true;
  }

  return { create, list, revoke, verify, stillValid, clearCache: () => cache.clear(), close: () => unlisten() };
}

export type ApiKeyStore = Awaited<ReturnType<typeof createApiKeyStore>>;
