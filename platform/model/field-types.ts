// The field-type table: everything a type means — columns, JSON Schema, filter operators,
// how it is read and written in SQL — in one entry. Adding a type is adding an entry.
import { sql, type SQL } from 'drizzle-orm';
import { COUNTRY_CODES, countryCode } from './countries.ts';
import type { FieldSpec, FieldTypeName, FormulaResultType, JsonSchema } from './types.ts';
import { moneyProblem, parseMoney } from './currency.ts';

export type Operator =
  'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'contains' | 'icontains' | 'starts_with' | 'is_null' | 'has_any' | 'has_all';

export const allOperators: readonly Operator[] = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'icontains',
  'starts_with',
  'is_null',
  'has_any',
  'has_all',
];

export interface ColumnSpec {
  name: string;
  /** SQL type, a constant of this table (never from a request). */
  type: string;
  /**
   * A stored generated column (a formula over the row): `type` then ends in its expression,
   * and a changed expression means dropping and adding the column again.
   */
  generated?: boolean;
}

/** Accessor for a field's column(s) on a table alias: col() is the main one, col('currency') a companion. */
export type ColumnRef = (companion?: string) => SQL;

export interface FieldType {
  columns(f: FieldSpec): ColumnSpec[];
  /** JSON Schema of a non-null value. */
  schema(f: FieldSpec): JsonSchema;
  /** Messages for pattern failures, per type (ajv's own are for programmers). */
  patternMessage?: string;
  operators: readonly Operator[];
  /** SQL expression producing the API value (JSON-friendly, driver-independent). */
  read(col: ColumnRef): SQL;
  /** Bound SQL values for each column of columns(), from a validated non-null value. */
  write(value: unknown, f: FieldSpec): SQL[];
  /** The comparable/sortable expression. */
  key(col: ColumnRef): SQL;
  /** A bound scalar cast to the key's type (filter values, cursor values). */
  bind(value: unknown): SQL;
  /** Text form of a key value for cursors, read back by bind(). */
  keyText(col: ColumnRef): SQL;
  /** What a keyText value looks like, to refuse a tampered cursor before it reaches SQL. */
  keyPattern?: RegExp;
  /** Cleans an input value before validation (e.g. spaces around an email address). */
  normalize?(value: unknown, f: FieldSpec): unknown;
  /**
   * normalize leaves no two equal items, so the validator skips the schema's uniqueItems (the
   * published schema keeps it): ajv's check built an object of the strings, ~20 µs for six,
   * on every row of an import with the dedupe plugin's keys (issue 14).
   */
  uniqueAfterNormalize?: boolean;
  /** What JSON Schema cannot say about a value that passed it (a currency's fraction digits): the problem, or undefined. */
  check?(value: unknown, f: FieldSpec): { message: string; keyword: string } | undefined;
  /** Checks a scalar filter value; returns a message when it does not fit. */
  checkValue(value: unknown, f: FieldSpec): string | undefined;
  sortable: boolean;
  /**
   * Its validated values cannot spell a spreadsheet formula (numbers, dates, ids, phone digits
   * without letters): exports write them as they are, so a phone "+81 3…" stays readable.
   * Other text that starts like a formula is neutralized on export (OWASP CSV injection).
   */
  formulaFree?: boolean;
  readOnly?: boolean;
  /**
   * Its value is a list of strings in a text[] column (multi_select, tags): staged as a JSON
   * array, always GIN-indexed, and "null" means no element (is_null counts an empty list).
   */
  list?: boolean;
  canBeUnique: boolean;
  canBeSearchable: boolean;
}

/**
 * A currency value as typed: `{ amount: "¥12,000" }`, or just "¥12,000" / 12000 for a field
 * with a default currency, becomes `{ amount: "12000", currency: "JPY" }`. What cannot be read
 * as an amount, or names a currency other than the one given, is left for validation to refuse.
 */
