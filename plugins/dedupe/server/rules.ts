// Duplicate rules: which fields of an object are compared, and how. score.ts weighs what the
// rules find on a pair of records; blocking.ts gives each record the keys that find its candidates.
import { normalizeCompanyName, normalizeEmail, normalizeExact, normalizeName, normalizePhone, websiteDomain } from './normalize.ts';

export type RuleKind = 'email' | 'phone' | 'name' | 'company_name' | 'domain' | 'address' | 'exact';

export interface Rule {
  name: string;
  kind: RuleKind;
  /**
   * email, phone, domain: any of the fields (a mobile matches a phone); address: each field on
   * its own (country, region, city); name: the text fields are one full name, relation fields
   * (ids) are compared by the key of the record they point at; company_name, exact: all together.
   */
  fields: string[];
  /** Bits of evidence an agreement under this rule adds; unset: the kind's (score.ts WEIGHTS). */
  weight?: number;
  /**
   * Settings written before weights (0–1): how sure a match under this rule alone is. Still
   * read: it becomes the weight that gives that score when this rule alone agrees.
   */
  score?: number;
}

export type BeforeCreateMode = 'off' | 'warn' | 'block';

export interface ObjectSettings {
  rules?: Rule[];
  before_create?: BeforeCreateMode;
  /** The same check on an update that changes a compared field. */
  before_update?: BeforeCreateMode;
}

export interface DedupeSettings {
  objects?: Record<string, ObjectSettings>;
  default_region?: string;
  /** "likely" at or above (score.ts DEFAULT_THRESHOLD when unset). */
  threshold?: number;
}

export const DEFAULT_RULES: Record<string, Rule[]> = {
  contact: [
    { name: 'email', kind: 'email', fields: ['email'] },
    { name: 'phone', kind: 'phone', fields: ['phone', 'mobile'] },
    { name: 'name_company', kind: 'name', fields: ['last_name', 'first_name', 'company'] },
    { name: 'kana_company', kind: 'name', fields: ['last_name_kana', 'first_name_kana', 'company'] },
    { name: 'address', kind: 'address', fields: ['country', 'region', 'city'] },
  ],
  company: [
    { name: 'name', kind: 'company_name', fields: ['name'] },
    // The reading (フリガナ): a name typed in kana or romanized meets it (score.ts compareCompanies).
    { name: 'name_kana', kind: 'company_name', fields: ['name_kana'] },
    { name: 'website', kind: 'domain', fields: ['website'] },
    { name: 'phone', kind: 'phone', fields: ['phone'] },
    { name: 'address', kind: 'address', fields: ['country', 'region', 'city'] },
  ],
};

export function rulesFor(settings: DedupeSettings, object: string): Rule[] {
  return (settings.objects?.[object]?.rules ?? DEFAULT_RULES[object] ?? []).map((r) => ({ ...r }));
}

export const beforeCreateMode = (settings: DedupeSettings, object: string): BeforeCreateMode =>
  settings.objects?.[object]?.before_create ?? 'off';

const anyOf = (normalize: (v: unknown) => string | null) => (rule: Rule, record: Record<string, unknown>) => [
  ...new Set(rule.fields.map((f) => normalize(record[f])).filter((k): k is string => k !== null)),
];

const allOf = (normalize: (v: unknown) => string | null) => (rule: Rule, record: Record<string, unknown>) => {
  const parts = rule.fields.map((f) => normalize(record[f]));
  return parts.every((p) => p !== null) ? [parts.join('\u241f')] : [];
};

/**
 * The keys of a record under a rule (none when a value the rule needs is missing), as the
 * scan and candidate search before issue 14 shared them; blocking.ts has the keys for scoring.
 */
export function keysOf(rule: Rule, record: Record<string, unknown>, region = 'JP'): string[] {
  switch (rule.kind) {
    case 'email':
      return anyOf(normalizeEmail)(rule, record);
    case 'phone':
      return anyOf((v) => normalizePhone(v, region))(rule, record);
    case 'domain':
      return anyOf(websiteDomain)(rule, record);
    case 'name':
      return allOf((v) => (isId(v) ? (v as string) : normalizeName(v)))(rule, record);
    case 'company_name':
      return allOf(normalizeCompanyName)(rule, record);
    case 'exact':
      return allOf(normalizeExact)(rule, record);
    // A shared city is no duplicate: address only weighs a pair found by other rules.
    case 'address':
      return [];
  }
}

/** A record or user id: compared as it is, or by the key of the record it points at. */
export const isId = (v: unknown): v is string =>
  typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** Several rules agreeing make a match surer than any one of them: 1 − Π(1 − score). */
export const combinedScore = (scores: number[]) => Math.round((1 - scores.reduce((p, s) => p * (1 - s), 1)) * 1000) / 1000;

/** Fields a rule set reads (to fetch only those). */
export const fieldsOfRules = (rules: Rule[]) => [...new Set(rules.flatMap((r) => r.fields))];
