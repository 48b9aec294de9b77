// kizuna_users' one writer. People are created and changed by people.ts, the first admin by
// bootstrap.ts, the setup token's password by setup.ts, and the system users that workflows
// and plugins act as are made here: all of them through these functions. Everyone else reads.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';

export interface NewUser {
  id: string;
  email: string;
  name: string;
  locale?: string;
  isAdmin?: boolean;
  active?: boolean;
  passwordHash?: string | null;
}

export async function insertUser(exec: Executor, u: NewUser): Promise<void> {
  await exec.query(sql`insert into kizuna_users (id, email, name, locale, is_admin, active, password_hash)
    values (${u.id}::uuid, ${u.email}, ${u.name}, ${u.locale ?? 'en'}, ${u.isAdmin === true}, ${u.active !== false}, ${u.passwordHash ?? null})`);
}

export interface UserChanges {
  email?: string;
  name?: string;
  locale?: string;
  isAdmin?: boolean;
  active?: boolean;
  passwordHash?: string;
}

export async function updateUserRow(exec: Executor, id: string, c: UserChanges): Promise<void> {
  const sets: SQL[] = [sql`updated_at = now()`];
  if (c.email !== undefined) sets.push(sql`email = ${c.email}`);
  if (c.name !== undefined) sets.push(sql`name = ${c.name}`);
  if (c.locale !== undefined) sets.push(sql`locale = ${c.locale}`);
  if (c.isAdmin !== undefined) sets.push(sql`is_admin = ${c.isAdmin}`);
  if (c.active !== undefined) sets.push(sql`active = ${c.active}`);
  if (c.passwordHash !== undefined) sets.push(sql`password_hash = ${c.passwordHash}`);
  await exec.query(sql`update kizuna_users set ${sql.join(sets, sql`, `)} where id = ${id}::uuid`);
}

/** Sets a password only while the stored hash is still `expected` (a one-time token): answers whether it did. */
export async function replacePasswordHash(exec: Executor, id: string, expected: string, hash: string): Promise<boolean> {
  const set = await exec.query(sql`update kizuna_users set password_hash = ${hash}, updated_at = now()
    where id = ${id}::uuid and password_hash = ${expected} returning id`);
  return set.length > 0;
}

export async function passwordHashOf(exec: Executor, id: string): Promise<string | null> {
  const [row] = await exec.query<{ password_hash: string | null }>(sql`select password_hash from kizuna_users where id = ${id}::uuid`);
  return row?.password_hash ?? null;
}

/**
 * The user a workflow or a plugin acts as (what it writes is recorded under its name), found by
 * its email or made: no password, never an admin, listed apart from people by its address
 * (`*.kizuna.invalid`, a domain that cannot receive mail).
 */
export async function systemUser(exec: Executor, s: { id: string; email: string; name: string }): Promise<string> {
  const [row] = await exec.query<{ id: string }>(sql`select id::text as id from kizuna_users where lower(email) = lower(${s.email})`);
  if (row) return row.id;
  await exec.query(sql`insert into kizuna_users (id, email, name) values (${s.id}::uuid, ${s.email}, ${s.name.slice(0, 200)})`);
  return s.id;
}
