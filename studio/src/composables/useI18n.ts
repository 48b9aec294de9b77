// The studio's tiny i18n: one shared locale ref, remembered in localStorage, and en/ja messages.
import { computed, ref, watchEffect } from 'vue';

export type Locale = 'en' | 'ja';
export type LocalizedText = Partial<Record<Locale, string>>;

const en = {
  'app.mark': '絆',
  'app.name': 'Kizuna',
  'app.tagline': 'A metadata-driven CRM',
  'app.documentTitle': 'Kizuna 絆',
  'nav.home': 'Home',
  'locale.switch': 'Language',
  'locale.en': 'English',
  'locale.ja': '日本語',
  'health.title': 'Server',
  'health.checking': 'Checking…',
  'health.ok': 'Running',
  'health.down': 'Unreachable: {detail}',
  'apiKey.title': 'API key',
  'apiKey.label': 'Paste an API key to browse the metadata',
  'apiKey.placeholder': 'kz_…',
  'apiKey.save': 'Save',
  'apiKey.clear': 'Forget',
  'apiKey.saved': 'A key is stored in this browser.',
  'objects.title': 'Objects',
  'objects.loading': 'Loading…',
  'objects.empty': 'No objects defined yet.',
  'objects.needKey': 'An API key is needed to list the objects.',
  'objects.error': 'Could not load the objects: {detail}',
  'notFound.title': 'Page not found',
  'notFound.body': 'There is nothing at {path}.',
  'notFound.back': 'Back to the start',
  'footer.placeholder': 'This is a placeholder studio; the full studio replaces it.',
} as const;

export type MessageKey = keyof typeof en;

const ja: Record<MessageKey, string> = {
  'app.mark': '絆',
  'app.name': 'Kizuna',
  'app.tagline': 'メタデータ駆動の CRM',
  'app.documentTitle': '絆 Kizuna',
  'nav.home': 'ホーム',
  'locale.switch': '言語',
  'locale.en': 'English',
  'locale.ja': '日本語',
  'health.title': 'サーバー',
  'health.checking': '確認中…',
  'health.ok': '稼働中',
  'health.down': '接続できません: {detail}',
  'apiKey.title': 'API キー',
  'apiKey.label': 'メタデータを表示するには API キーを貼り付けてください',
  'apiKey.placeholder': 'kz_…',
  'apiKey.save': '保存',
  'apiKey.clear': '削除',
  'apiKey.saved': 'このブラウザーにキーが保存されています。',
  'objects.title': 'オブジェクト',
  'objects.loading': '読み込み中…',
  'objects.empty': 'オブジェクトはまだ定義されていません。',
  'objects.needKey': 'オブジェクトの一覧には API キーが必要です。',
  'objects.error': 'オブジェクトを読み込めませんでした: {detail}',
  'notFound.title': 'ページが見つかりません',
  'notFound.body': '{path} には何もありません。',
  'notFound.back': '最初のページへ戻る',
  'footer.placeholder': 'これは仮のスタジオです。正式なスタジオに置き換えられます。',
};

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
  function t(key: MessageKey, params: Record<string, string> = {}): string {
    const text = messages[locale.value][key] ?? en[key];
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  }

  /** Picks a metadata label ({ en, ja }) in the current locale, falling back to any language. */
  function label(text: LocalizedText | undefined, fallback = ''): string {
    if (!text) return fallback;
    return text[locale.value] ?? text.en ?? Object.values(text)[0] ?? fallback;
  }

  /** Switches the language and remembers the choice (a detected language is not stored). */
  function setLocale(next: Locale): void {
    locale.value = next;
    localStorage.setItem(STORAGE_KEY, next);
  }

  return { locale: computed(() => locale.value), locales: ['en', 'ja'] as const, t, label, setLocale };
}
