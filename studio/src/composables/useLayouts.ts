// An object's shared layouts from /api/views: the "detail" view lays out its detail page, the
// "form" view its create and edit forms. Both are optional: without them the metadata's field
// order is the layout.
import { ref } from 'vue';
import { api } from '../api/client.ts';
import type { SavedView } from '../api/types.ts';

export function useLayouts(object: string) {
  const detail = ref<SavedView | null>(null);
  const form = ref<SavedView | null>(null);
  const loaded = ref(false);

  async function load(): Promise<SavedView[]> {
    const views = (
      await api<{ data: SavedView[] }>('GET', `/views?object=${encodeURIComponent(object)}`).catch(() => ({ data: [] as SavedView[] }))
    ).data;
    // A shared layout is the object's; a personal one (made through the API) only its owner's.
    const pick = (kind: SavedView['kind']) => views.find((v) => v.kind === kind && v.shared) ?? views.find((v) => v.kind === kind) ?? null;
    detail.value = pick('detail');
    form.value = pick('form');
    loaded.value = true;
    return views;
  }

  return { detail, form, loaded, load };
}
