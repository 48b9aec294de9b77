// Merging duplicates into a master record, in one transaction: every relation that pointed at
// a duplicate is repointed to the master, the duplicates go to the trash (their own history
// stays), the master takes the chosen values, and the journal (journal.ts) records all of it
// so the merge can be undone (unmerge.ts). Each write carries a note for the timelines.
import { badRequest, conflict, ProblemError, validation, type PluginContext, type PluginRecords } from 'kizuna/plugin';
import { assertJournal, expiresAt, JOURNAL, mergedAway, unmergeDays, type RelationRow } from './journal.ts';
import { presenceOf, type Presence } from './presence.ts';
import { objectShape, relationsTo, type ObjectShape } from './shape.ts';

export const MAX_DUPLICATES = 50;
/** The plugin's own fields (plugin.json) on contact and company; other objects merge without them. */
export const MERGED_FIELD = 'dedupe_merged_from';
export const MATCHES_FIELD = 'dedupe_matches';
export const REVIEW_FIELD = 'dedupe_review';

export interface MergeRequest {
  master: string;
  duplicates: string[];
  /** field → id of the record (master or a duplicate) whose value the master takes. */
  fields?: Record<string, string>;
}

export interface MergeResult {
  /** The journal entry: what POST /unmerge/{object}/{merge} takes. */
  merge: string;
  /** Until when the merge can be undone (the merge time itself when unmerge_days is 0). */
  expires_at: string;
  master: Record<string, unknown>;
  merged: string[];
  taken: Record<string, string>;
  repointed: { object: string; field: string; count: number }[];
}

export function parseMergeRequest(body: unknown, shape: ObjectShape): MergeRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The body must be a JSON object', [{ field: '(root)', message: 'must be an object' }]);
  const b = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  if (typeof b.master !== 'string') problems.push({ field: 'master', message: 'must be a record id' });
  const dups = Array.isArray(b.duplicates) ? b.duplicates : [];
  if (!dups.length || dups.length > MAX_DUPLICATES || dups.some((d) => typeof d !== 'string'))
    problems.push({ field: 'duplicates', message: `must be 1–${MAX_DUPLICATES} record ids` });
  else if (new Set(dups).size !== dups.length || dups.includes(b.master))
    problems.push({ field: 'duplicates', message: 'must be distinct ids, none of them the master' });
  const fields = (b.fields ?? {}) as Record<string, unknown>;
  if (typeof fields !== 'object' || Array.isArray(fields))
    problems.push({ field: 'fields', message: 'must be an object of field → record id' });
  else {
    for (const [f, from] of Object.entries(fields)) {
      if (!shape.copyable.includes(f) || f === MERGED_FIELD || f === REVIEW_FIELD || f === MATCHES_FIELD)
        problems.push({ field: `fields.${f}`, message: `is not a field a merge can set on ${shape.name}` });
      else if (from !== b.master && !dups.includes(from))
        problems.push({ field: `fields.${f}`, message: 'must be the id of the master or of one of the duplicates' });
    }
  }
  if (problems.length) throw validation(problems, 'The merge request is invalid');
  return { master: b.master as string, duplicates: dups as string[], fields: fields as Record<string, string> };
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** The values the master takes: the chosen ones, and for the rest the master's own, or if empty the first duplicate's. */
export function mergedValues(
  shape: ObjectShape,
  master: Record<string, unknown>,
  dups: Record<string, unknown>[],
  choices: Record<string, string>,
): { values: Record<string, unknown>; taken: Record<string, string> } {
  const byId = new Map([master, ...dups].map((r) => [r.id as string, r]));
  const values: Record<string, unknown> = {};
  const taken: Record<string, string> = {};
  for (const f of shape.copyable) {
    if (f === MERGED_FIELD || f === MATCHES_FIELD || f === REVIEW_FIELD) continue;
    const from = choices[f] ?? (isEmpty(master[f]) ? (dups.find((d) => !isEmpty(d[f]))?.id as string | undefined) : undefined);
    if (!from || from === master.id) continue;
    const v = byId.get(from)![f];
    if (JSON.stringify(v ?? null) !== JSON.stringify(master[f] ?? null)) {
      values[f] = v ?? null;
      taken[f] = from;
    }
  }
  return { values, taken };
}

