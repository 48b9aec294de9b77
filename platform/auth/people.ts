// Users and the Caller each request acts as (teams: teams.ts, roles: roles.ts, what a user body may say: user-input.ts). Caches are per process and
// cleared everywhere by NOTIFY on every change, so a revoked role stops working at once.
import { sql } from 'drizzle-orm';
import { uuidv7, type Database, type Executor } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { createRoleStore } from './roles.ts';
import { auditOf, type AuditContext } from './audit-context.ts';
import { conflict, forbidden, notFound, type FieldProblem } from '../problems/index.ts';
import { hashPassword } from './passwords.ts';
import { revokeKeysOf } from './api-keys.ts';
import { revokeLinksOf } from './password-links.ts';
import { SETUP_PREFIX } from './bootstrap.ts';
import { ISO_TIME, UUID } from './shapes.ts';
import { createTeamStore, setTeamsOf } from './teams.ts';
import { checkUserInput } from './user-input.ts';
import { insertUser, updateUserRow } from './users.ts';
import type { Caller, RoleDef } from './permissions.ts';
import type { Principal } from './principal.ts';

export const AUTH_CHANNEL = 'kizuna_auth';

export interface UserView {
  id: string;
  email: string;
  name: string;
  locale: 'en' | 'ja';
  is_admin: boolean;
  active: boolean;
  /** Whether they have not chosen a password yet (invited, or still to be invited; the first admin before setup). */
  pending: boolean;
  roles: string[];
  teams: string[];
  created_at: string;
  updated_at: string;
}

const userSelect = sql`select u.id::text as id, u.email, u.name, u.locale, u.is_admin, u.active,
    coalesce(u.password_hash is null or starts_with(u.password_hash, ${SETUP_PREFIX}), true) as pending,
    coalesce((select array_agg(r.role order by r.role) from kizuna_user_roles r where r.user_id = u.id), '{}') as roles,
    coalesce((select array_agg(m.team_id::text order by m.team_id) from kizuna_team_members m where m.user_id = u.id), '{}') as teams,
    to_char(u.created_at at time zone 'UTC', ${ISO_TIME}) as created_at, to_char(u.updated_at at time zone 'UTC', ${ISO_TIME}) as updated_at
  from kizuna_users u`;

/**
 * onChange: also called at once in this process (NOTIFY reaches the others, and this one, a moment later).
 * roleProblems: what a role names that the current objects do not have (role-check.ts), so a
 * role that could not be evaluated is refused on save and its problems listed later.
 */
