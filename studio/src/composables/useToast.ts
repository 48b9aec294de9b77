// Short messages at the bottom of the screen (saved, moved, conflicts), read out by screen readers.
import { ref } from 'vue';

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

const toasts = ref<Toast[]>([]);
let next = 1;

export function useToast() {
  function show(text: string, kind: Toast['kind'] = 'info', ms = 4000): void {
    const id = next++;
    toasts.value = [...toasts.value, { id, text, kind }];
    setTimeout(() => (toasts.value = toasts.value.filter((t) => t.id !== id)), ms);
  }
  return { toasts, show };
}
