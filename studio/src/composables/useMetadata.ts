// The caller's view of the metadata (GET /api/meta/objects): objects it may read, fields it
// may see, and x-kizuna-access. Cached for the page; reloaded after designer changes.
import { computed, ref } from 'vue';
import { api } from '../api/client.ts';
import type { FieldSpec, FieldTypeInfo, ObjectDef } from '../api/types.ts';
import { setFieldTypes } from '../model/field-kinds.ts';

const objects = ref<ObjectDef[]>([]);
let loading: Promise<ObjectDef[]> | null = null;
let fieldTypesLoaded: Promise<void> | null = null;

export interface InverseList {
  /** Name of the list on this object (the relation's `inverse`). */
  name: string;
  /** The object holding the relation, and its field pointing here. */
  object: string;
  field: string;
  label: FieldSpec['label'];
}

/** The fields users work with; `withSystem` adds the platform's (id, created_at…) and plugins' internal ones. */
export function fieldsOf(def: ObjectDef, withSystem = false): FieldSpec[] {
  return Object.entries(def.properties)
    .map(([name, p]) => ({ name, ...p['x-kizuna'] }) as FieldSpec)
    .filter((f) => withSystem || !(f.system || f.internal));
}

/** Whether a field is in the default layouts (list columns, forms, details): not when `hidden`; admins may add it to a saved one. */
export const inDefaultLayouts = (f: FieldSpec) => !f.hidden;

export const nameOf = (def: ObjectDef) => def['x-kizuna'].name;
export { displayFieldOf, displayFieldsOf, recordTitle } from '../model/display.ts';

export function useMetadata() {
  function load(force = false): Promise<ObjectDef[]> {
    if (force || !loading) {
      // The field-type table comes along (filters and sorts offered by type); it changes only with the server.
      const types = fieldTypesLoaded ?? api<{ data: FieldTypeInfo[] }>('GET', '/meta/field-types').then((r) => setFieldTypes(r.data));
      fieldTypesLoaded = types;
      types.catch(() => (fieldTypesLoaded = null));
      loading = Promise.all([api<{ data: ObjectDef[] }>('GET', '/meta/objects'), types]).then(([r]) => (objects.value = r.data));
      loading.catch(() => (loading = null));
    }
    return loading;
  }

  const byName = computed(() => new Map(objects.value.map((o) => [nameOf(o), o])));

  /** One-to-many lists pointing at `object` (a company's contacts and cases). */
  function inversesOf(object: string): InverseList[] {
    return objects.value.flatMap((o) =>
      fieldsOf(o)
        .filter((f) => f.type === 'relation' && f.target === object && f.inverse)
        .map((f) => ({
          name: f.inverse!,
          object: nameOf(o),
          field: f.name,
          label: o['x-kizuna'].plural_label ?? o['x-kizuna'].label ?? {},
        })),
    );
  }

  return { objects: computed(() => objects.value), byName, load, inversesOf, reset: () => ((objects.value = []), (loading = null)) };
}
