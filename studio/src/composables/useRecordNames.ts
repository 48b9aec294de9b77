// Names of records known only by object and id (a workflow run's record): one request per
// object for the fields its display template is made of, read as the signed-in person (a
// record they may not read stays unnamed).
import { ref } from 'vue';
import { api, query } from '../api/client.ts';
import type { ListPage } from '../api/types.ts';
import { displayFieldsOf, recordTitle, useMetadata } from './useMetadata.ts';
import { useI18n } from './useI18n.ts';

export function useRecordNames() {
  const { byName } = useMetadata();
  const { locale } = useI18n();
  /** `object/id` → the record's fields that name it; null when it could not be read. */
  const rows = ref<Record<string, Record<string, unknown> | null>>({});

  async function load(refs: { object: string | null; record_id: string | null }[]): Promise<void> {
    const byObject = new Map<string, Set<string>>();
    for (const r of refs) if (r.object && r.record_id) byObject.set(r.object, (byObject.get(r.object) ?? new Set()).add(r.record_id));
    const found: Record<string, Record<string, unknown> | null> = {};
    await Promise.all(
      [...byObject].map(async ([object, ids]) => {
        const def = byName.value.get(object);
        if (!def) return;
        const list = [...ids];
        const page = await api<ListPage>(
          'GET',
          `/records/${object}${query({ filter: JSON.stringify({ id: { in: list } }), fields: ['id', ...displayFieldsOf(def)].join(','), limit: 500 })}`,
        ).catch(() => null);
        for (const id of list) found[`${object}/${id}`] = page?.data.find((row) => row.id === id) ?? null;
      }),
    );
    rows.value = found;
  }

  /** The record's name in the reader's language; '' when unknown or unreadable. */
  function nameOf(object: string, id: string): string {
    const def = byName.value.get(object);
    const row = rows.value[`${object}/${id}`];
    return def && row ? recordTitle(def, row, locale.value) : '';
  }

  return { load, nameOf };
}
