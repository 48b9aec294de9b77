// Saved views: a named filter/sort/columns (list), grouping (kanban) or layout (detail/form)
// of one object. Personal views belong to their owner; shared ones are made by admins and
// seen by everyone who may read the object. Views shipped in metadata/views/*.json are
// installed once (by key) and then belong to the admins like any shared view.
import { sql } from 'drizzle-orm';
import { readdir, readFile } from 'node:fs/promises';
import { uuidv7, type Database, type Executor } from '../db/index.ts';
import { createAjv, definitionProblems, loadMetaSchema } from '../model/index.ts';
import { forbidden, notFound, validation } from '../problems/index.ts';

export type ViewKind = 'list' | 'kanban' | 'detail' | 'form';
const definitionKeys = ['filter', 'sort', 'columns', 'group_by', 'sum_field', 'layout'] as const;

export interface View {
  id: string;
  key: string | null;
  object: string;
  name: { en?: string; ja?: string };
  kind: ViewKind;
  filter?: unknown;
  sort?: string[];
  columns?: string[];
  group_by?: string | null;
  sum_field?: string | null;
  layout?: unknown;
  shared: boolean;
  owner: string | null;
  created_at: string;
  updated_at: string;
}

export interface ViewCaller {
  userId: string;
  isAdmin: boolean;
}

const ajv = createAjv();
const validateView = ajv.compile(loadMetaSchema('view.schema.json'));
const defaultsDir = new URL('../../metadata/views/', import.meta.url);
const ISO = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

type Row = {
  id: string;
  key: string | null;
  object: string;
  kind: ViewKind;
  name: View['name'];
  definition: Record<string, unknown>;
  shared: boolean;
  owner: string | null;
  created_at: string;
  updated_at: string;
};
const select = sql`select id::text as id, key, object, kind, name, definition, shared, owner::text as owner,
  to_char(created_at at time zone 'UTC', ${ISO}) as created_at, to_char(updated_at at time zone 'UTC', ${ISO}) as updated_at from kizuna_views`;

const toView = (r: Row): View => {
  const def = typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition;
  const name = typeof r.name === 'string' ? JSON.parse(r.name) : r.name;
  return {
    id: r.id,
    key: r.key,
    object: r.object,
    name,
    kind: r.kind,
    ...def,
    shared: r.shared,
    owner: r.owner,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
};

function checked(input: unknown): Record<string, unknown> {
  if (!validateView(input)) throw validation(definitionProblems(validateView.errors));
  return input as Record<string, unknown>;
}

const definitionOf = (v: Record<string, unknown>) =>
  Object.fromEntries(definitionKeys.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));

export function createViewStore({ db }: { db: Database }) {
  let installed: Promise<void> | undefined;

  /** The shipped default views, installed once per database (by key; never overwritten). */
  async function installDefaults(): Promise<void> {
    const files = (await readdir(defaultsDir)).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const views = JSON.parse(await readFile(new URL(file, defaultsDir), 'utf8')) as unknown[];
      for (const raw of views) {
        const v = checked(raw);
        await db.query(sql`insert into kizuna_views (id, key, object, kind, name, definition, shared)
          values (${uuidv7()}::uuid, ${v.key as string}, ${v.object as string}, ${v.kind as string}, ${JSON.stringify(v.name)}::jsonb,
            ${JSON.stringify(definitionOf(v))}::jsonb, true)
          on conflict (key) do nothing`);
      }
    }
  }
  const ready = () =>
    (installed ??= installDefaults().catch((e) => {
      installed = undefined;
      throw e;
    }));

  async function get(id: string, caller: ViewCaller): Promise<View> {
    await ready();
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound(`No view ${id}`);
    const [row] = await db.query<Row>(sql`${select} where id = ${id}::uuid`);
    if (!row || (!row.shared && row.owner !== caller.userId)) throw notFound(`No view ${id}`);
    return toView(row);
  }

  function mayChange(view: View, caller: ViewCaller): void {
    if (view.shared ? !caller.isAdmin : view.owner !== caller.userId) {
      throw forbidden(view.shared ? 'Only admins change shared views' : 'This view belongs to someone else');
    }
  }

  return {
    installDefaults: ready,
    async list(object: string | undefined, caller: ViewCaller): Promise<View[]> {
      await ready();
      const rows = await db.query<Row>(sql`${select} where (shared or owner = ${caller.userId}::uuid)
        ${object ? sql`and object = ${object}` : sql``} order by shared desc, created_at, id`);
      return rows.map(toView);
    },
    get,
    async create(input: unknown, caller: ViewCaller): Promise<View> {
      await ready();
      const v = checked(input);
      if (v.shared === true && !caller.isAdmin)
        throw forbidden('Only admins create shared views', [{ field: 'shared', message: 'needs an admin' }]);
      if (v.key !== undefined && !caller.isAdmin)
        throw forbidden('Only admins name views with a key', [{ field: 'key', message: 'needs an admin' }]);
      const id = uuidv7();
      await db.query(sql`insert into kizuna_views (id, key, object, kind, name, definition, shared, owner)
        values (${id}::uuid, ${(v.key as string) ?? null}, ${v.object as string}, ${v.kind as string}, ${JSON.stringify(v.name)}::jsonb,
          ${JSON.stringify(definitionOf(v))}::jsonb, ${v.shared === true}, ${v.shared === true ? null : caller.userId}::uuid)`);
      return get(id, caller);
    },
    async update(id: string, input: unknown, caller: ViewCaller): Promise<View> {
      const current = await get(id, caller);
      mayChange(current, caller);
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
      const patch = input as Record<string, unknown>;
      for (const k of ['object', 'key', 'shared'] as const) {
        if (k in patch && patch[k] !== (current as unknown as Record<string, unknown>)[k])
          throw validation([{ field: k, message: 'cannot be changed; save a new view instead' }]);
      }
      const { id: _i, owner: _o, created_at: _c, updated_at: _u, key, ...rest } = { ...current, ...patch };
      const v = checked({ ...rest, ...(key ? { key } : {}) });
      await db.query(sql`update kizuna_views set name = ${JSON.stringify(v.name)}::jsonb, kind = ${v.kind as string},
        definition = ${JSON.stringify(definitionOf(v))}::jsonb, updated_at = now() where id = ${id}::uuid`);
      return get(id, caller);
    },
    async remove(id: string, caller: ViewCaller): Promise<void> {
      const current = await get(id, caller);
      mayChange(current, caller);
      await db.query(sql`delete from kizuna_views where id = ${id}::uuid`);
    },
  };
}

export type ViewStore = ReturnType<typeof createViewStore>;

/** A plugin's shared views ("plugin:<name>:<key>"), replaced as a whole (install and upgrade); none removes them (uninstall). */
export async function replacePluginViews(exec: Executor, plugin: string, views: Record<string, unknown>[]): Promise<void> {
  await exec.query(sql`delete from kizuna_views where key like ${`plugin:${plugin}:%`}`);
  for (const v of views) {
    const { key, object, kind, name: label, shared: _s, ...definition } = v;
    await exec.query(sql`insert into kizuna_views (id, key, object, kind, name, definition, shared)
      values (${uuidv7()}::uuid, ${`plugin:${plugin}:${key as string}`}, ${object as string}, ${kind as string}, ${JSON.stringify(label)}::jsonb, ${JSON.stringify(definition)}::jsonb, true)`);
  }
}
