// Names for `user` fields. Only admins may list people (/api/users); everyone else knows
// themselves, and other people appear by a short id.
import { ref } from 'vue';
import { api } from '../api/client.ts';
import type { User } from '../api/types.ts';
import { useSession } from './useSession.ts';

const users = ref<User[]>([]);
let loaded: Promise<void> | null = null;

export function useUsers() {
  const { user, isAdmin } = useSession();

  function load(): Promise<void> {
    loaded ??= isAdmin.value
      ? api<{ data: User[] }>('GET', '/users').then(
          (r) => void (users.value = r.data),
          () => undefined,
        )
      : Promise.resolve();
    return loaded;
  }

  function nameOf(id: unknown): string {
    if (typeof id !== 'string' || !id) return '';
    if (id === user.value?.id) return user.value.name;
    return users.value.find((u) => u.id === id)?.name ?? `${id.slice(0, 8)}…`;
  }

  /** People to choose from in a user field: everyone for admins, else just oneself. */
  const choices = () => (users.value.length ? users.value : user.value ? [user.value] : []);

  return { load, nameOf, choices };
}
