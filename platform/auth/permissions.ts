// Roles → what one caller may do. Pure: it resolves grants into scopes and field levels;
// the query layer turns scopes into SQL, the records service enforces them on writes.
import type { ObjectModel } from '../model/index.ts';

export type Verb = 'read' | 'create' | 'update' | 'delete';
export const verbs: Verb[] = ['read', 'create', 'update', 'delete'];
export type FieldLevel = 'hidden' | 'read' | 'write';
export type ScopeSpec = 'all' | 'own' | 'team' | 'none' | { own: string } | { team: string } | { filter: unknown };

export interface Grant {
  read?: ScopeSpec;
  create?: ScopeSpec;
  update?: ScopeSpec;
  delete?: ScopeSpec;
  /**
   * May move a record out of the update scope (give it to another owner, another team, a value
   * the filter excludes). Without it, the record after an update must still be in the scope.
   */
  transfer?: boolean;
  /**
   * May ask a write to override what plugins' before-hooks would refuse (`?override=true`; the
   * plugin decides what that lets through, e.g. a duplicate it would block), audited.
   */
  override?: boolean;
  fields?: Record<string, FieldLevel>;
}

export interface RoleDef {
  name: string;
  label: { en: string; ja: string };
  description?: { en: string; ja: string };
  objects: Record<string, Grant>;
}

/**
 * A resolved scope: every record, the records whose user field is me (or my teams), or a filter.
 * `from` names where it was granted (role and path), for a refusal when the metadata no longer fits it.
 */
export type Scope =
  | { kind: 'all' }
  | { kind: 'user'; field: string; team: boolean; from?: ScopeSource }
  | { kind: 'filter'; filter: unknown; from?: ScopeSource };
export interface ScopeSource {
  role: string;
  /** e.g. objects.contact.read.own */
  path: string;
}

/**
 * A verb's condition in conjunctive form: every inner list must have a scope that holds.
 * One list per source of grants (the user's roles; an API key's narrower role).
 * An empty inner list means the verb is not allowed at all.
 */
export type Condition = Scope[][];

export interface ObjectPermissions {
  /** undefined: no condition (admin). */
  verbs: Record<Verb, Condition | undefined>;
  /** Whether an update may take a record outside the update scope (every source grants transfer). */
  transfer: boolean;
  /** Whether writes may ask to override plugins' refusals (every source grants override). */
  override: boolean;
  field(name: string): FieldLevel;
}

export interface Caller {
  userId: string | null;
  admin: boolean;
  teamIds: string[];
  /** Everyone in the caller's teams, the caller included: what "team" scopes and $my_teams mean. */
  teamUserIds: string[];
  /** The roles the user holds; ignored for admins. */
  roles: RoleDef[];
  /** An API key's own role narrows the user's grants. */
  keyRole?: RoleDef;
}

const LEVEL_RANK: Record<FieldLevel, number> = { hidden: 0, read: 1, write: 2 };

/** The user field that "own" and "team" mean on an object when the role does not name one. */
export function defaultOwnerField(model: ObjectModel): string {
  for (const name of ['owner', 'assignee']) if (model.fields.get(name)?.spec.type === 'user') return name;
  return model.fieldList.find((f) => f.spec.type === 'user')?.name ?? 'created_by';
}

function resolveScope(model: ObjectModel, spec: ScopeSpec | undefined, from: (key: string) => ScopeSource): Scope | undefined {
  if (spec === undefined || spec === 'none') return undefined;
  if (spec === 'all') return { kind: 'all' };
  if (spec === 'own') return { kind: 'user', field: defaultOwnerField(model), team: false };
  if (spec === 'team') return { kind: 'user', field: defaultOwnerField(model), team: true };
  if ('own' in spec) return { kind: 'user', field: spec.own, team: false, from: from('own') };
  if ('team' in spec) return { kind: 'user', field: spec.team, team: true, from: from('team') };
  return { kind: 'filter', filter: spec.filter, from: from('filter') };
}

/** A role's grant on an object: its own, over the role's "*" — which a restricted object ignores. */
const grantFor = (role: RoleDef, object: string, restricted: boolean): Grant | undefined => {
  const star = restricted ? undefined : role.objects['*'];
  const own = role.objects[object];
  if (!star && !own) return undefined;
  return { ...star, ...own, fields: { ...star?.fields, ...own?.fields } };
};

