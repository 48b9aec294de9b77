// Merging duplicates into a master record, in one transaction: every relation that pointed at
// a duplicate is repointed to the master, the duplicates go to the trash (their own history
// stays), and the master takes the chosen values and records the merge in its timeline.
import { badRequest, ProblemError, validation, type PluginContext, type PluginRecords } from 'kizuna/plugin';
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
  master: Record<string, unknown>;
  merged: string[];
  taken: Record<string, string>;
  repointed: { object: string; field: string; count: number }[];
}

export function parseMergeRequest(body: unknown, shape: ObjectShape): MergeRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object', [{ field: '(root)', message: 'must be an object' }]);
  const b = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  if (typeof b.master !== 'string') problems.push({ field: 'master', message: 'must be a record id' });
  const dups = Array.isArray(b.duplicates) ? b.duplicates : [];
  if (!dups.length || dups.length > MAX_DUPLICATES || dups.some((d) => typeof d !== 'string')) problems.push({ field: 'duplicates', message: `must be 1–${MAX_DUPLICATES} record ids` });
  else if (new Set(dups).size !== dups.length || dups.includes(b.master)) problems.push({ field: 'duplicates', message: 'must be distinct ids, none of them the master' });
  const fields = (b.fields ?? {}) as Record<string, unknown>;
  if (typeof fields !== 'object' || Array.isArray(fields)) problems.push({ field: 'fields', message: 'must be an object of field → record id' });
  else {
    for (const [f, from] of Object.entries(fields)) {
      if (!shape.copyable.includes(f) || f === MERGED_FIELD || f === REVIEW_FIELD || f === MATCHES_FIELD) problems.push({ field: `fields.${f}`, message: `is not a field a merge can set on ${shape.name}` });
      else if (from !== b.master && !dups.includes(from)) problems.push({ field: `fields.${f}`, message: 'must be the id of the master or of one of the duplicates' });
    }
  }
  if (problems.length) throw validation(problems, 'The merge request is invalid');
  return { master: b.master as string, duplicates: dups as string[], fields: fields as Record<string, string> };
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** The values the master takes: the chosen ones, and for the rest the master's own, or if empty the first duplicate's. */
export function mergedValues(shape: ObjectShape, master: Record<string, unknown>, dups: Record<string, unknown>[], choices: Record<string, string>): { values: Record<string, unknown>; taken: Record<string, string> } {
  const byId = new Map([master, ...dups].map((r) => [r.id as string, r]));
  const values: Record<string, unknown> = {};
  const taken: Record<string, string> = {};
  for (const f of shape.copyable) {
    if (f === MERGED_FIELD || f === MATCHES_FIELD || f === REVIEW_FIELD) continue;
    const from = choices[f] ?? (isEmpty(master[f]) ? dups.find((d) => !isEmpty(d[f]))?.id as string | undefined : undefined);
    if (!from || from === master.id) continue;
    const v = byId.get(from)![f];
    if (JSON.stringify(v ?? null) !== JSON.stringify(master[f] ?? null)) {
      values[f] = v ?? null;
      taken[f] = from;
    }
  }
  return { values, taken };
}

/** Repoints every record whose `field` holds one of `from` to `to`; returns how many. */
async function repoint(records: PluginRecords, object: string, field: string, from: string[], to: string): Promise<number> {
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
      await records.update(object, r.id, { [field]: to });
    }
  }
}

/**
 * Updates the master; values filled in only because the master's were empty are dropped when
 * the caller may not write those fields (a 403 naming them), so a merge by someone with
 * read-only fields still works. Chosen values are never dropped: their refusal stays a 403.
 */
async function updateMaster(records: PluginRecords, object: string, id: string, values: Record<string, unknown>, taken: Record<string, string>, chosen: Record<string, string>) {
  try {
    return await records.update(object, id, values);
  } catch (e) {
    const refused = e instanceof ProblemError && e.status === 403 ? (e.errors ?? []).map((p) => p.field) : [];
    if (!refused.length || refused.some((f) => chosen[f] !== undefined || !(f in taken))) throw e;
    for (const f of refused) {
      delete values[f];
      delete taken[f];
    }
    return await records.update(object, id, values);
  }
}

export async function mergeRecords(ctx: Pick<PluginContext, 'metadata' | 'transaction'>, object: string, body: unknown): Promise<MergeResult> {
  const shape = objectShape(ctx.metadata.object(object));
  const req = parseMergeRequest(body, shape);
  const relations = relationsTo(ctx.metadata.objects(), object);
  return ctx.transaction(async (records) => {
    const master = await records.get(object, req.master);
    const dups = [];
    for (const id of req.duplicates) dups.push(await records.get(object, id));
    const { values, taken } = mergedValues(shape, master, dups, req.fields ?? {});
    const repointed = [];
    for (const rel of relations) {
      const count = await repoint(records, rel.object, rel.field, req.duplicates, req.master);
      if (count) repointed.push({ ...rel, count });
    }
    // Trash the duplicates before the master takes their values, so unique values can move.
    for (const id of req.duplicates) await records.remove(object, id);
    if (shape.fields.has(MERGED_FIELD)) {
      const before = Array.isArray(master[MERGED_FIELD]) ? (master[MERGED_FIELD] as unknown[]) : [];
      values[MERGED_FIELD] = [...before, ...req.duplicates];
    }
    if (shape.fields.has(MATCHES_FIELD) && Array.isArray(master[MATCHES_FIELD])) {
      const left = (master[MATCHES_FIELD] as { id: string }[]).filter((m) => !req.duplicates.includes(m.id));
      values[MATCHES_FIELD] = left.length ? left : null;
      if (!left.length && master[REVIEW_FIELD]) values[REVIEW_FIELD] = false;
    }
    const updated = Object.keys(values).length ? await updateMaster(records, object, req.master, values, taken, req.fields ?? {}) : master;
    return { master: updated, merged: req.duplicates, taken, repointed };
  });
}
