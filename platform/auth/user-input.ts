// What a user create or update may say (the API's User body), checked before anything is written:
// a 422 naming every bad key at once.
import type { Executor } from '../db/index.ts';
import { validation, type FieldProblem } from '../problems/index.ts';
import { passwordProblem } from './passwords.ts';
import type { RoleDef } from './permissions.ts';
import { isObj, UUID } from './shapes.ts';
import { countTeams } from './teams.ts';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const KNOWN = ['email', 'name', 'locale', 'is_admin', 'active', 'password', 'roles', 'teams'];

export async function checkUserInput(
  body: unknown,
  { creating, exec, roles }: { creating: boolean; exec: Executor; roles: Map<string, RoleDef> },
): Promise<Record<string, unknown>> {
  if (!isObj(body)) throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
  const problems: FieldProblem[] = Object.keys(body)
    .filter((k) => !KNOWN.includes(k))
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
  if (has('locale') && body.locale !== 'en' && body.locale !== 'ja') problems.push({ field: 'locale', message: 'must be one of: en, ja' });
  for (const k of ['is_admin', 'active'])
    if (has(k) && typeof body[k] !== 'boolean') problems.push({ field: k, message: 'must be true or false' });
  if (has('password')) {
    const p = passwordProblem(body.password);
    if (p) problems.push({ field: 'password', message: p });
  }
  if (has('roles')) problems.push(...roleProblems(body.roles, roles));
  if (has('teams')) problems.push(...(await teamProblems(body.teams, exec)));
  if (problems.length) throw validation(problems);
  return body;
}

function roleProblems(value: unknown, roles: Map<string, RoleDef>): FieldProblem[] {
  if (!Array.isArray(value) || !value.every((r) => typeof r === 'string'))
    return [{ field: 'roles', message: 'must be a list of role names' }];
  return value.filter((r) => !roles.has(r)).map((r) => ({ field: 'roles', message: `no role named "${r}"` }));
}

async function teamProblems(value: unknown, exec: Executor): Promise<FieldProblem[]> {
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string' && UUID.test(t)))
    return [{ field: 'teams', message: 'must be a list of team ids' }];
  if (value.length && (await countTeams(exec, value)) !== new Set(value).size)
    return [{ field: 'teams', message: 'names a team that does not exist' }];
  return [];
}
