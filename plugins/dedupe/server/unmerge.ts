// Undoing a merge from its journal entry, in one transaction: the master's overwritten fields
// get their old values back, the duplicates come back from the trash as they went in, every
// relation row the merge moved and that still points at the master points at its duplicate
// again, and the entry is marked undone. Anything the undo would put back over a later change
// is a 409 naming it, unless the caller says { "force": true }; relation rows that point
// elsewhere now are never forced, only reported as `skipped`.
import { conflict, notFound, ProblemError, type PluginContext, type PluginRecords } from 'kizuna/plugin';
import { assertJournal, JOURNAL, laterMergeOf, openEntriesWith, readEntry, type JournalEntry, type RelationRow } from './journal.ts';
import { canonical, internalFields, MATCHES_FIELD, MERGED_FIELD, REVIEW_FIELD } from './merge.ts';
import { isRecordId, presenceOf, type Presence } from './presence.ts';
import { objectShape, type ObjectShape } from './shape.ts';

/**
 * Data the plugins derive, not people: this plugin's markers and any plugin's internal fields
 * (keys it maintains). Put back when unchanged since the merge, else left as they are — never
 * a conflict, and never compared on a duplicate.
 */
const derivedFields = (def: ReturnType<PluginContext['metadata']['object']>) =>
  new Set([MATCHES_FIELD, REVIEW_FIELD, ...internalFields(def)]);

export interface Skipped extends RelationRow {
  duplicate: string;
  /** changed: it points elsewhere now (points_to); missing: erased, in the trash or not readable by the caller. */
  reason: 'changed' | 'missing';
  points_to?: string | null;
}

export interface UnmergeResult {
  merge: string;
  undone_at: string;
  master: Record<string, unknown>;
  restored: Record<string, unknown>[];
  repointed: { object: string; field: string; count: number }[];
  skipped: Skipped[];
  /** Fields put back although changed since the merge (with force): master.<f>, duplicates.<i>.<f>. */
  forced: string[];
  /** Derived fields of the master (this plugin's markers, plugins' internal fields) left as they are, having changed since the merge. */
  kept: string[];
}

type Problem = { field: string; message: string; keyword?: string };
/** The keyword clients recognise a field changed since the merge by (never the English words). */
const CHANGED = 'changed_since_merge';

/** The master and every duplicate must still exist, the master live: a 409 naming each one that is not. */
function assertRecords(entry: JournalEntry, found: Map<string, Presence>) {
  const errors: Problem[] = [];
  const master = found.get(entry.master);
  if (!master) errors.push({ field: 'master', message: `${entry.master} no longer exists (erased), or you may not read it` });
  else if (master.state === 'trash') errors.push({ field: 'master', message: `${entry.master} is in the trash: restore it first` });
  entry.duplicates.forEach((d, i) => {
    if (!found.has(d)) errors.push({ field: `duplicates.${i}`, message: `${d} was erased since the merge, or you may not read it` });
  });
  if (errors.length) throw conflict(`Merge ${entry.id} cannot be undone: ${errors.map((e) => e.message).join('; ')}`, errors);
}

interface Plan {
  master: Record<string, unknown>;
  dups: Map<string, Record<string, unknown>>;
  conflicts: Problem[];
  kept: string[];
}

