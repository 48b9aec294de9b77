// The merge journal: one dedupe_merge record per merge (plugin.json declares the object),
// written and read as the plugin's own user (ctx.asPlugin) in the merge's transaction, so a
// caller needs no permission on it and cannot leave a merge without its entry. What it holds
// is what an exact undo needs: the master's values before, each duplicate as it went to the
// trash, and every relation row that was repointed.
import { conflict, ProblemError, type PluginRecords } from 'kizuna/plugin';

export const JOURNAL = 'dedupe_merge';
export const DEFAULT_UNMERGE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface RelationRow {
  object: string;
  field: string;
  id: string;
}

export interface JournalEntry {
  id: string;
  version: number;
  merged_object: string;
  master: string;
  duplicates: string[];
  record_ids: string;
  /** field → { from, to }: what the merge changed on the master. */
  master_changes: Record<string, { from: unknown; to: unknown }> | null;
  taken: Record<string, string> | null;
  /** duplicate id → the record as it went to the trash. */
  snapshots: Record<string, Record<string, unknown>>;
  /** duplicate id → the relation rows moved from it to the master. */
  relations: Record<string, RelationRow[]>;
  merged_by: string | null;
  merged_at: string;
  expires_at: string;
  undone_at: string | null;
  undone_by: string | null;
  undo: Record<string, unknown> | null;
}

/** Days a new merge stays undoable (settings.unmerge_days; 0: not at all). */
export const unmergeDays = (settings: Record<string, unknown>): number =>
  typeof settings.unmerge_days === 'number' ? settings.unmerge_days : DEFAULT_UNMERGE_DAYS;

export const expiresAt = (mergedAt: Date, days: number) => new Date(mergedAt.getTime() + days * DAY_MS).toISOString();

/**
 * A plugin whose files were updated without `POST /api/plugins/dedupe/upgrade` has no journal
 * object yet: a merge it could not record would be one nobody can undo, so it is refused.
 */
export async function assertJournal(asPlugin: PluginRecords): Promise<void> {
  try {
    await asPlugin.list(JOURNAL, { limit: '1', fields: 'master' });
  } catch (e) {
    if (e instanceof ProblemError && e.status === 404) {
      throw conflict(
        'Merges are recorded so they can be undone, and this Kizuna has no merge journal yet: an admin must upgrade the dedupe plugin (POST /api/plugins/dedupe/upgrade) first',
      );
    }
    throw e;
  }
}

/** The journal entry of a merge of `object`, or undefined when there is none. */
export async function readEntry(asPlugin: PluginRecords, object: string, mergeId: string): Promise<JournalEntry | undefined> {
  const page = await asPlugin.list(JOURNAL, { filter: JSON.stringify({ id: mergeId, merged_object: object }), limit: '1' });
  return page.data[0] as unknown as JournalEntry | undefined;
}

/** Entries a record took part in (as master or duplicate), newest first. */
export async function entriesOf(asPlugin: PluginRecords, object: string, id: string, limit = 100): Promise<JournalEntry[]> {
  const filter = { merged_object: object, record_ids: { contains: id } };
  const page = await asPlugin.list(JOURNAL, { filter: JSON.stringify(filter), sort: '-merged_at', limit: String(limit) });
  return page.data as unknown as JournalEntry[];
}

/** The newest entry, not undone, in which `id` was merged away (to name it when merging it again). */
export async function mergedAway(asPlugin: PluginRecords, object: string, id: string): Promise<JournalEntry | undefined> {
  return (await entriesOf(asPlugin, object, id, 20)).find((e) => !e.undone_at && e.duplicates.includes(id));
}

/** Not-undone merges of `object` involving any of `ids` (chunked: a filter has at most 200 conditions). */
export async function openEntriesWith(asPlugin: PluginRecords, object: string, ids: string[]): Promise<JournalEntry[]> {
  const out = new Map<string, JournalEntry>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 150) {
    const or = unique.slice(i, i + 150).map((id) => ({ record_ids: { contains: id } }));
    const page = await asPlugin.list(JOURNAL, {
      filter: JSON.stringify({ merged_object: object, undone_at: { is_null: true }, or }),
      limit: '500',
    });
    for (const e of page.data as unknown as JournalEntry[]) out.set(e.id, e);
  }
  return [...out.values()];
}

/**
 * A later merge, not undone, that moved one of this merge's records again (a duplicate merged
 * again after being restored by hand, the master merged away into another record): it has to
 * be undone first, or this undo would pull records out from under it.
 */
export function laterMergeOf(entry: JournalEntry, open: JournalEntry[]): JournalEntry | undefined {
  const t = Date.parse(entry.merged_at);
  const after = (e: JournalEntry) => Date.parse(e.merged_at) > t || (Date.parse(e.merged_at) === t && e.id > entry.id);
  return open.find(
    (e) =>
      e.id !== entry.id &&
      after(e) &&
      (e.duplicates.includes(entry.master) || entry.duplicates.some((d) => e.master === d || e.duplicates.includes(d))),
  );
}

export type NotUndoable = 'undone' | 'expired' | 'later_merge' | 'master_in_trash' | 'master_gone' | 'duplicate_gone';

/** Why an entry cannot be undone now, by the journal alone (the records' state is checked apart). */
export function journalBlock(e: Pick<JournalEntry, 'undone_at' | 'expires_at'>, now: Date): NotUndoable | undefined {
  if (e.undone_at) return 'undone';
  if (Date.parse(e.expires_at) <= now.getTime()) return 'expired';
  return undefined;
}
