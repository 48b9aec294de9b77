// Which objects a caller's search, recent items and home page cover: those it may read, as
// compiled by the registry (the SQL is built from these), with the fields it may see.
import type { MetadataSnapshot } from '../metadata/index.ts';
import { displayFieldNames, type FieldModel, type ObjectModel } from '../model/index.ts';
import { readableFields, snapshotFor, type QueryAccess } from '../query/index.ts';

export interface ReadableObject {
  model: ObjectModel;
  /** The fields the caller may read. */
  fields: FieldModel[];
  /** The readable fields a record's name is made of. */
  nameFields: FieldModel[];
}

export function readableObjects(snapshot: MetadataSnapshot, access: QueryAccess | undefined): ReadableObject[] {
  const visible = snapshotFor(snapshot, access).models;
  return [...snapshot.models.values()]
    .filter((m) => visible.has(m.name))
    .map((model) => {
      const fields = readableFields(model, access);
      const names = new Set(displayFieldNames(model.spec));
      return { model, fields, nameFields: fields.filter((f) => names.has(f.name)) };
    });
}
