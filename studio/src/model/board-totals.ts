// A kanban column's total as people read it: a number in the locale's digits, money by its
// currency's rule (JPY without decimals, USD with two), several currencies side by side.
import type { FieldSpec } from '../api/types.ts';
import type { Locale } from '../composables/useI18n.ts';

export interface Sum {
  amount: string;
  currency: string | null;
}

export function sumText(sums: Sum[], field: FieldSpec, locale: Locale): string {
  return sums
    .map((s) => {
      const n = Number(s.amount);
      if (s.currency) {
        try {
          return new Intl.NumberFormat(locale, { style: 'currency', currency: s.currency }).format(n);
        } catch {
          return `${s.amount} ${s.currency}`;
        }
      }
      return field.type === 'percent' ? `${n.toLocaleString(locale)}%` : n.toLocaleString(locale);
    })
    .join(' · ');
}
