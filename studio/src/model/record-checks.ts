// Client-side checks of a record form, compiled with ajv from the very JSON Schema the server
// serves for the object (GET /api/meta/objects → properties, required), so the browser and the
// server judge by one definition. Loaded lazily by the form: ajv stays out of the first bundle.
// The server stays the judge; its 422 errors are translated by keyword with the same messages.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FieldError } from '../api/client.ts';
import type { FieldSpec, ObjectDef } from '../api/types.ts';
import type { MessageKey } from '../composables/useI18n.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** One field's problem, before translation: the JSON Schema keyword and its parameters. */
export interface FieldProblem {
  field: string;
  keyword: string;
  params: Record<string, unknown>;
  /** The server's own (English) message, the fallback for keywords we have no words for. */
  message?: string;
}

export type RecordChecker = (values: Record<string, unknown>) => FieldProblem[];

// One ajv per page: it caches compiled schemas by their $id-less identity, so each definition
// version is compiled once (the WeakMap below keys on the ObjectDef object, replaced on reload).
let ajv: Ajv2020 | null = null;
function ajvInstance(): Ajv2020 {
  if (ajv) return ajv;
  // Same options as the server's (platform/model/ajv.ts): draft 2020-12, formats, strict.
  ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-kizuna', schemaType: 'object' });
  return ajv;
}

const compiled = new WeakMap<ObjectDef, Map<string, ValidateFunction>>();

/**
 * The schema of the values a form may send: the served ObjectDef restricted to the given
 * (editable) fields, as the server does for record input (read-only fields are not input).
 */
export function inputSchema(def: ObjectDef, fields: string[], mode: 'create' | 'update'): Record<string, unknown> {
  const names = new Set(fields);
  const properties = Object.fromEntries(Object.entries(def.properties).filter(([n]) => names.has(n)));
  const required = mode === 'create' ? ((def as { required?: string[] }).required ?? []).filter((n) => names.has(n)) : [];
  return { type: 'object', properties, required, additionalProperties: false };
}

/** A checker for the form's fields; compiled once per definition, field set and mode. */
export function compileRecordChecks(def: ObjectDef, fields: FieldSpec[], mode: 'create' | 'update'): RecordChecker {
  const names = fields.map((f) => f.name);
  const key = `${mode}:${names.join(',')}`;
  let byKey = compiled.get(def);
  if (!byKey) compiled.set(def, (byKey = new Map()));
  let validate = byKey.get(key);
  if (!validate) byKey.set(key, (validate = ajvInstance().compile(inputSchema(def, names, mode))));
  const specs = new Map(fields.map((f) => [f.name, f]));
  const check = validate;
  return (values) => {
    const input = normalized(values, specs);
    const out: FieldProblem[] = [];
    if (!check(input)) out.push(...problemsOf(check.errors, input, specs));
    // A JSON field whose text does not parse is held as that text: say so rather than store it.
    for (const f of fields) {
      if (f.type === 'json' && typeof input[f.name] === 'string' && !parses(input[f.name] as string))
        out.push({ field: f.name, keyword: 'json', params: {} });
      if (f.decimals !== undefined && typeof input[f.name] === 'number' && decimalPlaces(input[f.name] as number) > f.decimals)
        out.push({ field: f.name, keyword: 'decimals', params: { limit: f.decimals } });
      if (f.type === 'currency') {
        const keyword = moneyKeyword(input[f.name] as { amount?: unknown; currency?: unknown } | null | undefined);
        if (keyword) out.push({ field: f.name, keyword, params: {} });
      }
    }
    return firstPerField(out);
  };
}

// What the server does before validating (platform/records/validate.ts): trims emails, phones
// and URLs, sends amounts as decimal strings. Empty text of an optional field is sent as is.
function normalized(values: Record<string, unknown>, specs: Map<string, FieldSpec>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const type = specs.get(k)?.type;
    if (typeof v === 'string' && (type === 'email' || type === 'phone' || type === 'url')) out[k] = v.trim();
    else if (type === 'currency' && v && typeof v === 'object' && typeof (v as { amount?: unknown }).amount === 'string') {
      const money = v as { amount: string; currency?: string };
      out[k] = { ...money, amount: typedAmount(money.amount, money.currency) };
    } else out[k] = v;
  }
  return out;
}

/**
 * An amount as typed in the form — "12,000", "¥12,000", "１２，０００円" — as the decimal the
 * server reads it as (platform/model/currency.ts parseMoney, which also takes codes and ▲):
 * full-width digits, grouping commas, and the sign of the currency chosen. Else the text as is,
 * for the checks to name.
 */
function typedAmount(text: string, currency = 'JPY'): string {
  const signs: Record<string, string[]> = { JPY: ['¥', '円'], USD: ['$'], EUR: ['€'], GBP: ['£'] };
  let s = text.normalize('NFKC').trim();
  for (const sign of signs[currency] ?? []) s = s.startsWith(sign) ? s.slice(sign.length) : s.endsWith(sign) ? s.slice(0, -sign.length) : s;
  s = s.trim();
  return /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s) ? s.replaceAll(',', '') : s;
}

/**
 * What the server's check says of an amount the schema let through (platform/model/currency.ts):
 * the code must be ISO 4217's, the amount within its minor unit — both from the browser's Intl,
 * the same ICU data as the server's.
 */
