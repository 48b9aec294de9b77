// The merges a record took part in, as master or duplicate, newest first, each saying whether
// it can be undone now — what the studio's panel offers "Undo merge" on.
import { notFound, type PluginContext } from 'kizuna/plugin';
import { entriesOf, journalBlock, laterMergeOf, openEntriesWith, type NotUndoable } from './journal.ts';
import { isRecordId, presenceOf, type Presence } from './presence.ts';
import { objectShape } from './shape.ts';

export interface MergeSummary {
  id: string;
  role: 'master' | 'duplicate';
  master: string;
  /** Each duplicate as the caller may read it now (null: erased, or not readable by the caller). */
  duplicates: { id: string; state: 'live' | 'trash' | 'gone'; record: Record<string, unknown> | null }[];
  /** The master's fields the merge changed (those the caller can see). */
  changed: string[];
  merged_by: string | null;
  merged_at: string;
  expires_at: string;
  undone_at: string | null;
  undone_by: string | null;
  undoable: boolean;
  not_undoable: NotUndoable | null;
}

function blockOf(master: Presence | undefined, dups: string[], found: Map<string, Presence>): NotUndoable | undefined {
  if (!master) return 'master_gone';
  if (master.state === 'trash') return 'master_in_trash';
  return dups.some((d) => !found.has(d)) ? 'duplicate_gone' : undefined;
}

export async function mergesOf(ctx: Pick<PluginContext, 'metadata' | 'records' | 'asPlugin'>, object: string, id: string) {
  const shape = objectShape(ctx.metadata.object(object));
  // The record itself may be in the trash (a merged duplicate): readable there, it has merges.
  const here = isRecordId(id) ? await presenceOf(ctx.records, object, [id]) : new Map();
  if (!here.has(id)) throw notFound(`No ${object} record with id "${id}"`);
  const entries = await entriesOf(ctx.asPlugin, object, id);
  const ids = entries.flatMap((e) => [e.master, ...e.duplicates]);
  const found = await presenceOf(ctx.records, object, ids);
  const open = await openEntriesWith(ctx.asPlugin, object, ids);
  const now = new Date();
  const data: MergeSummary[] = entries.map((e) => {
    const block = journalBlock(e, now) ?? (laterMergeOf(e, open) ? 'later_merge' : blockOf(found.get(e.master), e.duplicates, found));
    return {
      id: e.id,
      role: e.master === id ? 'master' : 'duplicate',
      master: e.master,
      duplicates: e.duplicates.map((d) => ({ id: d, state: found.get(d)?.state ?? 'gone', record: found.get(d)?.record ?? null })),
      changed: Object.keys(e.master_changes ?? {}).filter((f) => shape.fields.has(f)),
      merged_by: e.merged_by,
      merged_at: e.merged_at,
      expires_at: e.expires_at,
      undone_at: e.undone_at,
      undone_by: e.undone_by,
      undoable: !block,
      not_undoable: block ?? null,
    };
  });
  return { object, id, data };
}
