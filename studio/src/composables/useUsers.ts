// Names for user ids, for everyone signed in: the people directory (GET /api/people) lists each
// user's id, name and kind. Workflows and plugins act as users of their own: they are named
// (as automations) but never offered in a user picker, nor are deactivated people.
import { ref } from 'vue';
import { api } from '../api/client.ts';
import type { Person } from '../api/types.ts';
import { useSession } from './useSession.ts';

const people = ref<Person[]>([]);
let loaded: Promise<void> | null = null;

export function useUsers() {
  const { user } = useSession();

  function load(force = false): Promise<void> {
    if (force || !loaded)
      loaded = api<{ data: Person[] }>('GET', '/people').then(
        (r) => void (people.value = r.data),
        () => void (loaded = null),
      );
    return loaded;
  }

  const personOf = (id: unknown) => (typeof id === 'string' ? people.value.find((p) => p.id === id) : undefined);

  function nameOf(id: unknown): string {
    if (typeof id !== 'string' || !id) return '';
    if (id === user.value?.id) return user.value.name;
    return personOf(id)?.name ?? `${id.slice(0, 8)}…`;
  }

  /** Whether the user is an automation (a workflow's or a plugin's), not a person. */
  const isAutomation = (id: unknown) => {
    const kind = personOf(id)?.kind;
    return kind === 'workflow' || kind === 'plugin';
  };

  /** People to choose from in a user field: active people, never automations. */
  const choices = (): { id: string; name: string }[] => {
    const list = people.value.filter((p) => p.kind === 'person' && p.active);
    if (list.length || !user.value) return list;
    return [user.value];
  };

  return { load, nameOf, isAutomation, choices };
}