function normalizeMoney(v: unknown, f: FieldSpec): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? { amount: String(v), ...(f.currency && { currency: f.currency }) } : v;
  if (typeof v === 'string') {
    const m = parseMoney(v);
    return m ? { amount: m.amount, ...((m.currency ?? f.currency) && { currency: m.currency ?? f.currency }) } : v;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as { amount?: unknown; currency?: unknown };
  if (typeof o.amount === 'number' && Number.isFinite(o.amount)) return { ...o, amount: String(o.amount) };
  if (typeof o.amount !== 'string') return v;
  const m = parseMoney(o.amount);
  const given = typeof o.currency === 'string' ? o.currency.trim().toUpperCase() : o.currency;
  if (!m || (m.currency && given !== undefined && m.currency !== given)) return v;
  return { ...o, amount: m.amount, ...((given ?? m.currency) !== undefined && { currency: given ?? m.currency }) };
}

const cast = (value: unknown, type: string) => sql`${value}::${sql.raw(type)}`;
const plain = (col: ColumnRef) => col();

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const isoText = (e: SQL) => sql`to_char(${e} at time zone 'UTC', ${sql.raw(ISO_MS)})`;

const TEXT_OPS: Operator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'icontains', 'starts_with', 'is_null'];
const NUMBER_OPS: Operator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'is_null'];
const EQUALITY_OPS: Operator[] = ['eq', 'neq', 'in', 'nin', 'is_null'];

const COUNTRY_MESSAGE = 'must be a country: an ISO 3166-1 code or its name in English or Japanese (JP, JPN, Japan, 日本)';
const isString = (v: unknown) => (typeof v === 'string' ? undefined : 'must be a string');
const INT32 = { minimum: -2147483648, maximum: 2147483647 };
const DECIMAL = /^-?\d{1,18}(\.\d{1,8})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Date.parse accepts 2026-02-30 (it rolls over to March): compare the calendar date back.
const isDate = (v: unknown) => {
  if (typeof v !== 'string' || !DATE.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
};
const isDateTime = (v: unknown) =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) &&
  isDate(v.slice(0, 10)) &&
  !Number.isNaN(Date.parse(v));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

/**
 * Tags are typed by people and split from CSV cells: " VIP" and "VIP" are one tag, a blank
 * one is no tag, and a repeated one is said once (first place kept) rather than refused by
 * uniqueItems. Case is kept: tags are free text. Non-strings stay for the validator to refuse.
 */
const tagList = (v: unknown) => {
  if (!Array.isArray(v)) return v;
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const x of v) {
    if (typeof x !== 'string') out.push(x);
    else if (x.trim() !== '' && !seen.has(x.trim())) {
      seen.add(x.trim());
      out.push(x.trim());
    }
  }
  return out;
};
const writeList = (v: unknown) => [sql`array(select jsonb_array_elements_text(${JSON.stringify(v)}::jsonb))`];

function textType(defaultMax: number, extra: JsonSchema = {}, patternMessage?: string, normalize?: (v: unknown) => unknown): FieldType {
  return {
    normalize,
    columns: (f) => [{ name: f.name, type: 'text' }],
    schema: (f) => ({ type: 'string', maxLength: f.max_length ?? defaultMax, ...extra }),
    patternMessage,
    operators: TEXT_OPS,
    read: plain,
    write: (v) => [cast(v, 'text')],
    key: plain,
    bind: (v) => cast(v, 'text'),
    keyText: plain,
    checkValue: isString,
    sortable: true,
    canBeUnique: true,
    canBeSearchable: true,
  };
}

const NUMERIC_TEXT = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$|^-?Infinity$|^NaN$/i;

function numericType(sqlType: string, schema: (f: FieldSpec) => JsonSchema, integer: boolean): FieldType {
  return {
    keyPattern: NUMERIC_TEXT,
    columns: (f) => [{ name: f.name, type: sqlType }],
    schema,
    operators: NUMBER_OPS,
    read: plain,
    write: (v) => [cast(v, sqlType)],
    key: plain,
    bind: (v) => cast(v, sqlType),
    keyText: (col) => sql`${col()}::text`,
    // An integer column holds 32 bits: a larger value (1e30 in a filter or a workflow condition)
    // would reach PostgreSQL as text it cannot read, a 500 instead of the caller's 400.
    checkValue: (v) =>
      integer
        ? Number.isInteger(v) && (v as number) >= INT32.minimum && (v as number) <= INT32.maximum
          ? undefined
          : `must be an integer from ${INT32.minimum} to ${INT32.maximum}`
        : typeof v === 'number' && Number.isFinite(v)
          ? undefined
          : 'must be a number',
    sortable: true,
    formulaFree: true,
    canBeUnique: true,
    canBeSearchable: false,
  };
}

