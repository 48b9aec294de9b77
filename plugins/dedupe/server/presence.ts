// Where records are now, as the caller may see them: live, in the trash, or gone (erased, or
// out of the caller's read scope — the same to the caller). Merges and their undo ask this of
// the master and the duplicates before they touch anything, to name the one at fault.
import type { PluginRecords } from 'kizuna/plugin';

export type Presence = { state: 'live' | 'trash'; record: Record<string, unknown> };

const PAGE = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a path parameter can name a record or merge at all (anything else is simply not found). */
export const isRecordId = (id: string) => UUID.test(id);

/** id → its presence; ids that are neither live nor in the trash are absent. Two queries per 500 ids. */
export async function presenceOf(records: PluginRecords, object: string, ids: string[]): Promise<Map<string, Presence>> {
  const out = new Map<string, Presence>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += PAGE) {
    const chunk = unique.slice(i, i + PAGE);
    const filter = JSON.stringify({ id: { in: chunk } });
    for (const trashed of ['false', 'true'] as const) {
      const page = await records.list(object, { filter, trashed, limit: String(PAGE) });
      for (const r of page.data as Record<string, unknown>[])
        out.set(r.id as string, { state: trashed === 'true' ? 'trash' : 'live', record: r });
    }
  }
  return out;
}
