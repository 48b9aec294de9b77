// First start: an admin user and its first API key (KIZUNA_BOOTSTRAP_TOKEN, or a new random
// key that is printed once). Its password comes from KIZUNA_ADMIN_PASSWORD, or a one-time
// setup token is printed to set it.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { uuidv7, type Database } from '../db/index.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { insertUser } from './users.ts';

export interface BootstrapResult {
  created: boolean;
  userId: string;
  /** Set only when a key was generated now (to print once). */
  generatedKey?: string;
  /** Set only when no password was given: POST /api/auth/setup { token, password }. */
  setupToken?: string;
}

export const SETUP_PREFIX = 'setup$';
export const setupHash = (token: string) => `${SETUP_PREFIX}${createHash('sha256').update(token).digest('hex')}`;

export async function bootstrapAdmin(
  db: Database,
  keys: ApiKeyStore,
  opts: { token?: string; email?: string; name?: string; password?: string },
): Promise<BootstrapResult> {
  if (opts.password !== undefined) {
    const problem = passwordProblem(opts.password);
    if (problem) throw new Error(`KIZUNA_ADMIN_PASSWORD ${problem}`);
  }
  return db.transaction(async (tx) => {
    await tx.query(sql`lock table kizuna_users in exclusive mode`);
    const [existing] = await tx.query<{ id: string }>(
      sql`select id::text as id from kizuna_users where is_admin order by created_at limit 1`,
    );
    if (existing) return { created: false, userId: existing.id };
    const userId = uuidv7();
    const setupToken = opts.password ? undefined : randomBytes(24).toString('base64url');
    const passwordHash = opts.password ? await hashPassword(opts.password) : setupHash(setupToken!);
    await insertUser(tx, {
      id: userId,
      email: opts.email ?? 'admin@localhost',
      name: opts.name ?? 'Administrator',
      isAdmin: true,
      passwordHash,
    });
    const made = await keys.create({ userId, name: 'bootstrap', key: opts.token || undefined }, tx);
    return { created: true, userId, generatedKey: opts.token ? undefined : made.key, setupToken };
  });
}