/** One source of grants (a set of roles that add up) for one object. */
function sourcePermissions(model: ObjectModel, roles: RoleDef[]) {
  const granted = roles.flatMap((r) => {
    const g = grantFor(r, model.name, model.def['x-kizuna'].restricted === true);
    return g ? [{ role: r, grant: g }] : [];
  });
  const grants = granted.map((x) => x.grant);
  const scopes = Object.fromEntries(
    verbs.map((v) => [
      v,
      granted
        .map(({ role, grant }) => {
          const object = role.objects[model.name]?.[v] !== undefined ? model.name : '*';
          return resolveScope(model, grant[v], (key) => ({ role: role.name, path: `objects.${object}.${v}.${key}` }));
        })
        .filter((s): s is Scope => !!s),
    ]),
  ) as Record<Verb, Scope[]>;
  const level = (field: string): FieldLevel => {
    if (scopes.read.length === 0) return 'hidden';
    let best: FieldLevel = 'hidden';
    for (const g of grants) {
      if (!g.read || g.read === 'none') continue;
      const l = g.fields?.[field] ?? 'write';
      if (LEVEL_RANK[l] > LEVEL_RANK[best]) best = l;
    }
    return best;
  };
  return { scopes, level, transfer: grants.some((g) => g.transfer === true), override: grants.some((g) => g.override === true) };
}

export function objectPermissions(caller: Caller, model: ObjectModel): ObjectPermissions {
  if (caller.admin && !caller.keyRole) {
    return {
      verbs: { read: undefined, create: undefined, update: undefined, delete: undefined },
      transfer: true,
      override: true,
      field: () => 'write',
    };
  }
  const sources = [
    ...(caller.admin ? [] : [sourcePermissions(model, caller.roles)]),
    ...(caller.keyRole ? [sourcePermissions(model, [caller.keyRole])] : []),
  ];
  const cache = new Map<string, FieldLevel>();
  const perms: ObjectPermissions = {
    verbs: Object.fromEntries(verbs.map((v) => [v, sources.map((s) => s.scopes[v])])) as Record<Verb, Condition>,
    // An API key's role narrows this too: both the user's roles and the key's must grant it.
    transfer: sources.every((s) => s.transfer),
    override: sources.every((s) => s.override),
    field(name) {
      let l = cache.get(name);
      if (l === undefined) {
        l = sources.reduce<FieldLevel>((min, s) => (LEVEL_RANK[s.level(name)] < LEVEL_RANK[min] ? s.level(name) : min), 'write');
        // A formula shows what it reads: hidden from whoever may not see one of those fields.
        if (model.fields.get(name)?.reads?.some((r) => perms.field(r) === 'hidden')) l = 'hidden';
        cache.set(name, l);
      }
      return l;
    },
  };
  return perms;
}

/** Whether a condition can never hold (a verb not granted by one of the sources). */
export const denied = (c: Condition | undefined) => c !== undefined && c.some((any) => any.length === 0);
/** Whether a condition always holds. */
export const unrestricted = (c: Condition | undefined) => c === undefined || c.every((any) => any.some((s) => s.kind === 'all'));

const FILTER_WORDS = new Set(['and', 'or', 'not']);

/**
 * The fields a condition looks at (a user scope's field; the fields a scope filter names), so
 * that a refused update can name the field that took the record out of the scope.
 */
export function scopeFieldsOf(cond: Condition | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (f: unknown) => {
    if (Array.isArray(f)) f.forEach(walk);
    else if (f && typeof f === 'object') {
      for (const [k, v] of Object.entries(f)) {
        if (FILTER_WORDS.has(k)) walk(v);
        else out.add(k.split('.')[0]);
      }
    }
  };
  for (const s of cond?.flat() ?? []) {
    if (s.kind === 'user') out.add(s.field);
    else if (s.kind === 'filter') walk(s.filter);
  }
  return out;
}

/** Fills $me, $my_teams and $now in a scope filter. */
export function bindVariables(filter: unknown, caller: Caller, now = new Date()): unknown {
  if (filter === '$me') return caller.userId;
  if (filter === '$now') return now.toISOString();
  if (Array.isArray(filter)) return filter.map((f) => bindVariables(f, caller, now));
  if (filter && typeof filter === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(filter)) {
      // { field: "$my_teams" } and { field: { in: "$my_teams" } }: a user in one of my teams.
      if (v === '$my_teams') out[k] = k === 'in' || k === 'nin' ? caller.teamUserIds : { in: caller.teamUserIds };
      else out[k] = bindVariables(v, caller, now);
    }
    return out;
  }
  return filter;
}
