// The studio's tiny i18n: one shared locale ref and en/ja messages. The choice is remembered
// per user on the server (PATCH /api/auth/me) and in localStorage for the sign-in page.
import { computed, ref, watchEffect } from 'vue';
import { en, type MessageKey } from '../i18n/en.ts';
import { ja } from '../i18n/ja.ts';
import { enOne } from '../i18n/en-one.ts';

export type Locale = 'en' | 'ja';
export type LocalizedText = Partial<Record<Locale, string>>;
export type { MessageKey };

const messages: Record<Locale, Record<MessageKey, string>> = { en, ja };
const STORAGE_KEY = 'kizuna.locale';

function initialLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'ja') return stored;
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

// Shared across components on purpose: the locale is one per page, like the document's lang.
const locale = ref<Locale>(initialLocale());

watchEffect(() => {
  document.documentElement.lang = locale.value;
});

export function useI18n() {
  function t(key: MessageKey, params: Record<string, string | number> = {}): string {
    const one = locale.value === 'en' && params.count !== undefined && Number(String(params.count).replace(/,/g, '')) === 1 ? enOne[key] : undefined;
    const text = one ?? messages[locale.value][key] ?? en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? String(params[name]) : whole));
  }

  /** Picks a metadata label ({ en, ja }) in the current locale, falling back to any language. */
  function label(text: LocalizedText | undefined, fallback = ''): string {
    if (!text) return fallback;
    return text[locale.value] ?? text.en ?? Object.values(text)[0] ?? fallback;
  }

  /** Switches the language and remembers the choice in this browser. */
  function setLocale(next: Locale): void {
    locale.value = next;
    localStorage.setItem(STORAGE_KEY, next);
  }

  return { locale: computed(() => locale.value), locales: ['en', 'ja'] as const, t, label, setLocale };
}