const moved = (dup: string, master: string) => ({
  en: `Moved from ${dup} to ${master} by a merge`,
  ja: `統合により ${dup} から ${master} に付け替え`,
});

/** Repoints every record whose `field` holds one of `from` to `to`; returns the rows moved, by the duplicate they pointed at. */
async function repoint(
  records: PluginRecords,
  object: string,
  field: string,
  from: string[],
  to: string,
  moves: Map<string, RelationRow[]>,
): Promise<number> {
  const done = new Set<string>();
  // Each page is rewritten, so the next query no longer finds it: always read the first page.
  for (;;) {
    const page = await records.list(object, { filter: JSON.stringify({ [field]: { in: from } }), fields: field, limit: '500', sort: 'id' });
    const rows = page.data as { id: string }[];
    if (!rows.length) return done.size;
    for (const r of rows) {
      // A hook that puts the old value back would otherwise loop for ever.
      if (done.has(r.id)) throw new Error(`${object} ${r.id} still points at a merged record after being repointed`);
      done.add(r.id);
      const dup = (r as Record<string, unknown>)[field] as string;
      moves.get(dup)!.push({ object, field, id: r.id });
      await records.update(object, r.id, { [field]: to }, { note: moved(dup, to) });
    }
  }
}

/**
 * The master and the duplicates must be live: a duplicate already merged (in the trash) is a
 * 409 naming it as `duplicates.<i>` — merging the same pair twice does nothing twice — and an
 * id that is nowhere a 404 naming it.
 */
