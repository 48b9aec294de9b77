// What a caller sees of the metadata: only the objects it may read and the fields it may see
// (hidden fields vanish from definitions and the OpenAPI document as they do from responses),
// and what it may do with them, so clients such as the studio show only what works.
import { renderObjectDef, type ObjectModel } from '../model/index.ts';
import type { MetadataSnapshot } from '../metadata/index.ts';
import { denied, unrestricted } from '../auth/index.ts';
import { readableFields, type QueryAccess } from './access.ts';

const cache = new WeakMap<QueryAccess['caller'], WeakMap<MetadataSnapshot, MetadataSnapshot>>();

export function snapshotFor(snapshot: MetadataSnapshot, access: QueryAccess | undefined): MetadataSnapshot {
  if (!access) return snapshot;
  let bySnapshot = cache.get(access.caller);
  if (!bySnapshot) cache.set(access.caller, (bySnapshot = new WeakMap()));
  let restricted = bySnapshot.get(snapshot);
  if (!restricted) bySnapshot.set(snapshot, (restricted = restrict(snapshot, access)));
  return restricted;
}

function restrict(snapshot: MetadataSnapshot, access: QueryAccess): MetadataSnapshot {
  const models = new Map<string, ObjectModel>();
  for (const [name, model] of snapshot.models) {
    if (denied(access.perms(model).verbs.read)) continue;
    const fieldList = readableFields(model, access);
    const spec = { ...model.spec, fields: fieldList.map((f) => f.spec) };
    models.set(name, {
      ...model,
      spec,
      def: renderObjectDef(spec, model.version),
      fieldList,
      fields: new Map(fieldList.map((f) => [f.name, f])),
      searchFields: fieldList.filter((f) => f.spec.searchable),
      inverses: new Map(),
    });
  }
  // Inverse lists only where the other side is visible too.
  for (const [name, model] of snapshot.models) {
    const mine = models.get(name);
    if (!mine) continue;
    for (const [inv, i] of model.inverses) {
      if (models.get(i.object)?.fields.has(i.field)) mine.inverses.set(inv, i);
    }
  }
  return { version: snapshot.version, models };
}

export interface AccessSummary {
  create: boolean;
  update: boolean;
  delete: boolean;
  /** Verbs allowed only on some records (own, team, filter scopes). */
  scoped: ('read' | 'create' | 'update' | 'delete')[];
  /** Fields the caller may read but not write (hidden ones are simply absent). */
  read_only: string[];
  /** Whether writes may ask to override plugins' refusals (`?override=true`). */
  override: boolean;
}

export function accessSummary(model: ObjectModel, access: QueryAccess | undefined): AccessSummary {
  // Formula fields are computed: read-only for everyone, so forms leave them out of what they send.
  const formulas = model.fieldList.filter((f) => f.spec.type === 'formula').map((f) => f.name);
  if (!access) return { create: true, update: true, delete: true, scoped: [], read_only: formulas, override: true };
  const p = access.perms(model);
  const verbs = ['read', 'create', 'update', 'delete'] as const;
  return {
    create: !denied(p.verbs.create),
    update: !denied(p.verbs.update),
    delete: !denied(p.verbs.delete),
    scoped: verbs.filter((v) => !denied(p.verbs[v]) && !unrestricted(p.verbs[v])),
    read_only: model.fieldList
      .filter(
        (f) =>
          (f.spec.type === 'formula' && p.field(f.name) !== 'hidden') ||
          p.field(f.name) === 'read' ||
          (f.spec.type !== 'autonumber' && denied(p.verbs.update) && denied(p.verbs.create) && p.field(f.name) !== 'hidden'),
      )
      .map((f) => f.name),
    override: p.override,
  };
}
