// What the caller may write, as the records service checks it: the scope of a verb, the fields
// they may change, why a scoped write touched no row, and whether their rows must take the
// single-record path. Enforced here, below the routes, so every path obeys (anti-pattern 6).
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { ObjectModel } from '../model/index.ts';
import { scopeFieldsOf, unrestricted } from '../auth/index.ts';
import { forbidden } from '../problems/index.ts';
import { fieldLevel, policyCompiler, scopeSql } from '../query/index.ts';
import { batchable, type BeforeHook, type HookEvent } from './hooks.ts';
import type { WriteContext } from './write-sql.ts';

type Verb = 'read' | 'update' | 'delete' | 'create';

export function createWriteAccess(registry: Pick<Registry, 'snapshot'>, beforeHooks: (object: string, event: HookEvent) => BeforeHook[]) {
  /** What the query layer needs to compile a caller's policies. */
  const ctx = (actor?: WriteContext) => ({ models: registry.snapshot().models, access: actor?.access });

  /** The caller's scope for a verb on alias t, or undefined when unrestricted. */
  const scopeOf = (model: ObjectModel, verb: Verb, actor: WriteContext): SQL | undefined => {
    if (!actor.access || unrestricted(actor.access.perms(model).verbs[verb])) return undefined;
    return scopeSql(model, verb, 't', actor.access, policyCompiler(ctx(actor)));
  };

  /** Writing a field the caller may not write is a 403 naming it (never silently dropped). */
  const assertWritable = (model: ObjectModel, actor: WriteContext, provided: Set<string>) => {
    if (!actor.access) return;
    const refused = [...provided].filter((name) => model.fields.has(name) && fieldLevel(model, name, actor.access) !== 'write');
    if (refused.length) {
      throw forbidden(
        `You may not change ${refused.map((n) => `${model.name}.${n}`).join(', ')}`,
        refused.map((field) => ({
          field,
          message: fieldLevel(model, field, actor.access) === 'hidden' ? 'is not visible to you' : 'is read-only for you',
        })),
      );
    }
  };

  /** Why a scoped write touched no row: not there (404) or not the caller's to change (403). */
  const whyNot = async (model: ObjectModel, recordId: string, verb: string, actor: WriteContext, exec: Executor, trashed = false) => {
    const read = scopeOf(model, 'read', actor);
    const [row] = await exec.query<{ version: number; deleted: boolean }>(
      sql`select t.version, t.deleted_at is not null as deleted from ${sql.identifier(model.table)} as t where t.id = ${recordId}::uuid ${read ? sql`and ${read}` : sql``}`,
    );
    if (!row || row.deleted !== trashed) return undefined;
    return forbidden(`You may not ${verb} this ${model.name} record`, [
      { field: model.name, message: `${verb} is not permitted on this record` },
    ]);
  };

  /**
   * Whether the caller's rows of a bulk write or an import batch need the single-record path,
   * record by record: a scope each record must satisfy, or a before-hook without a batch form.
   */
  const singlePath = (m: ObjectModel, a: WriteContext, upsert: boolean) =>
    upsert
      ? (['create', 'read', 'update'] as const).some((v) => scopeOf(m, v, a) !== undefined) ||
        !batchable(beforeHooks(m.name, 'create')) ||
        !batchable(beforeHooks(m.name, 'update'))
      : scopeOf(m, 'create', a) !== undefined || !batchable(beforeHooks(m.name, 'create'));

  return { ctx, scopeOf, assertWritable, whyNot, singlePath };
}

/** An update that would take the record out of the caller's update scope: 403 naming the fields that did. */
export function leftScope(model: ObjectModel, values: Record<string, unknown>, actor: WriteContext) {
  const looked = scopeFieldsOf(actor.access!.perms(model).verbs.update);
  const named = Object.keys(values).filter((f) => looked.has(f));
  return forbidden(
    `You may not move this ${model.name} record outside what you may update (that needs the transfer permission on ${model.name})`,
    (named.length ? named : [model.name]).map((field) => ({ field, message: 'would take the record outside what you may update' })),
  );
}

/**
 * The user field of a create scope: an "own" one is filled in when the input names no one;
 * an "own" or "team" one is what a refusal names.
 */
export function createScopeField(model: ObjectModel, actor: WriteContext): { field: string; own: boolean } | undefined {
  const users = (actor.access?.perms(model).verbs.create ?? []).flat().flatMap((s) => (s.kind === 'user' ? [s] : []));
  const user = users.find((s) => !s.team) ?? users[0];
  return user && { field: user.field, own: !user.team };
}
