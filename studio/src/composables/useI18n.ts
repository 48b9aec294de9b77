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

type Params = Record<string, string | number>;
const isOne = (params: Params) => params.count !== undefined && Number(String(params.count).replace(/,/g, '')) === 1;
const fill = (text: string, params: Params) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? String(params[name]) : whole));

export function useI18n() {
  function t(key: MessageKey, params: Params = {}): string {
    const one = locale.value === 'en' && isOne(params) ? enOne[key] : undefined;
    return fill(one ?? messages[locale.value][key] ?? en[key] ?? key, params);
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

/**
 * A plugin's own messages in the studio's locale: `const t = useMessages({ en: {...}, ja: {...},
 * enOne: {...} })`, then `t('key', { count: 2 })` — {name} parameters filled in, English when a
 * Japanese text is missing, `enOne` for a count of 1 in English (as the studio's own t()).
 */
export function useMessages<K extends string>(table: {
  en: Record<K, string>;
  ja?: Partial<Record<K, string>>;
  enOne?: Partial<Record<K, string>>;
}) {
  return (key: K, params: Params = {}): string => {
    const one = locale.value === 'en' && isOne(params) ? table.enOne?.[key] : undefined;
    return fill(one ?? (locale.value === 'ja' ? table.ja?.[key] : undefined) ?? table.en[key] ?? key, params);
  };
}
