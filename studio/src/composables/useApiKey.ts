// The API key the placeholder studio sends, kept in localStorage until real sign-in arrives.
import { ref } from 'vue';
import { API_KEY_STORAGE, storedApiKey } from '../api/client.ts';

export function useApiKey() {
  const apiKey = ref<string | null>(storedApiKey());

  function save(key: string): void {
    const trimmed = key.trim();
    if (!trimmed) return;
    localStorage.setItem(API_KEY_STORAGE, trimmed);
    apiKey.value = trimmed;
  }

  function clear(): void {
    localStorage.removeItem(API_KEY_STORAGE);
    apiKey.value = null;
  }

  return { apiKey, save, clear };
}