/** More digits after the point than the field's `decimals` allow (1.005 for 2): said, not rounded away. */
function decimalsProblem(v: unknown, f: FieldSpec): { message: string; keyword: string } | undefined {
  if (f.decimals === undefined || typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  // The shortest text that reads back as the same double is what was typed; 1e-7 has 7 places.
  const [mantissa, exp = '0'] = String(v).toLowerCase().split('e');
  const places = Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exp));
  if (places <= f.decimals) return undefined;
  return {
    message: f.decimals === 0 ? 'must be a whole number' : `must have at most ${f.decimals} digits after the decimal point`,
    keyword: 'decimals',
  };
}

const bounds = (f: FieldSpec, base: JsonSchema = {}) => ({
  ...base,
  ...(f.minimum !== undefined && { minimum: f.minimum }),
  ...(f.maximum !== undefined && { maximum: f.maximum }),
});

const uuidRef = (references: (f: FieldSpec) => string): FieldType => ({
  columns: (f) => [{ name: f.name, type: 'uuid' }],
  schema: () => ({ type: 'string', format: 'uuid' }),
  operators: EQUALITY_OPS,
  read: (col) => sql`${col()}::text`,
  write: (v) => [cast(v, 'uuid')],
  key: plain,
  bind: (v) => cast(v, 'uuid'),
  keyText: (col) => sql`${col()}::text`,
  keyPattern: UUID,
  checkValue: (v) => (typeof v === 'string' && UUID.test(v) ? undefined : 'must be a record id (uuid)'),
  sortable: true,
  formulaFree: true,
  canBeUnique: true,
  canBeSearchable: false,
  ...{ references },
});

/** What the list types (multi_select, tags) share: a text[] column filtered by its elements. */
const LIST_TYPE = {
  columns: (f: FieldSpec) => [{ name: f.name, type: 'text[]' }],
  operators: ['has_any', 'has_all', 'is_null'] as Operator[],
  read: plain,
  write: writeList,
  key: plain,
  bind: (v: unknown) => cast(v, 'text'),
  keyText: (col: ColumnRef) => sql`${col()}::text`,
  sortable: false,
  list: true,
  canBeUnique: false,
  canBeSearchable: false,
} satisfies Partial<FieldType>;

