// Names for what a timeline page points at (issue 16): each relation id as its record's display
// value — looked up with the caller's own permissions, one list query per target object, so a
// record they may not read stays unnamed (null: "no access") — and each user id (actors, user
// fields) as a name from the people directory.
import type { Actor, RecordService } from '../records/index.ts';
import type { Registry } from '../metadata/index.ts';
import { readDirectory, type PersonKind } from '../auth/index.ts';
import type { Executor } from '../db/index.ts';
import { ProblemError } from '../problems/index.ts';
import { displayText, type Label, type ObjectModel } from '../model/index.ts';

export interface TimelineNames {
  /** Per target object, per record id: its display value, or null when the caller may not read it (or it is gone). */
  records: Record<string, Record<string, Label | null>>;
  people: Record<string, { name: string; kind: PersonKind }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The most ids one lookup asks for (the list API's page limit). */
const CHUNK = 500;

/** The ids a change of a field refers to: `{ from, to }` pairs and plain values (a create's). */
function idsOf(change: unknown): string[] {
  const values =
    change && typeof change === 'object' && ('from' in change || 'to' in change)
      ? [(change as { from?: unknown }).from, (change as { to?: unknown }).to]
      : [change];
  return values.filter((v): v is string => typeof v === 'string' && UUID.test(v));
}

/** What ids the entries name: records per target object, and people. */
export function referencesOf(model: ObjectModel, entries: { actor?: string | null; changes?: Record<string, unknown> }[]) {
  const records = new Map<string, Set<string>>();
  const people = new Set<string>();
  for (const e of entries) {
    if (e.actor) people.add(e.actor);
    for (const [name, change] of Object.entries(e.changes ?? {})) {
      const f = model.fields.get(name);
      if (f?.spec.type === 'user') for (const id of idsOf(change)) people.add(id);
      else if (f?.spec.type === 'relation' && f.spec.target) {
        const ids = records.get(f.spec.target) ?? new Set<string>();
        for (const id of idsOf(change)) ids.add(id);
        records.set(f.spec.target, ids);
      }
    }
  }
  return { records, people };
}

export async function timelineNames(
  deps: { db: Executor; records: RecordService; registry: Registry },
  model: ObjectModel,
  entries: { actor?: string | null; changes?: Record<string, unknown> }[],
  actor: Actor,
): Promise<TimelineNames> {
  const refs = referencesOf(model, entries);
  const models = deps.registry.snapshot().models;
  const records: TimelineNames['records'] = {};
  await Promise.all(
    [...refs.records].map(async ([object, idSet]) => {
      const ids = [...idSet];
      const named: Record<string, Label | null> = Object.fromEntries(ids.map((id) => [id, null]));
      records[object] = named;
      const target = models.get(object);
      if (!target || !ids.length) return;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const page = await deps.records
          .list(object, { filter: JSON.stringify({ id: { in: chunk } }), limit: String(chunk.length) }, actor)
          // An object the caller may not read at all: every id stays "no access".
          .catch((e: unknown) => {
            if (e instanceof ProblemError && e.status < 500) return { data: [] as Record<string, unknown>[] };
            throw e;
          });
        for (const row of page.data) named[String(row.id)] = displayText(target.spec, row) ?? { en: String(row.id), ja: String(row.id) };
      }
    }),
  );
  const people = Object.fromEntries((await readDirectory(deps.db, [...refs.people])).map((p) => [p.id, { name: p.name, kind: p.kind }]));
  return { records, people };
}
