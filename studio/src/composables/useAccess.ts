// The one place the studio asks "may I …": what the server said the caller may do with each
// object (x-kizuna-access in GET /api/meta/objects, which lists only readable objects and
// visible fields) and whether the session's user is an admin. Pages offer only what these
// answer yes to; the server still refuses anything else (403), this only spares people buttons
// that cannot work.
import { computed } from 'vue';
import { api, ApiError } from '../api/client.ts';
import type { FieldSpec } from '../api/types.ts';
import { useMetadata } from './useMetadata.ts';
import { useSession } from './useSession.ts';

export type RecordVerb = 'read' | 'create' | 'update' | 'delete' | 'override';
/** What the caller may reach of an object or record: all of it, nothing (403), or nothing is there (404). */
export type Reach = 'ok' | 'forbidden' | 'not-found';

// Set by the platform, never by a person: not offered for editing whatever the grants say.
const COMPUTED_TYPES = new Set(['autonumber', 'uuid']);

export function useAccess() {
  const { byName } = useMetadata();
  const { isAdmin } = useSession();

  const summaryOf = (object: string) => byName.value.get(object)?.['x-kizuna-access'];

  /** Whether the caller may do `verb` on some records of `object` (scoped grants count: the server checks each record). */
  function may(verb: RecordVerb, object: string): boolean {
    if (!byName.value.has(object)) return false;
    if (verb === 'read') return true;
    return summaryOf(object)?.[verb] === true;
  }

  /** A field's level for the caller: hidden fields are absent from its metadata, read-only ones listed. */
  function fieldLevel(object: string, field: string): 'hidden' | 'read' | 'write' {
    const def = byName.value.get(object);
    if (!def || !(field in def.properties)) return 'hidden';
    return summaryOf(object)?.read_only.includes(field) ? 'read' : 'write';
  }

  /** Whether `field` may be changed on an existing record (inline, in the form, in bulk). */
  function mayEdit(object: string, field: Pick<FieldSpec, 'name' | 'type' | 'system'>): boolean {
    return may('update', object) && !field.system && !COMPUTED_TYPES.has(field.type) && fieldLevel(object, field.name) === 'write';
  }

  /** Whether `field` may be given on a new record. */
  function mayFill(object: string, field: Pick<FieldSpec, 'name' | 'type' | 'system'>): boolean {
    return may('create', object) && !field.system && !COMPUTED_TYPES.has(field.type) && fieldLevel(object, field.name) === 'write';
  }

  return {
    may,
    fieldLevel,
    mayEdit,
    mayFill,
    /** Administration: the designers, workflows and their runs, plugins, people, layouts and shared views. */
    mayAdminister: computed(() => isAdmin.value),
  };
}

/**
 * Why an object missing from the caller's metadata is missing: the server answers 403 for one
 * that exists but may not be read, 404 for a name no object has (GET /api/meta/objects/{object}).
 */
export async function objectReach(object: string): Promise<Reach> {
  try {
    await api('GET', `/meta/objects/${encodeURIComponent(object)}`);
    return 'ok';
  } catch (e) {
    return reachOf(e);
  }
}

/** A refused read as what the reader may reach: 403 → forbidden, 404 → not found; anything else is rethrown. */
export function reachOf(e: unknown): Exclude<Reach, 'ok'> {
  if (e instanceof ApiError && e.status === 403) return 'forbidden';
  if (e instanceof ApiError && e.status === 404) return 'not-found';
  throw e;
}
