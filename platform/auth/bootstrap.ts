// First start: an admin user and its first API key (KIZUNA_BOOTSTRAP_TOKEN, or a new random
// key that is printed once).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { uuidv7 } from '../records/index.ts';
import type { ApiKeyStore } from './api-keys.ts';

export interface BootstrapResult {
  created: boolean;
  userId: string;
  /** Set only when a key was generated now (to print once). */
  generatedKey?: string;
}

export async function bootstrapAdmin(db: Database, keys: ApiKeyStore, opts: { token?: string; email?: string; name?: string }): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    await tx.query(sql`lock table kizuna_users in exclusive mode`);
    const [existing] = await tx.query<{ id: string }>(sql`select id::text as id from kizuna_users where is_admin order by created_at limit 1`);
    if (existing) return { created: false, userId: existing.id };
    const userId = uuidv7();
    await tx.query(sql`insert into kizuna_users (id, email, name, is_admin) values (${userId}::uuid, ${opts.email ?? 'admin@localhost'}, ${opts.name ?? 'Administrator'}, true)`);
    const made = await keys.create({ userId, name: 'bootstrap', key: opts.token || undefined }, tx);
    return { created: true, userId, generatedKey: opts.token ? undefined : made.key };
  });
}
