// Users, teams and roles for the admin's people pages, loaded together and reloaded after a
// change. People the platform acts as (workflows, plugins: `*.kizuna.invalid`) are not listed.
import { computed, ref } from 'vue';
import { api } from '../api/client.ts';
import type { RoleEntry, Team, User } from '../api/types.ts';
import { useI18n } from './useI18n.ts';
import { useUsers } from './useUsers.ts';

const users = ref<User[]>([]);
const teams = ref<Team[]>([]);
const roles = ref<RoleEntry[]>([]);

export const isSystemUser = (u: User) => u.email.endsWith('.kizuna.invalid');

export function usePeople() {
  const { label } = useI18n();

  async function load(): Promise<void> {
    const [u, t, r] = await Promise.all([
      api<{ data: User[] }>('GET', '/users'),
      api<{ data: Team[] }>('GET', '/teams'),
      api<{ data: RoleEntry[] }>('GET', '/roles'),
    ]);
    users.value = u.data.filter((x) => !isSystemUser(x));
    // A person added or renamed here is named (and offered in pickers) elsewhere at once.
    void useUsers().load(true);
    teams.value = t.data;
    roles.value = r.data;
  }

  const teamName = (id: string) => {
    const team = teams.value.find((x) => x.id === id);
    return team ? label(team.label ?? undefined, team.name) : id.slice(0, 8);
  };
  const roleName = (name: string) => {
    const role = roles.value.find((x) => x.name === name);
    return role ? label(role.label, name) : name;
  };
  const userName = (id: string) => users.value.find((x) => x.id === id)?.name ?? `${id.slice(0, 8)}…`;

  return {
    users: computed(() => users.value),
    teams: computed(() => teams.value),
    roles: computed(() => roles.value),
    load,
    teamName,
    roleName,
    userName,
  };
}
