// The home page's "assigned to me": in every object the caller may read, the records whose
// user field (a contact's owner, a case's assignee) is the caller and that are not closed.
// Closed is metadata: a select option flagged `closed` (case status "Resolved" and "Closed"),
// so an admin's own objects and statuses take part without code.
import { displayText, type FieldModel, type Label } from '../model/index.ts';
import { ProblemError } from '../problems/index.ts';
import type { Actor, RecordService } from '../records/index.ts';
import type { MetadataSnapshot } from '../metadata/index.ts';
import { readableObjects, type ReadableObject } from './objects.ts';

export interface AssignedRecord {
  id: string;
  name: Label | null;
  /** The values of the object's status-like fields (select fields with closed options). */
  values: Record<string, unknown>;
  updated_at: string;
}

export interface AssignedGroup {
  object: string;
  /** The user fields that name the caller. */
  fields: string[];
  records: AssignedRecord[];
  total: number;
}

/** The select fields that can close a record, with their closed values. */
export function closingFields(fields: FieldModel[]): { field: FieldModel; closed: string[] }[] {
  return fields
    .filter((f) => f.spec.type === 'select')
    .map((field) => ({ field, closed: (field.spec.options ?? []).filter((o) => o.closed).map((o) => o.value) }))
    .filter((c) => c.closed.length > 0);
}

/** The list filter of the caller's open records in one object (none: the object has no user field). */
export function assignedFilter(o: ReadableObject, user: string): unknown {
  const users = o.fields.filter((f) => f.spec.type === 'user');
  if (!users.length) return undefined;
  // `nin` keeps records whose status is empty: not closed.
  const open = closingFields(o.fields).map((c) => ({ [c.field.name]: { nin: c.closed } }));
  return { and: [{ or: users.map((f) => ({ [f.name]: { eq: user } })) }, ...open] };
}

export async function assignedRecords(
  deps: { registry: { snapshot(): MetadataSnapshot }; records: Pick<RecordService, 'list'> },
  actor: Actor,
  limit: number,
): Promise<AssignedGroup[]> {
  const user = actor.actor;
  if (!user) return [];
  const objects = readableObjects(deps.registry.snapshot(), actor.access);
  const groups = await Promise.all(
    objects.map(async (o): Promise<AssignedGroup | undefined> => {
      const filter = assignedFilter(o, user);
      if (!filter) return undefined;
      const statusFields = closingFields(o.fields).map((c) => c.field.name);
      const fields = [...new Set([...o.nameFields.map((f) => f.name), ...statusFields])];
      const params = {
        filter: JSON.stringify(filter),
        sort: '-updated_at',
        limit: String(limit),
        count: 'true',
        fields: fields.join(',') || 'id',
      };
      const page = await deps.records.list(o.model.name, params, actor).catch((e: unknown) => {
        // A broken role scope (403) of one object leaves that object out, not the page.
        if (e instanceof ProblemError && e.status < 500) return undefined;
        throw e;
      });
      if (!page?.page.total) return undefined;
      const records = page.data.map((row) => ({
        id: String(row.id),
        name: displayText(o.model.spec, row),
        values: Object.fromEntries(statusFields.map((n) => [n, row[n] ?? null])),
        updated_at: String(row.updated_at),
      }));
      return {
        object: o.model.name,
        fields: o.fields.filter((f) => f.spec.type === 'user').map((f) => f.name),
        records,
        total: page.page.total,
      };
    }),
  );
  return groups.filter((g): g is AssignedGroup => g !== undefined);
}
