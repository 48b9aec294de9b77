// The OpenAPI document a caller sees: only the objects it may read and the fields it may
// see — hidden fields vanish from the document as they do from responses.
import { renderObjectDef, type ObjectModel } from '../model/index.ts';
import type { MetadataSnapshot } from '../metadata/index.ts';
import { readableFields, type QueryAccess } from '../query/index.ts';
import { denied } from '../auth/permissions.ts';

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
