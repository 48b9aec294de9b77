// Modal dialog behaviour for keyboard users: focus moves into the dialog when it opens, Tab
// and Shift+Tab stay inside it, Escape closes it, and focus returns to whatever opened it.
import { onBeforeUnmount, watch, type Ref } from 'vue';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function useDialog(root: Ref<HTMLElement | undefined>, close: () => void): void {
  let opener: HTMLElement | null = null;

  function focusables(): HTMLElement[] {
    return [...(root.value?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])].filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
  }

  function onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'Tab') return;
    const list = focusables();
    if (!list.length) return;
    const first = list[0];
    const last = list[list.length - 1];
    const inside = root.value?.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
      e.preventDefault();
      first.focus();
    }
  }

  function open(): void {
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    document.addEventListener('keydown', onKeydown, true);
    // The first field (or the first button) of the dialog, unless something inside already has focus.
    if (!root.value?.contains(document.activeElement)) {
      const first =
        root.value?.querySelector<HTMLElement>('[autofocus]') ??
        root.value?.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea') ??
        focusables()[0];
      first?.focus();
    }
  }

  function closed(): void {
    document.removeEventListener('keydown', onKeydown, true);
    // Back where the person was, if that element is still on the page.
    const back = opener;
    opener = null;
    if (back) setTimeout(() => document.contains(back) && back.focus());
  }

  // The root appears and disappears with the dialog (a v-if inside or around the component).
  watch(
    root,
    (el, before) => {
      if (el && !before) open();
      else if (!el && before) closed();
    },
    { flush: 'post', immediate: true },
  );
  onBeforeUnmount(() => root.value && closed());
}
