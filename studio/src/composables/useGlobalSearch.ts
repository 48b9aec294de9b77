// The top bar's search: what is typed is searched across every readable object
// (GET /api/search) once typing pauses, only the newest answer is kept; with nothing typed,
// the person's recent items (GET /api/recent-items) are offered instead.
import { computed, ref, watch } from 'vue';
import { api, query } from '../api/client.ts';
import type { components } from '../api/openapi.d.ts';

export type SearchResult = components['schemas']['SearchResult'];
export type RecentItem = components['schemas']['RecentItem'];

/** The server's bound on q: longer text is cut rather than refused while typing. */
const MAX_QUERY = 200;
/** Wait for a pause in typing before asking. */
const PAUSE_MS = 200;

/** Notes that a record page was opened (POST /api/recent-items); failing to note it must not disturb the page. */
export async function noteRecentItem(object: string, id: string): Promise<void> {
  await api('POST', '/recent-items', { object, id }).catch(() => undefined);
}

export async function loadRecentItems(limit: number): Promise<RecentItem[]> {
  return (await api<{ data: RecentItem[] }>('GET', `/recent-items${query({ limit })}`)).data;
}

export function useGlobalSearch(opts: { perObject: number; recent: number }) {
  const text = ref('');
  const result = ref<SearchResult | null>(null);
  const recent = ref<RecentItem[] | null>(null);
  const searching = ref(false);
  const failed = ref(false);
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function run(q: string): Promise<void> {
    const mine = ++asked;
    try {
      const r = await api<SearchResult>('GET', `/search${query({ q, limit: opts.perObject })}`);
      if (mine === asked) {
        result.value = r;
        failed.value = false;
      }
    } catch {
      if (mine === asked) {
        result.value = null;
        failed.value = true;
      }
    } finally {
      if (mine === asked) searching.value = false;
    }
  }

  watch(text, (value) => {
    clearTimeout(timer);
    const q = value.trim().slice(0, MAX_QUERY);
    asked++;
    failed.value = false;
    if (!q) {
      result.value = null;
      searching.value = false;
      return;
    }
    searching.value = true;
    timer = setTimeout(() => void run(q), PAUSE_MS);
  });

  async function refreshRecent(): Promise<void> {
    recent.value = await loadRecentItems(opts.recent).catch(() => []);
  }

  const typed = computed(() => text.value.trim() !== '');
  return { text, typed, result, recent, searching, failed, refreshRecent };
}
