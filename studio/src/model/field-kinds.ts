// What each field type means to the studio, in one table (as the server's field-type table
// does): the filter operators it offers, whether lists sort by it, and how a value reads as
// plain text (CSV, titles). Adding a type is adding one entry here.
import type { FieldSpec, FieldType } from '../api/types.ts';
import type { Locale } from '../composables/useI18n.ts';
import { countryName } from './countries.ts';

export type FilterOp =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
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
  operators: FilterOp[];
  sortable: boolean;
  /** Plain-text form of a value in the given locale (CSV export, card titles). */
  text(value: unknown, field: FieldSpec, locale: Locale): string;
}

const TEXT: FilterOp[] = ['icontains', 'eq', 'neq', 'starts_with', 'is_null', 'not_null'];
const NUMBER: FilterOp[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'is_null', 'not_null'];
const DATE: FilterOp[] = ['gte', 'lt', 'eq', 'is_null', 'not_null'];
const REF: FilterOp[] = ['eq', 'neq', 'is_null', 'not_null'];

const plain = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const optionLabel = (field: FieldSpec, value: unknown, locale: Locale) => {
  const o = field.options?.find((x) => x.value === value);
  return o ? (o.label[locale] ?? o.label.en ?? o.value) : plain(value);
};

const kind = (operators: FilterOp[], text: FieldKind['text'] = plain, sortable = true): FieldKind => ({ operators, sortable, text });

export const fieldKinds: Record<FieldType, FieldKind> = {
  text: kind(TEXT),
  long_text: kind(TEXT),
  email: kind(TEXT),
  phone: kind(TEXT),
  url: kind(TEXT),
  autonumber: kind(TEXT),
  integer: kind(NUMBER, (v, _f, l) => (typeof v === 'number' ? v.toLocaleString(l) : plain(v))),
  number: kind(NUMBER, (v, _f, l) => (typeof v === 'number' ? v.toLocaleString(l) : plain(v))),
  percent: kind(NUMBER, (v, _f, l) => (typeof v === 'number' ? `${v.toLocaleString(l)}%` : plain(v))),
  currency: kind(['is_null', 'not_null'], (v, _f, l) => {
    const c = v as { amount?: string; currency?: string } | null;
    if (!c?.amount) return '';
    try {
      return new Intl.NumberFormat(l, { style: 'currency', currency: c.currency ?? 'JPY' }).format(Number(c.amount));
    } catch {
      return `${c.amount} ${c.currency ?? ''}`;
    }
  }),
  boolean: kind(['eq', 'is_null', 'not_null'], (v) => (v === true ? '✓' : v === false ? '✗' : '')),
  date: kind(DATE, (v, _f, l) => (typeof v === 'string' ? new Date(`${v}T00:00:00`).toLocaleDateString(l) : '')),
  datetime: kind(DATE, (v, _f, l) =>
    typeof v === 'string' ? new Date(v).toLocaleString(l, { dateStyle: 'medium', timeStyle: 'short' }) : '',
  ),
  select: kind(['eq', 'neq', 'in', 'nin', 'is_null', 'not_null'], (v, f, l) => optionLabel(f, v, l)),
  multi_select: kind(
    ['has_any', 'has_all', 'is_null', 'not_null'],
    (v, f, l) => (Array.isArray(v) ? v.map((x) => optionLabel(f, x, l)).join(', ') : ''),
    false,
  ),
  country: kind(['eq', 'neq', 'in', 'nin', 'is_null', 'not_null'], (v, _f, l) => (typeof v === 'string' && v ? countryName(v, l) : '')),
  relation: kind(REF),
  user: kind(REF),
  tags: kind(['has_any', 'has_all', 'is_null', 'not_null'], (v) => (Array.isArray(v) ? v.join(', ') : ''), false),
  json: kind(['is_null', 'not_null'], (v) => (v === null || v === undefined ? '' : JSON.stringify(v)), false),
  uuid: kind(['eq', 'neq']),
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