export async function createPeopleStore({
  db,
  onChange,
  roleProblems = () => [],
}: {
  db: Database;
  onChange?: () => void;
  roleProblems?: (role: RoleDef) => FieldProblem[];
}) {
  const callers = new Map<string, { caller: Caller; expires: number }>();
  const watchers = new Set<() => void>();
  const clear = () => {
    roleStore.clear();
    callers.clear();
  };
  const changed = async (exec: Executor = db) => {
    clear();
    onChange?.();
    await exec.query(sql`select pg_notify(${AUTH_CHANNEL}, ${db.schema})`);
  };
  const roleStore = createRoleStore({ db, roleProblems, changed });
  // Watchers hear the NOTIFY, so on every node and only after the change committed; the
  // payload is the schema, since Kizunas in other schemas of the database share the channel.
  const unlisten = await db.listen(AUTH_CHANNEL, (payload) => {
    clear();
    if (payload === db.schema) for (const w of watchers) w();
  });

  async function callerFor(p: Principal): Promise<Caller> {
    const admin = p.userIsAdmin ?? p.isAdmin;
    const key = `${p.userId}|${p.role ?? ''}|${admin}`;
    const hit = callers.get(key);
    if (hit && hit.expires > Date.now()) return hit.caller;
    const all = await roleStore.map();
    const [row] = await db.query<{ roles: string[]; teams: string[]; team_users: string[] }>(sql`select
        coalesce((select array_agg(role) from kizuna_user_roles where user_id = ${p.userId}::uuid), '{}') as roles,
        coalesce((select array_agg(team_id::text) from kizuna_team_members where user_id = ${p.userId}::uuid), '{}') as teams,
        coalesce((select array_agg(distinct m2.user_id::text) from kizuna_team_members m1 join kizuna_team_members m2 on m2.team_id = m1.team_id
                  where m1.user_id = ${p.userId}::uuid), '{}') as team_users`);
    const caller: Caller = {
      userId: p.userId,
      admin,
      teamIds: row?.teams ?? [],
      teamUserIds: row?.team_users ?? [],
      roles: (row?.roles ?? []).map((r) => all.get(r)).filter((r): r is RoleDef => !!r),
      ...(p.role ? { keyRole: all.get(p.role) ?? { name: p.role, label: { en: p.role, ja: p.role }, objects: {} } } : {}),
    };
    callers.set(key, { caller, expires: Date.now() + 30_000 });
    return caller;
  }

  // ---- users ----
  async function getUser(id: string, exec: Executor = db): Promise<UserView> {
    if (!UUID.test(id)) throw notFound(`No user with id "${id}"`);
    const [u] = await exec.query<UserView & Record<string, unknown>>(sql`${userSelect} where u.id = ${id}::uuid`);
    if (!u) throw notFound(`No user with id "${id}"`);
    return u;
  }

  async function listUsers(opts: { active?: boolean } = {}) {
    return db.query<UserView & Record<string, unknown>>(
      sql`${userSelect} ${opts.active === undefined ? sql`` : sql`where u.active = ${opts.active}`} order by u.created_at, u.id`,
    );
  }

  async function setMemberships(tx: Executor, userId: string, body: Record<string, unknown>) {
    if (Array.isArray(body.roles)) {
      await tx.query(sql`delete from kizuna_user_roles where user_id = ${userId}::uuid`);
      for (const r of new Set(body.roles as string[]))
        await tx.query(sql`insert into kizuna_user_roles (user_id, role) values (${userId}::uuid, ${r})`);
    }
    if (Array.isArray(body.teams)) await setTeamsOf(tx, userId, body.teams as string[]);
  }

  async function createUser(input: unknown, ctx: AuditContext): Promise<UserView> {
    return db.transaction(async (tx) => {
      const body = await checkUserInput(input, { creating: true, exec: tx, roles: await roleStore.map() });
      const id = uuidv7();
      const email = (body.email as string).trim();
      const [taken] = await tx.query(sql`select 1 as ok from kizuna_users where lower(email) = lower(${email})`);
      if (taken)
        throw conflict(`A user with the email ${email} already exists`, [{ field: 'email', message: 'is already used by another user' }]);
      await insertUser(tx, {
        id,
        email,
        name: (body.name as string).trim(),
        locale: (body.locale as string) ?? 'en',
        isAdmin: body.is_admin === true,
        active: body.active !== false,
        passwordHash: body.password ? await hashPassword(body.password as string) : null,
      });
      await setMemberships(tx, id, body);
      await writeAudit(tx, { kind: 'auth', object: 'user', recordId: id, action: 'create', changes: redact(body), ...auditOf(ctx) });
      await changed(tx);
      return getUser(id, tx);
    });
  }

  async function updateUser(
    id: string,
    input: unknown,
    ctx: AuditContext,
    opts: { onPasswordChange?: (tx: Executor) => Promise<void>; onDeactivate?: (tx: Executor) => Promise<void> } = {},
  ): Promise<UserView> {
    const before = await getUser(id);
    return db.transaction(async (tx) => {
      const body = await checkUserInput(input, { creating: false, exec: tx, roles: await roleStore.map() });
      if (before.id === ctx.actor && (body.is_admin === false || body.active === false)) {
        throw forbidden('You cannot remove your own admin rights or deactivate yourself', [
          { field: body.active === false ? 'active' : 'is_admin', message: 'cannot be changed on yourself' },
        ]);
      }
      const email = body.email !== undefined ? (body.email as string).trim() : undefined;
      if (email !== undefined) {
        const [taken] = await tx.query(sql`select 1 as ok from kizuna_users where lower(email) = lower(${email}) and id <> ${id}::uuid`);
        if (taken)
          throw conflict(`A user with the email ${email} already exists`, [{ field: 'email', message: 'is already used by another user' }]);
      }
      await updateUserRow(tx, id, {
        email,
        name: body.name !== undefined ? (body.name as string).trim() : undefined,
        locale: body.locale as string | undefined,
        isAdmin: body.is_admin as boolean | undefined,
        active: body.active as boolean | undefined,
        passwordHash: body.password !== undefined ? await hashPassword(body.password as string) : undefined,
      });
      await setMemberships(tx, id, body);
      if (body.password !== undefined) {
        // A new password withdraws any invitation or reset link still out: it was for the old one.
        await revokeLinksOf(tx, id);
        await opts.onPasswordChange?.(tx);
      }
      // Deactivation ends the user's keys and password links (and, through onDeactivate, sessions) for good, in the
      // same transaction: reactivating the user later must not bring them back.
      if (body.active === false) {
        await revokeKeysOf(tx, id);
        await revokeLinksOf(tx, id);
        await opts.onDeactivate?.(tx);
      }
      await writeAudit(tx, { kind: 'auth', object: 'user', recordId: id, action: 'update', changes: redact(body), ...auditOf(ctx) });
      await changed(tx);
      return getUser(id, tx);
    });
  }

  return {
    callerFor,
    roles: roleStore.api,
    users: { get: getUser, list: listUsers, create: createUser, update: updateUser },
    teams: createTeamStore({ db, changed }),
    changed,
    /** Calls `listener` after every committed change of people, teams or roles, on every node; returns the unsubscribe. */
    watch(listener: () => void): () => void {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    close: () => unlisten(),
  };
}

/** Never a password (or its hash) in the audit trail. */
const redact = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k === 'password' ? '(changed)' : v]));

export type PeopleStore = Awaited<ReturnType<typeof createPeopleStore>>;
