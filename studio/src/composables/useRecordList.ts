// One object's list as the server pages it: filter (tokens resolved now), sort, q, the
// relation columns included, keyset cursor paging ("load more"), and the total.
import { ref, shallowRef } from 'vue';
import { api, query } from '../api/client.ts';
import type { FieldSpec, ListPage, RecordData } from '../api/types.ts';
import { resolveFilter } from '../model/filter-values.ts';
import { problemLine } from '../model/problem-types.ts';
import { useI18n } from './useI18n.ts';
import { useMetadata } from './useMetadata.ts';
import { useSession } from './useSession.ts';

export interface ListState {
  filter: Record<string, unknown> | null;
  sort: string[];
  columns: string[];
  q: string;
}

export const PAGE_SIZE = 50;

export function useRecordList(object: string, fields: () => FieldSpec[]) {
  const { t } = useI18n();
  const rows = shallowRef<RecordData[]>([]);
  const total = ref<number | undefined>();
  /** Whether `total` is the server's estimate (past 10,000 matches), shown as "about". */
  const totalIsEstimate = ref(false);
  const cursor = ref<string | null>(null);
  const loading = ref(false);
  const error = ref('');
  const { user } = useSession();
  const { byName: objects } = useMetadata();
  let seq = 0;

  function params(state: ListState, after: string | null) {
    const byName = new Map(fields().map((f) => [f.name, f]));
    // Relations to objects the reader may read only (the caller's metadata lists no others):
    // including another would refuse the whole list; their cells say "no access".
    const include = state.columns.filter((c) => {
      const f = byName.get(c);
      return f?.type === 'relation' && !!f.target && objects.value.has(f.target);
    });
    const dateFields = new Set(
      fields()
        .filter((f) => f.type === 'date')
        .map((f) => f.name),
    );
    const filter = state.filter ? resolveFilter(state.filter, { me: user.value?.id ?? null, dateFields }) : null;
    return query({
      limit: PAGE_SIZE,
      sort: state.sort.join(',') || undefined,
      filter: filter ? JSON.stringify(filter) : undefined,
      q: state.q.trim() || undefined,
      include: include.join(',') || undefined,
      cursor: after ?? undefined,
    });
  }

  // The total is asked for separately, so a slow count over a big table never holds back
  // the first page.
  async function count(state: ListState, mine: number): Promise<void> {
    const q = new URLSearchParams(params(state, null).slice(1));
    for (const k of ['sort', 'include', 'cursor']) q.delete(k);
    q.set('limit', '1');
    q.set('fields', 'id');
    q.set('count', 'true');
    const page = await api<ListPage>('GET', `/records/${object}?${q}`).catch(() => null);
    if (mine === seq && page) {
      total.value = page.page.total;
      totalIsEstimate.value = page.page.total_is_estimate === true;
    }
  }

  async function load(state: ListState, more = false): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    error.value = '';
    if (!more) void count(state, mine);
    try {
      const page = await api<ListPage>('GET', `/records/${object}${params(state, more ? cursor.value : null)}`);
      if (mine !== seq) return;
      rows.value = more ? [...rows.value, ...page.data] : page.data;
      cursor.value = page.page.has_more ? page.page.next_cursor : null;
    } catch (e) {
      if (mine === seq) error.value = problemLine(e, t);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  return { rows, total, totalIsEstimate, cursor, loading, error, load };
}
