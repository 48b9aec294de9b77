// The signed-in person: loaded from /api/auth/me (which also gives back the CSRF token after a
// reload), signed in and out through /api/auth. The language follows the user's own setting.
// Before the first admin has a password, the studio shows the setup page instead of sign-in.
import { computed, ref } from 'vue';
import { api, setCsrfToken } from '../api/client.ts';
import type { Me, User } from '../api/types.ts';
import { useI18n, type Locale } from './useI18n.ts';
import { loadPluginExtensions } from '../model/plugin-loader.ts';

const user = ref<User | null>(null);
let loading: Promise<User | null> | null = null;
let setup: Promise<SetupStatus> | null = null;

/** Whether the first admin still has to choose a password (GET /api/auth/setup). */
export interface SetupStatus {
  pending: boolean;
  email?: string;
}

export function useSession() {
  const { setLocale } = useI18n();

  function adopt(me: Me): User {
    user.value = me.user;
    setCsrfToken(me.csrf_token ?? null);
    if (me.user.locale === 'en' || me.user.locale === 'ja') setLocale(me.user.locale);
    // The extensions of the plugins enabled on the server (loaded once, in the background).
    void api<{ data: { name: string }[] }>('GET', '/plugins/enabled')
      .then((r) => loadPluginExtensions(r.data.map((p) => p.name)))
      .catch(() => undefined);
    return me.user;
  }

  /** The current user, or null when nobody is signed in (asked once per page load). */
  function load(): Promise<User | null> {
    loading ??= api<Me>('GET', '/auth/me', undefined, { quiet401: true }).then(adopt, () => null);
    return loading;
  }

  async function signIn(email: string, password: string): Promise<User> {
    const me = await api<Me>('POST', '/auth/login', { email, password }, { quiet401: true });
    loading = Promise.resolve(adopt(me));
    return me.user;
  }

  /** Asked once per page load; a server that cannot say counts as "no setup pending". */
  function setupStatus(): Promise<SetupStatus> {
    setup ??= api<SetupStatus>('GET', '/auth/setup', undefined, { quiet401: true }).catch(() => ({ pending: false }));
    return setup;
  }

  /** The one-time setup token and the admin's new password: sets it and signs the admin in. */
  async function completeSetup(token: string, password: string): Promise<User> {
    const me = await api<Me>('POST', '/auth/setup', { token, password }, { quiet401: true });
    setup = Promise.resolve({ pending: false });
    loading = Promise.resolve(adopt(me));
    return me.user;
  }

  /** Chooses a password with a one-time link (an invitation or a reset) and signs in. */
  async function completeLink(token: string, password: string): Promise<User> {
    const me = await api<Me>('POST', '/auth/password-link/complete', { token, password }, { quiet401: true });
    loading = Promise.resolve(adopt(me));
    return me.user;
  }

  /** After "My account" changed the user (their language): the new copy. */
  function update(next: User): void {
    user.value = next;
  }

  async function signOut(): Promise<void> {
    await api('POST', '/auth/logout').catch(() => undefined);
    forget();
  }

  function forget(): void {
    user.value = null;
    setCsrfToken(null);
    loading = null;
  }

  /** Switches the language and remembers it for this user on the server. */
  async function chooseLocale(next: Locale): Promise<void> {
    setLocale(next);
    if (user.value && user.value.locale !== next) {
      user.value = { ...user.value, locale: next };
      await api('PATCH', '/auth/me', { locale: next }).catch(() => undefined);
    }
  }

  return {
    user: computed(() => user.value),
    isAdmin: computed(() => user.value?.is_admin === true),
    load,
    signIn,
    signOut,
    forget,
    chooseLocale,
    setupStatus,
    completeSetup,
    completeLink,
    update,
  };
}