async function assertLive(
  records: PluginRecords,
  asPlugin: PluginRecords,
  object: string,
  req: MergeRequest,
): Promise<Map<string, Presence>> {
  const found = await presenceOf(records, object, [req.master, ...req.duplicates]);
  const at = [{ id: req.master, field: 'master' }, ...req.duplicates.map((id, i) => ({ id, field: `duplicates.${i}` }))];
  const missing = at.filter((a) => !found.has(a.id));
  if (missing.length) {
    throw new ProblemError({
      status: 404,
      type: 'not-found',
      title: 'Not found',
      detail: `No ${object} record with id ${missing.map((m) => `"${m.id}"`).join(', ')}`,
      errors: missing.map((m) => ({ field: m.field, message: `no ${object} record with this id` })),
    });
  }
  const trashed = at.filter((a) => found.get(a.id)!.state === 'trash');
  if (!trashed.length) return found;
  const errors = [];
  for (const t of trashed) {
    const entry = await mergedAway(asPlugin, object, t.id);
    errors.push({ field: t.field, message: entry ? `is already merged into ${entry.master} (merge ${entry.id})` : 'is in the trash' });
  }
  throw new ProblemError({
    status: 409,
    type: 'conflict',
    title: 'Conflict',
    detail: `Cannot merge records in the trash: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    errors,
  });
}

/**
 * Updates the master; values filled in only because the master's were empty are dropped when
 * the caller may not write those fields (a 403 naming them), so a merge by someone with
 * read-only fields still works. Chosen values are never dropped: their refusal stays a 403.
 */
async function updateMaster(
  records: PluginRecords,
  object: string,
  id: string,
  values: Record<string, unknown>,
  taken: Record<string, string>,
  chosen: Record<string, string>,
  note: { en: string; ja: string },
) {
  try {
    return await records.update(object, id, values, { note });
  } catch (e) {
    const refused = e instanceof ProblemError && e.status === 403 ? (e.errors ?? []).map((p) => p.field) : [];
    if (!refused.length || refused.some((f) => chosen[f] !== undefined || !(f in taken))) throw e;
    for (const f of refused) {
      delete values[f];
      delete taken[f];
    }
    return await records.update(object, id, values, { note });
  }
}

/** Values compared as stored: JSON with object keys in one order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

type ObjectDef = ReturnType<PluginContext['metadata']['object']>;

/** Fields plugins maintain themselves (FieldSpec internal: this plugin's dedupe_keys): never taken from a duplicate. */
export const internalFields = (def: ObjectDef): Set<string> =>
  new Set(
    Object.entries(def.properties)
      .filter(([, p]) => p['x-kizuna']?.internal)
      .map(([name]) => name),
  );

/** The object as a merge sees it: what it may copy leaves out what plugins derive. */
function mergeShape(def: ObjectDef): ObjectShape {
  const shape = objectShape(def);
  const internal = internalFields(def);
  return { ...shape, copyable: shape.copyable.filter((f) => !internal.has(f)) };
}

export async function mergeRecords(
  ctx: Pick<PluginContext, 'metadata' | 'transaction' | 'settings' | 'actor'>,
  object: string,
  body: unknown,
): Promise<MergeResult> {
  const shape = mergeShape(ctx.metadata.object(object));
  const req = parseMergeRequest(body, shape);
  const relations = relationsTo(ctx.metadata.objects(), object);
  return ctx.transaction(async (records, asPlugin) => {
    await assertJournal(asPlugin);
    const found = await assertLive(records, asPlugin, object, req);
    const master = found.get(req.master)!.record;
    const dups = req.duplicates.map((id) => found.get(id)!.record);
    const { values, taken } = mergedValues(shape, master, dups, req.fields ?? {});
    const moves = new Map(req.duplicates.map((d) => [d, [] as RelationRow[]]));
    const repointed = [];
    for (const rel of relations) {
      const count = await repoint(records, rel.object, rel.field, req.duplicates, req.master, moves);
      if (count) repointed.push({ ...rel, count });
    }
    // Trash the duplicates before the master takes their values, so unique values can move.
    for (const [i, id] of req.duplicates.entries()) {
      await records.remove(object, id, { note: { en: `Merged into ${req.master}`, ja: `${req.master} に統合` } }).catch((e) => {
        // Trashed between the check and now: by a merge of the same duplicate running alongside.
        if (e instanceof ProblemError && e.status === 404)
          throw conflict(`${object} ${id} was merged or trashed meanwhile`, [
            { field: `duplicates.${i}`, message: 'was merged or trashed meanwhile' },
          ]);
        throw e;
      });
    }
    // As they went to the trash (repointed self-relations included): what an undo restores.
    const trashed = await presenceOf(records, object, req.duplicates);
    const snapshots = Object.fromEntries(req.duplicates.map((id) => [id, trashed.get(id)!.record]));
    // The master as it is now (a relation of its own may have been repointed).
    const before = await records.get(object, req.master);
    if (shape.fields.has(MERGED_FIELD)) {
      const had = Array.isArray(before[MERGED_FIELD]) ? (before[MERGED_FIELD] as string[]) : [];
      // A set: an id merged, restored by hand and merged again is listed once.
      values[MERGED_FIELD] = [...new Set([...had, ...req.duplicates])];
    }
    if (shape.fields.has(MATCHES_FIELD) && Array.isArray(before[MATCHES_FIELD])) {
      const left = (before[MATCHES_FIELD] as { id: string }[]).filter((m) => !req.duplicates.includes(m.id));
      values[MATCHES_FIELD] = left.length ? left : null;
      if (!left.length && before[REVIEW_FIELD]) values[REVIEW_FIELD] = false;
    }
    const n = req.duplicates.length;
    const note = { en: `Took in ${n} merged duplicate${n === 1 ? '' : 's'}`, ja: `重複 ${n} 件を統合` };
    const updated = Object.keys(values).length
      ? await updateMaster(records, object, req.master, values, taken, req.fields ?? {}, note)
      : before;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const f of Object.keys(values))
      if (canonical(before[f]) !== canonical(updated[f])) changes[f] = { from: before[f] ?? null, to: updated[f] ?? null };
    const mergedAt = new Date();
    const entry = await asPlugin.create(JOURNAL, {
      merged_object: object,
      master: req.master,
      duplicates: req.duplicates,
      record_ids: [req.master, ...req.duplicates].join(' '),
      master_changes: changes,
      taken,
      snapshots,
      relations: Object.fromEntries(moves),
      merged_by: ctx.actor,
      merged_at: mergedAt.toISOString(),
      expires_at: expiresAt(mergedAt, unmergeDays(ctx.settings)),
    });
    return { merge: entry.id as string, expires_at: entry.expires_at as string, master: updated, merged: req.duplicates, taken, repointed };
  });
}