function moneyKeyword(v: { amount?: unknown; currency?: unknown } | null | undefined): string | undefined {
  if (!v || typeof v.amount !== 'string' || typeof v.currency !== 'string' || !/^[A-Z]{3}$/.test(v.currency)) return undefined;
  if (!Intl.supportedValuesOf('currency').includes(v.currency)) return 'currency_code';
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: v.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const fraction = /\.(\d*?)0*$/.exec(v.amount)?.[1] ?? '';
  return fraction.length > digits ? 'currency_digits' : undefined;
}

/** Digits after the point as typed (the shortest text of the double), 1e-7 being 7. */
export function decimalPlaces(v: number): number {
  const [mantissa, exp = '0'] = String(v).toLowerCase().split('e');
  return Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exp));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function problemsOf(
  errors: ErrorObject[] | null | undefined,
  values: Record<string, unknown>,
  specs: Map<string, FieldSpec>,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors ?? []) {
    const segments = e.instancePath.split('/').filter(Boolean);
    if (e.keyword === 'required' && segments.length === 0) {
      out.push({ field: String(e.params.missingProperty), keyword: 'required', params: {} });
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      out.push({ field: String(e.params.additionalProperty), keyword: 'unknown_field', params: {} });
      continue;
    }
    const name = segments[0];
    if (!name) continue;
    // null for a required field fails on its type; a person reads that as "required".
    if ((values[name] === null || values[name] === undefined) && specs.get(name)?.required) {
      out.push({ field: name, keyword: 'required', params: {} });
      continue;
    }
    out.push({ field: name, keyword: e.keyword, params: e.params as Record<string, unknown> });
  }
  return out;
}

function firstPerField(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)));
}

/** A problem in the person's language, by keyword; params from ajv, else from the field. */
export function problemMessage(p: FieldProblem, field: FieldSpec | undefined, t: Translate): string {
  const type = field?.type;
  const numeric = type === 'integer' || type === 'number' || type === 'percent';
  switch (p.keyword) {
    case 'required':
    case 'minLength':
      return t('common.required');
    case 'type':
      return numeric
        ? type === 'integer'
          ? t('check.integer')
          : t('form.invalidNumber')
        : type === 'json'
          ? t('form.invalidJson')
          : t('check.type');
    case 'format': {
      const format = String(
        p.params.format ??
          (type === 'email' ? 'email' : type === 'url' ? 'uri' : type === 'date' ? 'date' : type === 'datetime' ? 'date-time' : ''),
      );
      if (format === 'email') return t('form.invalidEmail');
      if (format === 'uri') return t('form.invalidUrl');
      if (format === 'date') return t('check.date');
      if (format === 'date-time') return t('check.datetime');
      if (format === 'uuid') return t('check.reference');
      return serverWords(p, t);
    }
    case 'pattern':
      if (type === 'phone') return t('check.phone');
      if (type === 'url') return t('form.invalidUrl');
      if (type === 'currency') return t('check.currency');
      return t('check.pattern');
    case 'maxLength':
      return t('form.tooLong', { max: num(p.params.limit) ?? field?.max_length ?? (type === 'long_text' ? 65535 : 255) });
    case 'minimum':
      return t('form.min', { min: num(p.params.limit) ?? field?.minimum ?? 0 });
    case 'maximum':
      return t('form.max', { max: num(p.params.limit) ?? field?.maximum ?? 0 });
    case 'enum':
      return t('check.enum');
    case 'uniqueItems':
      return t('check.uniqueItems');
    case 'maxItems':
      return t('check.maxItems', { max: num(p.params.limit) ?? 0 });
    case 'unknown_field':
      return t('check.unknownField');
    case 'reference':
      return t('check.reference');
    case 'unique':
      return t('check.unique');
    case 'json':
      return t('form.invalidJson');
    case 'currency_code':
      return t('check.currencyCode');
    case 'currency_digits':
      return t('check.currencyDigits');
    case 'decimals': {
      const max = num(p.params.limit) ?? field?.decimals ?? 0;
      return max === 0 ? t('check.integer') : t('check.decimals', { max });
    }
    default:
      return serverWords(p, t);
  }
}

/** A keyword the studio has no words for: the server's (English) words in English, a plain refusal in Japanese. */
const serverWords = (p: FieldProblem, t: Translate) =>
  p.message === undefined ? t('check.pattern') : t('check.server', { detail: p.message });

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/**
 * The server's field errors (`records[0].phone`, `budget.amount`, `phone`) as problems on the
 * form's fields, so they are translated like the client's own; fields the form does not show
 * are left for the form's general message.
 */
export function serverProblems(errors: FieldError[]): FieldProblem[] {
  return firstPerField(
    errors.map((e) => ({
      field: e.field.replace(/^records\[\d+\]\./, '').split('.')[0],
      keyword: e.keyword ?? 'server',
      params: {},
      message: e.message,
    })),
  );
}

/** Problems as the form shows them: field name → message in the person's language. */
export function messagesByField(problems: FieldProblem[], specs: FieldSpec[], t: Translate): Record<string, string> {
  const byName = new Map(specs.map((f) => [f.name, f]));
  return Object.fromEntries(problems.map((p) => [p.field, problemMessage(p, byName.get(p.field), t)]));
}