/** What the undo writes, and what it would write over a change made since the merge. */
function plan(entry: JournalEntry, shape: ObjectShape, derived: Set<string>, found: Map<string, Presence>, force: boolean): Plan {
  const now = found.get(entry.master)!.record;
  const master: Record<string, unknown> = {};
  const conflicts: Problem[] = [];
  const kept: string[] = [];
  for (const [f, { from, to }] of Object.entries(entry.master_changes ?? {})) {
    if (f === MERGED_FIELD) continue;
    // A field this caller cannot see: the write says whether they may put it back (403 naming it).
    if (!(f in now)) master[f] = from;
    else if (canonical(now[f]) === canonical(from)) continue;
    else if (canonical(now[f]) === canonical(to)) master[f] = from;
    else if (derived.has(f)) kept.push(`master.${f}`);
    else {
      conflicts.push({ field: `master.${f}`, message: 'was changed since the merge', keyword: CHANGED });
      if (force) master[f] = from;
    }
  }
  if (shape.fields.has(MERGED_FIELD) && Array.isArray(now[MERGED_FIELD])) {
    const left = (now[MERGED_FIELD] as string[]).filter((id) => !entry.duplicates.includes(id));
    if (left.length !== (now[MERGED_FIELD] as string[]).length) master[MERGED_FIELD] = left.length ? left : null;
  }
  const dups = new Map<string, Record<string, unknown>>();
  entry.duplicates.forEach((d, i) => {
    const snap = entry.snapshots[d] ?? {};
    const cur = found.get(d)!.record;
    const back: Record<string, unknown> = {};
    for (const f of shape.copyable) {
      if (f === MERGED_FIELD || derived.has(f) || !(f in snap) || !(f in cur)) continue;
      if (canonical(cur[f]) === canonical(snap[f])) continue;
      conflicts.push({ field: `duplicates.${i}.${f}`, message: 'was changed since the merge', keyword: CHANGED });
      back[f] = snap[f] ?? null;
    }
    if (force && Object.keys(back).length) dups.set(d, back);
  });
  return { master, dups, conflicts, kept };
}

/** Points every moved relation row that still points at the master back at its duplicate. */
async function pointBack(records: PluginRecords, entry: JournalEntry, mergeNote: (dup: string) => { en: string; ja: string }) {
  const counts = new Map<string, { object: string; field: string; count: number }>();
  const skipped: Skipped[] = [];
  const groups = new Map<string, (RelationRow & { duplicate: string })[]>();
  for (const [duplicate, rows] of Object.entries(entry.relations ?? {})) {
    for (const r of rows) {
      const key = `${r.object}.${r.field}`;
      groups.set(key, [...(groups.get(key) ?? []), { ...r, duplicate }]);
    }
  }
  for (const rows of groups.values()) {
    const { object, field } = rows[0];
    const now = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((r) => r.id);
      // An object or field removed from the metadata since (404, 400): its rows are missing.
      // A field or object the caller may not read stays a 403: they cannot undo all of it.
      const page = await records.list(object, { filter: JSON.stringify({ id: { in: ids } }), fields: field, limit: '500' }).catch((e) => {
        if (e instanceof ProblemError && (e.status === 404 || e.status === 400)) return { data: [] };
        throw e;
      });
      for (const r of page.data as Record<string, unknown>[]) now.set(r.id as string, r);
    }
    for (const r of rows) {
      const row = now.get(r.id);
      if (!row) skipped.push({ object, field, id: r.id, duplicate: r.duplicate, reason: 'missing' });
      else if (row[field] !== entry.master)
        skipped.push({
          object,
          field,
          id: r.id,
          duplicate: r.duplicate,
          reason: 'changed',
          points_to: (row[field] as string | undefined) ?? null,
        });
      else {
        await records.update(object, r.id, { [field]: r.duplicate }, { note: mergeNote(r.duplicate) });
        const c = counts.get(`${object}.${field}`) ?? { object, field, count: 0 };
        c.count++;
        counts.set(`${object}.${field}`, c);
      }
    }
  }
  return { repointed: [...counts.values()], skipped };
}

