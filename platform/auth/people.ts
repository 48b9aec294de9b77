// Users and teams, and the Caller each request acts as (roles: roles.ts). Caches are per process and
// cleared everywhere by NOTIFY on every change, so a revoked role stops working at once.
import { sql } from 'drizzle-orm';
import { uuidv7, type Database, type Executor } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { createRoleStore } from './roles.ts';
import { auditOf, type AuditContext } from './audit-context.ts';
import { conflict, forbidden, notFound, validation, type FieldProblem } from '../problems/index.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { revokeKeysOf } from './api-keys.ts';
import { revokeLinksOf } from './password-links.ts';
import { SETUP_PREFIX } from './bootstrap.ts';
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

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const ISO = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);

const userSelect = sql`select u.id::text as id, u.email, u.name, u.locale, u.is_admin, u.active,
    coalesce(u.password_hash is null or starts_with(u.password_hash, ${SETUP_PREFIX}), true) as pending,
    coalesce((select array_agg(r.role order by r.role) from kizuna_user_roles r where r.user_id = u.id), '{}') as roles,
    coalesce((select array_agg(m.team_id::text order by m.team_id) from kizuna_team_members m where m.user_id = u.id), '{}') as teams,
    to_char(u.created_at at time zone 'UTC', ${ISO}) as created_at, to_char(u.updated_at at time zone 'UTC', ${ISO}) as updated_at
  from kizuna_users u`;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`No user with id "${id}"`);
    const [u] = await exec.query<UserView & Record<string, unknown>>(sql`${userSelect} where u.id = ${id}::uuid`);
    if (!u) throw notFound(`No user with id "${id}"`);
    return u;
  }

  async function listUsers(opts: { active?: boolean } = {}) {
    return db.query<UserView & Record<string, unknown>>(
      sql`${userSelect} ${opts.active === undefined ? sql`` : sql`where u.active = ${opts.active}`} order by u.created_at, u.id`,
    );
  }

  async function checkUserInput(body: unknown, creating: boolean, exec: Executor) {
    if (!isObj(body)) throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
    const known = ['email', 'name', 'locale', 'is_admin', 'active', 'password', 'roles', 'teams'];
    const problems: FieldProblem[] = Object.keys(body)
      .filter((k) => !known.includes(k))
      .map((k) => ({ field: k, message: 'is not a user field' }));
    const has = (k: string) => body[k] !== undefined;
    if (creating || has('email')) {
      if (typeof body.email !== 'string' || !EMAIL.test(body.email.trim()) || body.email.length > 254)
        problems.push({ field: 'email', message: 'must be a valid email address' });
    }
    if (creating || has('name')) {
      if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 200)
        problems.push({ field: 'name', message: 'must be a name of 1–200 characters' });
    }
    if (has('locale') && body.locale !== 'en' && body.locale !== 'ja')
      problems.push({ field: 'locale', message: 'must be one of: en, ja' });
    for (const k of ['is_admin', 'active'])
      if (has(k) && typeof body[k] !== 'boolean') problems.push({ field: k, message: 'must be true or false' });
    if (has('password')) {
      const p = passwordProblem(body.password);
      if (p) problems.push({ field: 'password', message: p });
    }
    const all = await roleStore.map();
    if (has('roles')) {
      if (!Array.isArray(body.roles) || !body.roles.every((r) => typeof r === 'string'))
        problems.push({ field: 'roles', message: 'must be a list of role names' });
      else for (const r of body.roles as string[]) if (!all.has(r)) problems.push({ field: 'roles', message: `no role named "${r}"` });
    }
    if (has('teams')) {
      if (!Array.isArray(body.teams) || !body.teams.every((t) => typeof t === 'string' && /^[0-9a-f-]{36}$/i.test(t))) {
        problems.push({ field: 'teams', message: 'must be a list of team ids' });
      } else if ((body.teams as string[]).length) {
        const found = await exec.query<{ n: number }>(
          sql`select count(*)::int as n from kizuna_teams where id = any(string_to_array(${(body.teams as string[]).join(',')}, ',')::uuid[])`,
        );
        if (Number(found[0].n) !== new Set(body.teams as string[]).size)
          problems.push({ field: 'teams', message: 'names a team that does not exist' });
      }
    }
    if (problems.length) throw validation(problems);
    return body;
  }

  async function setMemberships(tx: Executor, userId: string, body: Record<string, unknown>) {
    if (Array.isArray(body.roles)) {
      await tx.query(sql`delete from kizuna_user_roles where user_id = ${userId}::uuid`);
      for (const r of new Set(body.roles as string[]))
        await tx.query(sql`insert into kizuna_user_roles (user_id, role) values (${userId}::uuid, ${r})`);
    }
    if (Array.isArray(body.teams)) {
      await tx.query(sql`delete from kizuna_team_members where user_id = ${userId}::uuid`);
      for (const t of new Set(body.teams as string[]))
        await tx.query(sql`insert into kizuna_team_members (team_id, user_id) values (${t}::uuid, ${userId}::uuid)`);
    }
  }

  async function createUser(input: unknown, ctx: AuditContext): Promise<UserView> {
    return db.transaction(async (tx) => {
      const body = await checkUserInput(input, true, tx);
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
      const body = await checkUserInput(input, false, tx);
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

  // ---- teams ----
  const teamSelect = sql`select t.id::text as id, t.name, t.label,
      coalesce((select array_agg(m.user_id::text order by m.user_id) from kizuna_team_members m where m.team_id = t.id), '{}') as members,
      to_char(t.created_at at time zone 'UTC', ${ISO}) as created_at
    from kizuna_teams t`;

  async function getTeam(id: string, exec: Executor = db) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`No team with id "${id}"`);
    const [t] = await exec.query(sql`${teamSelect} where t.id = ${id}::uuid`);
    if (!t) throw notFound(`No team with id "${id}"`);
    return t;
  }

  async function saveTeam(id: string | undefined, input: unknown, ctx: AuditContext) {
    if (!isObj(input)) throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
    const problems: FieldProblem[] = Object.keys(input)
      .filter((k) => !['name', 'label', 'members'].includes(k))
      .map((k) => ({ field: k, message: 'is not a team field' }));
    if ((!id || input.name !== undefined) && (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 100))
      problems.push({ field: 'name', message: 'must be a name of 1–100 characters' });
    if (input.label !== undefined && !(isObj(input.label) && typeof input.label.en === 'string' && typeof input.label.ja === 'string'))
      problems.push({ field: 'label', message: 'must be { "en": …, "ja": … }' });
    const members = input.members;
    if (members !== undefined && !(Array.isArray(members) && members.every((m) => typeof m === 'string' && /^[0-9a-f-]{36}$/i.test(m))))
      problems.push({ field: 'members', message: 'must be a list of user ids' });
    if (problems.length) throw validation(problems);
    return db.transaction(async (tx) => {
      const teamId = id ?? uuidv7();
      if (input.name !== undefined) {
        const [taken] = await tx.query(
          sql`select 1 as ok from kizuna_teams where lower(name) = lower(${(input.name as string).trim()}) and id <> ${teamId}::uuid`,
        );
        if (taken) throw conflict(`A team named "${input.name}" already exists`, [{ field: 'name', message: 'is already taken' }]);
      }
      if (!id) {
        await tx.query(
          sql`insert into kizuna_teams (id, name, label) values (${teamId}::uuid, ${(input.name as string).trim()}, ${input.label ? JSON.stringify(input.label) : null}::jsonb)`,
        );
      } else {
        await getTeam(id, tx);
        if (input.name !== undefined)
          await tx.query(sql`update kizuna_teams set name = ${(input.name as string).trim()} where id = ${id}::uuid`);
        if (input.label !== undefined)
          await tx.query(sql`update kizuna_teams set label = ${JSON.stringify(input.label)}::jsonb where id = ${id}::uuid`);
      }
      if (Array.isArray(members)) {
        const ids = [...new Set(members as string[])];
        if (ids.length) {
          const [found] = await tx.query<{ n: number }>(
            sql`select count(*)::int as n from kizuna_users where id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`,
          );
          if (Number(found.n) !== ids.length) throw validation([{ field: 'members', message: 'names a user that does not exist' }]);
        }
        await tx.query(sql`delete from kizuna_team_members where team_id = ${teamId}::uuid`);
        for (const m of ids) await tx.query(sql`insert into kizuna_team_members (team_id, user_id) values (${teamId}::uuid, ${m}::uuid)`);
      }
      await writeAudit(tx, {
        kind: 'auth',
        object: 'team',
        recordId: teamId,
        action: id ? 'update' : 'create',
        changes: input,
        ...auditOf(ctx),
      });
      await changed(tx);
      return getTeam(teamId, tx);
    });
  }

  async function deleteTeam(id: string, ctx: AuditContext) {
    await getTeam(id);
    await db.transaction(async (tx) => {
      await tx.query(sql`delete from kizuna_teams where id = ${id}::uuid`);
      await writeAudit(tx, { kind: 'auth', object: 'team', recordId: id, action: 'delete', ...auditOf(ctx) });
      await changed(tx);
    });
  }

  return {
    callerFor,
    roles: roleStore.api,
    users: { get: getUser, list: listUsers, create: createUser, update: updateUser },
    teams: {
      get: getTeam,
      list: () => db.query(sql`${teamSelect} order by t.name`),
      create: (input: unknown, ctx: AuditContext) => saveTeam(undefined, input, ctx),
      update: (id: string, input: unknown, ctx: AuditContext) => saveTeam(id, input, ctx),
      remove: deleteTeam,
    },
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
