// Roles: what each grants per object (role.schema.json), checked against the metadata on save,
// the standard ones installed on first start, and those plugins ship. kizuna_roles' one writer;
// the people store (people.ts) holds this store and clears its cache on every auth change.
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import { writeAudit } from '../events/index.ts';
import { createAjv, loadMetaSchema } from '../model/index.ts';
import { conflict, notFound, ProblemError, validation, type FieldProblem } from '../problems/index.ts';
import { auditOf, type AuditContext } from './audit-context.ts';
import type { RoleDef } from './permissions.ts';
import { definitionProblemsOf } from './role-problems.ts';

const ajv = createAjv();
ajv.addSchema(loadMetaSchema('label.schema.json'));
const validateRole = ajv.compile(loadMetaSchema('role.schema.json'));

export function createRoleStore({
  db,
  roleProblems,
  changed,
}: {
  db: Database;
  roleProblems: (role: RoleDef) => FieldProblem[];
  /** Clears the auth caches here and tells the other nodes (people.ts). */
  changed: (exec: Executor) => Promise<void>;
}) {
  let roles: Map<string, RoleDef> | undefined;

  /** Every role by name, cached until the next auth change. */
  async function roleMap(): Promise<Map<string, RoleDef>> {
    if (roles) return roles;
    const rows = await db.query<{ name: string; definition: RoleDef | string }>(sql`select name, definition from kizuna_roles`);
    roles = new Map(rows.map((r) => [r.name, typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition]));
    return roles;
  }
  const clear = () => void (roles = undefined);

  function checkRole(body: unknown): RoleDef {
    if (!validateRole(body)) throw validation(definitionProblemsOf(validateRole.errors), 'The role definition is invalid');
    const problems = roleProblems(body as unknown as RoleDef);
    if (problems.length) throw validation(problems, 'The role names objects, fields or filters that do not fit the metadata');
    return body as unknown as RoleDef;
  }

  /** Roles with what the metadata no longer fits in each (a field deleted or retyped since it was saved). */
  async function listRoles() {
    const rows = await db.query<{ definition: RoleDef | string; standard: boolean }>(
      sql`select definition, standard from kizuna_roles order by name`,
    );
    return rows.map((r) => {
      const role: RoleDef = typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition;
      return { ...role, standard: r.standard, problems: roleProblems(role) };
    });
  }

  async function putRole(body: unknown, ctx: AuditContext, opts: { create: boolean; name?: string }) {
    const role = checkRole(body);
    if (opts.name && role.name !== opts.name)
      throw validation([{ field: 'name', message: `must be "${opts.name}" (a role cannot be renamed)` }]);
    await db.transaction(async (tx) => {
      const [existing] = await tx.query(sql`select 1 as ok from kizuna_roles where name = ${role.name}`);
      if (opts.create && existing)
        throw conflict(`A role named "${role.name}" already exists`, [{ field: 'name', message: 'is already taken' }]);
      if (!opts.create && !existing) throw notFound(`No role named "${role.name}"`);
      await saveRole(tx, role);
      await writeAudit(tx, {
        kind: 'auth',
        object: 'role',
        action: opts.create ? 'create' : 'update',
        changes: { role: role.name, definition: role },
        ...auditOf(ctx),
      });
      await changed(tx);
    });
    return role;
  }

  async function deleteRole(name: string, ctx: AuditContext) {
    await db.transaction(async (tx) => {
      const rows = await tx.query(sql`delete from kizuna_roles where name = ${name} returning name`);
      if (!rows.length) throw notFound(`No role named "${name}"`);
      await writeAudit(tx, { kind: 'auth', object: 'role', action: 'delete', changes: { role: name }, ...auditOf(ctx) });
      await changed(tx);
    });
  }

  async function installStandardRoles() {
    const dir = new URL('../../metadata/roles/', import.meta.url);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const def = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      // Checked against the metadata when first installed; one installed before is the admins'
      // now, and what no longer fits it is listed in GET /api/roles rather than stopping the start.
      const [installed] = await db.query(sql`select 1 as ok from kizuna_roles where name = ${def?.name ?? ''}`);
      if (installed) continue;
      let role: RoleDef;
      try {
        role = checkRole(def);
      } catch (e) {
        if (!(e instanceof ProblemError)) throw e;
        throw new Error(`metadata/roles/${file}: ${(e.errors ?? []).map((p) => `${p.field} ${p.message}`).join('; ') || e.detail}`);
      }
      await db.query(
        sql`insert into kizuna_roles (name, definition, standard) values (${role.name}, ${JSON.stringify(role)}::jsonb, true) on conflict (name) do nothing`,
      );
    }
    clear();
  }

  return {
    map: roleMap,
    clear,
    api: {
      list: listRoles,
      get: async (name: string) => (await roleMap()).get(name),
      problemsOf: (role: RoleDef) => roleProblems(role),
      put: putRole,
      remove: deleteRole,
      installStandard: installStandardRoles,
    },
  };
}

/** A role created, or its definition replaced: an admin's save, and the roles plugins ship (install and upgrade). */
async function saveRole(exec: Executor, role: RoleDef): Promise<void> {
  await exec.query(sql`insert into kizuna_roles (name, definition) values (${role.name}, ${JSON.stringify(role)}::jsonb)
    on conflict (name) do update set definition = excluded.definition, updated_at = now()`);
}

/** A role a plugin ships (checked by the plugin host against the metadata first). */
export const putShippedRole = saveRole;
