// Client-side checks before a record is sent, mirroring the JSON Schema the server compiles
// from the same FieldSpec (required, lengths, bounds, formats), so most mistakes show at once.
// The server stays the judge: its 422 errors land on the same fields.
import type { FieldSpec } from '../api/types.ts';
import type { MessageKey } from '../composables/useI18n.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

export function checkField(field: FieldSpec, value: unknown, t: Translate): string | undefined {
  if (field.type === 'autonumber' || field.system) return undefined;
  if (isEmpty(value)) return field.required && field.type !== 'boolean' ? t('common.required') : undefined;
  switch (field.type) {
    case 'email':
      return EMAIL.test(String(value).trim()) ? undefined : t('form.invalidEmail');
    case 'url':
      return /^https?:\/\/\S+$/i.test(String(value).trim()) ? undefined : t('form.invalidUrl');
    case 'integer':
    case 'number':
    case 'percent': {
      if (typeof value !== 'number' || Number.isNaN(value) || (field.type === 'integer' && !Number.isInteger(value))) return t('form.invalidNumber');
      if (field.minimum !== undefined && value < field.minimum) return t('form.min', { min: field.minimum });
      if (field.maximum !== undefined && value > field.maximum) return t('form.max', { max: field.maximum });
      return undefined;
    }
    case 'currency': {
      const amount = (value as { amount?: string }).amount ?? '';
      return /^-?\d+(\.\d+)?$/.test(String(amount).trim()) ? undefined : t('form.invalidNumber');
    }
    case 'json':
      return typeof value === 'string' ? t('form.invalidJson') : undefined;
    default: {
      const max = field.max_length ?? (field.type === 'long_text' ? 65535 : 255);
      return typeof value === 'string' && value.length > max ? t('form.tooLong', { max }) : undefined;
    }
  }
}

export function checkRecord(fields: FieldSpec[], values: Record<string, unknown>, t: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const problem = checkField(f, values[f.name], t);
    if (problem) out[f.name] = problem;
  }
  return out;
}

/** Server field errors (records[0].x, x) onto field names. */
export function fieldErrors(errors: { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field.replace(/^records\[\d+\]\./, '').split('.')[0]] ??= e.message;
  return out;
}
