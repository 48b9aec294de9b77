// Teams and who belongs to them: kizuna_teams' and kizuna_team_members' one writer. The people
// store (people.ts) holds this store; a user's own edit sets their teams through setTeamsOf.
import { sql } from 'drizzle-orm';
import { uuidv7, type Database, type Executor } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { conflict, notFound, validation, type FieldProblem } from '../problems/index.ts';
import { auditOf, type AuditContext } from './audit-context.ts';
import { ISO_TIME, isObj, UUID } from './shapes.ts';

const teamSelect = sql`select t.id::text as id, t.name, t.label,
    coalesce((select array_agg(m.user_id::text order by m.user_id) from kizuna_team_members m where m.team_id = t.id), '{}') as members,
    to_char(t.created_at at time zone 'UTC', ${ISO_TIME}) as created_at
  from kizuna_teams t`;

/** Makes `userId` a member of exactly `teams` (ids already checked to exist). */
export async function setTeamsOf(tx: Executor, userId: string, teams: string[]) {
  await tx.query(sql`delete from kizuna_team_members where user_id = ${userId}::uuid`);
  for (const t of new Set(teams))
    await tx.query(sql`insert into kizuna_team_members (team_id, user_id) values (${t}::uuid, ${userId}::uuid)`);
}

/** How many of `ids` (distinct) name a team. */
export async function countTeams(exec: Executor, ids: string[]): Promise<number> {
  const [found] = await exec.query<{ n: number }>(
    sql`select count(*)::int as n from kizuna_teams where id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`,
  );
  return Number(found.n);
}

export function createTeamStore({
  db,
  changed,
}: {
  db: Database;
  /** Clears the auth caches here and tells the other nodes (people.ts). */
  changed: (exec: Executor) => Promise<void>;
}) {
  async function get(id: string, exec: Executor = db) {
    if (!UUID.test(id)) throw notFound(`No team with id "${id}"`);
    const [t] = await exec.query(sql`${teamSelect} where t.id = ${id}::uuid`);
    if (!t) throw notFound(`No team with id "${id}"`);
    return t;
  }

  async function save(id: string | undefined, input: unknown, ctx: AuditContext) {
    const body = checkTeamInput(id, input);
    return db.transaction(async (tx) => {
      const teamId = id ?? uuidv7();
      const name = typeof body.name === 'string' ? body.name.trim() : undefined;
      if (name !== undefined) {
        const [taken] = await tx.query(sql`select 1 as ok from kizuna_teams where lower(name) = lower(${name}) and id <> ${teamId}::uuid`);
        if (taken) throw conflict(`A team named "${name}" already exists`, [{ field: 'name', message: 'is already taken' }]);
      }
      if (!id) {
        await tx.query(
          sql`insert into kizuna_teams (id, name, label) values (${teamId}::uuid, ${name}, ${body.label ? JSON.stringify(body.label) : null}::jsonb)`,
        );
      } else {
        await get(id, tx);
        if (name !== undefined) await tx.query(sql`update kizuna_teams set name = ${name} where id = ${id}::uuid`);
        if (body.label !== undefined)
          await tx.query(sql`update kizuna_teams set label = ${JSON.stringify(body.label)}::jsonb where id = ${id}::uuid`);
      }
      if (Array.isArray(body.members)) await setMembers(tx, teamId, body.members as string[]);
      await writeAudit(tx, {
        kind: 'auth',
        object: 'team',
        recordId: teamId,
        action: id ? 'update' : 'create',
        changes: body,
        ...auditOf(ctx),
      });
      await changed(tx);
      return get(teamId, tx);
    });
  }

  async function setMembers(tx: Executor, teamId: string, members: string[]) {
    const ids = [...new Set(members)];
    if (ids.length) {
      const [found] = await tx.query<{ n: number }>(
        sql`select count(*)::int as n from kizuna_users where id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`,
      );
      if (Number(found.n) !== ids.length) throw validation([{ field: 'members', message: 'names a user that does not exist' }]);
    }
    await tx.query(sql`delete from kizuna_team_members where team_id = ${teamId}::uuid`);
    for (const m of ids) await tx.query(sql`insert into kizuna_team_members (team_id, user_id) values (${teamId}::uuid, ${m}::uuid)`);
  }

  async function remove(id: string, ctx: AuditContext) {
    await get(id);
    await db.transaction(async (tx) => {
      await tx.query(sql`delete from kizuna_teams where id = ${id}::uuid`);
      await writeAudit(tx, { kind: 'auth', object: 'team', recordId: id, action: 'delete', ...auditOf(ctx) });
      await changed(tx);
    });
  }

  return {
    get,
    list: () => db.query(sql`${teamSelect} order by t.name`),
    create: (input: unknown, ctx: AuditContext) => save(undefined, input, ctx),
    update: (id: string, input: unknown, ctx: AuditContext) => save(id, input, ctx),
    remove,
  };
}

/** The body of a team create (`id` undefined) or update, or a 422 naming each bad key. */
function checkTeamInput(id: string | undefined, input: unknown): Record<string, unknown> {
  if (!isObj(input)) throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
  const problems: FieldProblem[] = Object.keys(input)
    .filter((k) => !['name', 'label', 'members'].includes(k))
    .map((k) => ({ field: k, message: 'is not a team field' }));
  if ((!id || input.name !== undefined) && (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 100))
    problems.push({ field: 'name', message: 'must be a name of 1–100 characters' });
  if (input.label !== undefined && !(isObj(input.label) && typeof input.label.en === 'string' && typeof input.label.ja === 'string'))
    problems.push({ field: 'label', message: 'must be { "en": …, "ja": … }' });
  const members = input.members;
  if (members !== undefined && !(Array.isArray(members) && members.every((m) => typeof m === 'string' && UUID.test(m))))
    problems.push({ field: 'members', message: 'must be a list of user ids' });
  if (problems.length) throw validation(problems);
  return input;
}
