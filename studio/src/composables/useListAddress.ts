// Keeps a list's (or a board's) state and its address in step. A change the user makes is
// pushed as a new history entry (so back undoes it) and loaded; an address that arrives from
// outside (a shared link, back/forward, a reload) is read, checked and applied. What a link
// asked for that the object does not offer is left out, named in `ignored`, and the address
// is corrected in place, so what is shown and what is shared always agree.
import { ref, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { FieldSpec } from '../api/types.ts';
import { readListAddress, sameQuery, type ListAddress } from '../model/list-url.ts';
import { useMetadata } from './useMetadata.ts';

export interface ListAddressOptions {
  fields: () => FieldSpec[];
  /** Takes what the address says (without loading); returns what it named that does not exist beyond fields (a view). */
  apply: (address: ListAddress) => string[];
  /** The address of what is shown now. */
  current: () => Record<string, string>;
  /** Loads what is shown now. */
  load: () => unknown;
}

export function useListAddress(o: ListAddressOptions) {
  const route = useRoute();
  const router = useRouter();
  const { byName } = useMetadata();
  const path = route.path;
  const ignored = ref<string[]>([]);

  function read(): void {
    const { address, dropped } = readListAddress(route.query, o.fields(), byName.value);
    const all = [...dropped, ...o.apply(address)];
    void o.load();
    if (!all.length) return;
    ignored.value = [...new Set(all)];
    void router.replace({ path, query: o.current() });
  }

  /** After a change the user made: a new history entry, then the list again. */
  function commit(replace = false): void {
    const query = o.current();
    if (sameQuery(query, route.query)) return;
    ignored.value = [];
    void (replace ? router.replace({ path, query }) : router.push({ path, query }));
    void o.load();
  }

  // Back/forward or a link to this same page with another query (the page is reused): follow
  // it, unless it is the address of what is already shown (our own push or correction).
  watch(
    () => route.query,
    (query) => {
      if (route.path === path && !sameQuery(query, o.current())) read();
    },
  );

  return { ignored, read, commit };
}