export async function unmergeRecords(
  ctx: Pick<PluginContext, 'metadata' | 'transaction' | 'actor'>,
  object: string,
  mergeId: string,
  force: boolean,
): Promise<UnmergeResult> {
  const def = ctx.metadata.object(object);
  const shape = objectShape(def);
  if (!isRecordId(mergeId)) throw notFound(`No merge of ${object} with id "${mergeId}"`);
  return ctx.transaction(async (records, asPlugin) => {
    await assertJournal(asPlugin);
    const entry = await readEntry(asPlugin, object, mergeId);
    if (!entry) throw notFound(`No merge of ${object} with id "${mergeId}"`);
    if (entry.undone_at)
      throw conflict(`Merge ${mergeId} was already undone (at ${entry.undone_at})`, undefined, {
        undone_at: entry.undone_at,
        undone_by: entry.undone_by,
      });
    const undoneAt = new Date();
    if (Date.parse(entry.expires_at) <= undoneAt.getTime()) {
      throw conflict(
        `Merge ${mergeId} can no longer be undone: it could be until ${entry.expires_at} (the plugin's unmerge_days when it was merged)`,
        undefined,
        { expires_at: entry.expires_at },
      );
    }
    const later = laterMergeOf(entry, await openEntriesWith(asPlugin, object, [entry.master, ...entry.duplicates]));
    if (later)
      throw conflict(`Merge ${later.id} (${later.merged_at}) moved records of merge ${mergeId} again: undo it first`, undefined, {
        later_merge: later.id,
      });
    // Claimed first: the entry's row lock makes a second undo of the same merge wait, then fail.
    try {
      await asPlugin.update(JOURNAL, entry.id, { undone_at: undoneAt.toISOString(), undone_by: ctx.actor }, { ifMatch: entry.version });
    } catch (e) {
      if (e instanceof ProblemError && e.status === 412)
        throw conflict(`Merge ${mergeId} was undone or changed meanwhile; look at it again`);
      throw e;
    }
    const found = await presenceOf(records, object, [entry.master, ...entry.duplicates]);
    assertRecords(entry, found);
    const todo = plan(entry, shape, derivedFields(def), found, force);
    if (todo.conflicts.length && !force) {
      throw conflict(
        `Since merge ${mergeId}, ${todo.conflicts.map((c) => c.field).join(', ')} changed; undoing would put the values of the merge back over those changes. Send { "force": true } to do so anyway`,
        todo.conflicts,
        { changed: todo.conflicts.map((c) => c.field) },
      );
    }
    const n = entry.duplicates.length;
    // The master first, so unique values it took (an email) are free when the duplicates return.
    if (Object.keys(todo.master).length) {
      await records.update(object, entry.master, todo.master, {
        note: {
          en: `Merge ${mergeId} undone: ${n} record${n === 1 ? '' : 's'} split off again`,
          ja: `統合 ${mergeId} を取り消し：${n} 件を分離`,
        },
      });
    }
    for (const d of entry.duplicates) {
      if (found.get(d)!.state === 'trash') {
        await records.restore(object, d, {
          note: {
            en: `Restored by undoing merge ${mergeId} into ${entry.master}`,
            ja: `${entry.master} への統合（${mergeId}）の取り消しで復元`,
          },
        });
      }
      const back = todo.dups.get(d);
      if (back)
        await records.update(object, d, back, {
          note: { en: `Put back as it was when merged into ${entry.master}`, ja: `${entry.master} に統合した時点の値に戻す` },
        });
    }
    const { repointed, skipped } = await pointBack(records, entry, (dup) => ({
      en: `Moved back from ${entry.master} to ${dup}: merge undone`,
      ja: `統合の取り消しにより ${entry.master} から ${dup} に戻す`,
    }));
    const forced = force ? todo.conflicts.map((c) => c.field) : [];
    if (skipped.length || forced.length || todo.kept.length)
      await asPlugin.update(JOURNAL, entry.id, { undo: { skipped, forced, kept: todo.kept } });
    const final = await presenceOf(records, object, [entry.master, ...entry.duplicates]);
    return {
      merge: mergeId,
      undone_at: undoneAt.toISOString(),
      master: final.get(entry.master)!.record,
      restored: entry.duplicates.map((d) => final.get(d)!.record),
      repointed,
      skipped,
      forced,
      kept: todo.kept,
    };
  });
}
