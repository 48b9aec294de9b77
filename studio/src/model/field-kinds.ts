// What each field type means to the studio. Which filter operators a type takes and whether
// lists sort by it come from the server's field-type table (GET /api/meta/field-types, loaded
// with the metadata): one table, never a copy. Here is only what is the studio's own: the order
// operators are offered in, and how a value reads as plain text (CSV, titles).
import { ref } from 'vue';
import type { FieldSpec, FieldType, FieldTypeInfo } from '../api/types.ts';
import type { Locale } from '../composables/useI18n.ts';
import { countryName } from './countries.ts';

export type FilterOp =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'in'
  | 'nin'
  | 'contains'
  | 'icontains'
  | 'starts_with'
  | 'is_null'
  | 'not_null'
  | 'has_any'
  | 'has_all';

export interface FieldKind {
  /** Plain-text form of a value in the given locale (CSV export, card titles). */
  text(value: unknown, field: FieldSpec, locale: Locale): string;
}

/** The server's field-type table, by type. */
const serverTypes = ref(new Map<string, FieldTypeInfo>());

/** Keeps the server's field-type table (useMetadata loads it). */
export function setFieldTypes(list: FieldTypeInfo[]): void {
  serverTypes.value = new Map(list.map((t) => [t.type, t]));
}

/** The order the filter builder offers operators in: the likeliest first (its first is the default). */
const OFFER_ORDER: FilterOp[] = [
  'icontains',
  'eq',
  'neq',
  'starts_with',
  'contains',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'nin',
  'has_any',
  'has_all',
  'is_null',
  'not_null',
];

// The types a "between" row takes two numbers for.
const RANGED: FieldType[] = ['integer', 'number', 'percent', 'currency'];

/**
 * The operators a filter on this field offers: the server's for its type, "is not empty" being
 * `is_null: false` and "between" the server's `gte` and `lte` together (one row, two bounds).
 */
export function operatorsOf(field: FieldSpec): FilterOp[] {
  const taken = (serverTypes.value.get(field.type)?.operators ?? []) as string[];
  const offered = (op: FilterOp) =>
    op === 'between'
      ? RANGED.includes(field.type) && taken.includes('gte') && taken.includes('lte')
      : taken.includes(op === 'not_null' ? 'is_null' : op);
  return OFFER_ORDER.filter(offered);
}

/** Whether lists sort by this field (the server's table). */
export const sortableOf = (field: FieldSpec): boolean => serverTypes.value.get(field.type)?.sortable ?? false;

const plain = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const optionLabel = (field: FieldSpec, value: unknown, locale: Locale) => {
  const o = field.options?.find((x) => x.value === value);
  return o ? (o.label[locale] ?? o.label.en ?? o.value) : plain(value);
};

const kind = (text: FieldKind['text'] = plain): FieldKind => ({ text });

export const fieldKinds: Record<FieldType, FieldKind> = {
  text: kind(),
  long_text: kind(),
  email: kind(),
  phone: kind(),
  url: kind(),
  autonumber: kind(),
  integer: kind((v, _f, l) => (typeof v === 'number' ? v.toLocaleString(l) : plain(v))),
  number: kind((v, _f, l) => (typeof v === 'number' ? v.toLocaleString(l) : plain(v))),
  percent: kind((v, _f, l) => (typeof v === 'number' ? `${v.toLocaleString(l)}%` : plain(v))),
  currency: kind((v, _f, l) => {
    const c = v as { amount?: string; currency?: string } | null;
    if (!c?.amount) return '';
    try {
      return new Intl.NumberFormat(l, { style: 'currency', currency: c.currency ?? 'JPY' }).format(Number(c.amount));
    } catch {
      return `${c.amount} ${c.currency ?? ''}`;
    }
  }),
  boolean: kind((v) => (v === true ? '✓' : v === false ? '✗' : '')),
  date: kind((v, _f, l) => (typeof v === 'string' ? new Date(`${v}T00:00:00`).toLocaleDateString(l) : '')),
  datetime: kind((v, _f, l) => (typeof v === 'string' ? new Date(v).toLocaleString(l, { dateStyle: 'medium', timeStyle: 'short' }) : '')),
  select: kind((v, f, l) => optionLabel(f, v, l)),
  multi_select: kind((v, f, l) => (Array.isArray(v) ? v.map((x) => optionLabel(f, x, l)).join(', ') : '')),
  country: kind((v, _f, l) => (typeof v === 'string' && v ? countryName(v, l) : '')),
  relation: kind(),
  user: kind(),
  tags: kind((v) => (Array.isArray(v) ? v.join(', ') : '')),
  json: kind((v) => (v === null || v === undefined ? '' : JSON.stringify(v))),
  uuid: kind(),
  // A computed value reads as a value of its result type.
  formula: kind((v, f, l) => (f.result_type ? fieldKinds[f.result_type].text(v, f, l) : plain(v))),
};

export const kindOf = (field: FieldSpec): FieldKind => fieldKinds[field.type] ?? fieldKinds.text;

/** Field types an admin can create in the designer (uuid is the system id only). */
export const creatableTypes: FieldType[] = [
  'text',
  'long_text',
  'email',
  'phone',
  'url',
  'integer',
  'number',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'select',
  'multi_select',
  'tags',
  'relation',
  'user',
  'autonumber',
  'json',
  'country',
  'formula',
];

/**
 * Tags as a person types them: comma-separated (、 and the full-width ， too), trimmed, blanks
 * and repeats dropped — what the server keeps of them anyway (platform/model/field-types.ts).
 */
export function splitTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,、，]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