/** What a formula's value looks like in JSON, by its result type (no length limit on text). */
export const FORMULA_RESULT_SCHEMAS: Record<FormulaResultType, JsonSchema> = {
  number: { type: 'number' },
  text: { type: 'string' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  datetime: { type: 'string', format: 'date-time' },
};

export const fieldTypes: Record<FieldTypeName, FieldType> = {
  text: textType(255),
  long_text: textType(65535),
  email: textType(254, { format: 'email' }, undefined, trim),
  phone: {
    ...textType(40, { pattern: '^[+＋]?[0-9０-９()（）\\-－‐ .]{3,40}$' }, 'must be a phone number (digits, spaces, + - . ( ) only)', trim),
    formulaFree: true,
  },
  url: textType(2048, { format: 'uri', pattern: '^https?://' }, 'must be an http:// or https:// URL', trim),
  integer: numericType('integer', (f) => bounds(f, { type: 'integer', ...INT32 }), true),
  number: { ...numericType('double precision', (f) => bounds(f, { type: 'number' }), false), check: decimalsProblem },
  percent: { ...numericType('double precision', (f) => bounds(f, { type: 'number' }), false), check: decimalsProblem },
  currency: {
    columns: (f) => [
      { name: f.name, type: 'numeric' },
      { name: `${f.name}__currency`, type: 'text' },
    ],
    schema: (f) => ({
      type: 'object',
      properties: {
        amount: { type: ['string', 'number'], pattern: DECIMAL.source },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
      required: f.currency ? ['amount'] : ['amount', 'currency'],
      additionalProperties: false,
    }),
    patternMessage: 'must be a decimal amount such as "12.50" and an ISO 4217 code such as "JPY"',
    normalize: normalizeMoney,
    check: (v, f) => {
      const { amount, currency } = v as { amount: string; currency?: string };
      return moneyProblem(amount, currency ?? f.currency!);
    },
    operators: NUMBER_OPS,
    read: (col) =>
      sql`case when ${col()} is null then null else json_build_object('amount', ${col()}::text, 'currency', ${col('currency')}) end`,
    write: (v, f) => {
      const { amount, currency } = v as { amount: string | number; currency?: string };
      return [cast(String(amount), 'numeric'), cast(currency ?? f.currency, 'text')];
    },
    key: plain,
    bind: (v) => cast(typeof v === 'object' && v ? (v as { amount: unknown }).amount : v, 'numeric'),
    keyText: (col) => sql`${col()}::text`,
    keyPattern: NUMERIC_TEXT,
    checkValue: (v) =>
      (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && DECIMAL.test(v))
        ? undefined
        : 'must be a decimal amount such as "12.50"',
    sortable: true,
    formulaFree: true,
    canBeUnique: false,
    canBeSearchable: false,
  },
  boolean: {
    columns: (f) => [{ name: f.name, type: 'boolean' }],
    schema: () => ({ type: 'boolean' }),
    operators: ['eq', 'neq', 'is_null'],
    read: plain,
    write: (v) => [cast(v, 'boolean')],
    key: plain,
    bind: (v) => cast(v, 'boolean'),
    keyText: (col) => sql`${col()}::text`,
    keyPattern: /^(true|false)$/,
    checkValue: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
    sortable: true,
    formulaFree: true,
    canBeUnique: false,
    canBeSearchable: false,
  },
  date: {
    columns: (f) => [{ name: f.name, type: 'date' }],
    schema: () => ({ type: 'string', format: 'date' }),
    operators: NUMBER_OPS,
    read: (col) => sql`to_char(${col()}, 'YYYY-MM-DD')`,
    write: (v) => [cast(v, 'date')],
    key: plain,
    bind: (v) => cast(v, 'date'),
    keyText: (col) => sql`to_char(${col()}, 'YYYY-MM-DD')`,
    keyPattern: /^\d{4}-\d{2}-\d{2}$/,
    checkValue: (v) => (isDate(v) ? undefined : 'must be a date (YYYY-MM-DD)'),
    sortable: true,
    formulaFree: true,
    canBeUnique: true,
    canBeSearchable: false,
  },
  datetime: {
    columns: (f) => [{ name: f.name, type: 'timestamptz(3)' }],
    schema: () => ({ type: 'string', format: 'date-time' }),
    operators: NUMBER_OPS,
    read: (col) => isoText(col()),
    write: (v) => [cast(v, 'timestamptz')],
    key: plain,
    bind: (v) => cast(v, 'timestamptz'),
    keyText: (col) => isoText(col()),
    keyPattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    checkValue: (v) => (isDateTime(v) || isDate(v) ? undefined : 'must be an ISO 8601 date-time with time zone'),
    sortable: true,
    formulaFree: true,
    canBeUnique: false,
    canBeSearchable: false,
  },
  select: {
    columns: (f) => [{ name: f.name, type: 'text' }],
    schema: (f) => ({ type: 'string', enum: (f.options ?? []).map((o) => o.value) }),
    operators: ['eq', 'neq', 'in', 'nin', 'is_null', 'gt', 'gte', 'lt', 'lte'],
    read: plain,
    write: (v) => [cast(v, 'text')],
    key: plain,
    bind: (v) => cast(v, 'text'),
    keyText: plain,
    checkValue: isString, // an unknown option simply matches nothing
    sortable: true,
    canBeUnique: false,
    canBeSearchable: false,
  },
  multi_select: {
    ...LIST_TYPE,
    schema: (f) => ({ type: 'array', items: { type: 'string', enum: (f.options ?? []).map((o) => o.value) }, uniqueItems: true }),
    checkValue: isString, // an unknown option simply matches nothing
  },
  // Free text values without an option list (labels on records, keys a plugin maintains):
  // text[] so has_any is `&&` on a GIN index, which needs no recheck of the rows it finds
  // (jsonb's ?| does: ~8× slower for the dedupe key look-up).
  tags: {
    ...LIST_TYPE,
    schema: () => ({ type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, maxItems: 200, uniqueItems: true }),
    normalize: tagList,
    uniqueAfterNormalize: true,
    checkValue: isString,
  },
  // Stored as the ISO 3166-1 alpha-2 code; codes and names (JPN, Japan, 日本国, U.K.) are read
  // to it on every write and in filters. A name that is no country fails with the message.
  country: {
    columns: (f) => [{ name: f.name, type: 'text' }],
    schema: () => ({ type: 'string', pattern: `^(${COUNTRY_CODES.join('|')})$` }),
    patternMessage: COUNTRY_MESSAGE,
    normalize: (v) => (typeof v === 'string' ? (countryCode(v) ?? v) : v),
    operators: EQUALITY_OPS,
    read: plain,
    write: (v) => [cast(v, 'text')],
    key: plain,
    bind: (v) => cast(typeof v === 'string' ? (countryCode(v) ?? v) : v, 'text'),
    keyText: plain,
    // Read as writes read it: a filter on a name that is no country is refused, not an empty list.
    checkValue: (v) => (typeof v === 'string' && countryCode(v) ? undefined : COUNTRY_MESSAGE),
    sortable: true,
    formulaFree: true,
    canBeUnique: false,
    canBeSearchable: false,
  },
  relation: uuidRef((f) => f.target!),
  user: uuidRef(() => 'kizuna_users'),
  autonumber: {
    ...textType(64),
    operators: TEXT_OPS,
    schema: () => ({ type: 'string', readOnly: true }),
    readOnly: true,
    canBeUnique: false,
  },
  json: {
    columns: (f) => [{ name: f.name, type: 'jsonb' }],
    schema: () => ({}),
    // has_any / has_all test the elements of a JSON array of strings (filter.ts).
    operators: ['is_null', 'has_any', 'has_all'],
    read: plain,
    write: (v) => [sql`${JSON.stringify(v)}::jsonb`],
    key: plain,
    bind: (v) => sql`${JSON.stringify(v)}::jsonb`,
    keyText: (col) => sql`${col()}::text`,
    checkValue: () => undefined,
    sortable: false,
    canBeUnique: false,
    canBeSearchable: false,
  },
  // What a formula field is before its object is known (the catalog, checks of a spec alone):
  // computed, never written. Each object's formula fields get their real entry — columns,
  // operators and reads of their result type — from formulaFieldType (formula-fields.ts).
  formula: {
    ...textType(65535),
    columns: () => [],
    schema: (f) => ({ ...(f.result_type && FORMULA_RESULT_SCHEMAS[f.result_type]), readOnly: true }),
    operators: [...new Set([...NUMBER_OPS, ...TEXT_OPS])],
    readOnly: true,
    canBeUnique: false,
    canBeSearchable: false,
  },
};

/** Parses an autonumber format such as "CASE-{000000}" into prefix, digits and suffix. */
export function parseAutonumberFormat(format = '{000000}') {
  const m = /^([^{}]*)\{(0{1,18})\}([^{}]*)$/.exec(format);
  if (!m) return undefined;
  return { prefix: m[1], digits: m[2].length, suffix: m[3] };
}

/** What each field type means to a client (GET /api/meta/field-types): the studio offers filters and sorts from it. */
export interface FieldTypeInfo {
  type: FieldTypeName;
  /** The filter operators it takes (`is_null: false` is "not empty"). */
  operators: Operator[];
  sortable: boolean;
  can_be_unique: boolean;
  can_be_searchable: boolean;
  /** Values are a list (multi_select, tags): filtered with has_any / has_all. */
  list: boolean;
}

export function fieldTypeCatalog(): FieldTypeInfo[] {
  return Object.entries(fieldTypes).map(([type, t]) => ({
    type: type as FieldTypeName,
    operators: [...t.operators],
    sortable: t.sortable,
    can_be_unique: t.canBeUnique,
    can_be_searchable: t.canBeSearchable,
    list: !!t.list,
  }));
}
