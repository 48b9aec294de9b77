// Duplicate rules: which fields of an object are compared, and how. A rule gives each record
// a set of keys; two records sharing a key of a rule are duplicate candidates under that rule.
import { normalizeCompanyName, normalizeEmail, normalizeExact, normalizeName, normalizePhone, websiteDomain } from './normalize.ts';

export type RuleKind = 'email' | 'phone' | 'name' | 'company_name' | 'domain' | 'exact';

export interface Rule {
  name: string;
  kind: RuleKind;
  /** email, phone, domain: any of the fields (a mobile matches a phone); name, company_name, exact: all of them together. */
  fields: string[];
  /** 0–1: how sure a match under this rule alone is. */
  score: number;
}

export type BeforeCreateMode = 'off' | 'warn' | 'block';

export interface ObjectSettings {
  rules?: Rule[];
  before_create?: BeforeCreateMode;
}

export interface DedupeSettings {
  objects?: Record<string, ObjectSettings>;
  default_region?: string;
}

export const DEFAULT_RULES: Record<string, Rule[]> = {
  contact: [
    { name: 'email', kind: 'email', fields: ['email'], score: 0.95 },
    { name: 'phone', kind: 'phone', fields: ['phone', 'mobile'], score: 0.8 },
    { name: 'name_company', kind: 'name', fields: ['last_name', 'first_name', 'company'], score: 0.75 },
    { name: 'kana_company', kind: 'name', fields: ['last_name_kana', 'first_name_kana', 'company'], score: 0.7 },
  ],
  company: [
    { name: 'name', kind: 'company_name', fields: ['name'], score: 0.9 },
    { name: 'website', kind: 'domain', fields: ['website'], score: 0.85 },
    { name: 'phone', kind: 'phone', fields: ['phone'], score: 0.6 },
  ],
};

export function rulesFor(settings: DedupeSettings, object: string): Rule[] {
  return (settings.objects?.[object]?.rules ?? DEFAULT_RULES[object] ?? []).map((r) => ({ ...r, score: r.score ?? 0.8 }));
}

export const beforeCreateMode = (settings: DedupeSettings, object: string): BeforeCreateMode => settings.objects?.[object]?.before_create ?? 'off';

const anyOf = (normalize: (v: unknown) => string | null) => (rule: Rule, record: Record<string, unknown>) =>
  [...new Set(rule.fields.map((f) => normalize(record[f])).filter((k): k is string => k !== null))];

const allOf = (normalize: (v: unknown) => string | null) => (rule: Rule, record: Record<string, unknown>) => {
  const parts = rule.fields.map((f) => normalize(record[f]));
  return parts.every((p) => p !== null) ? [parts.join('\u241f')] : [];
};

/** The keys of a record under a rule (none when a value the rule needs is missing). */
export function keysOf(rule: Rule, record: Record<string, unknown>, region = 'JP'): string[] {
  switch (rule.kind) {
    case 'email': return anyOf(normalizeEmail)(rule, record);
    case 'phone': return anyOf((v) => normalizePhone(v, region))(rule, record);
    case 'domain': return anyOf(websiteDomain)(rule, record);
    case 'name': return allOf((v) => (isId(v) ? (v as string) : normalizeName(v)))(rule, record);
    case 'company_name': return allOf(normalizeCompanyName)(rule, record);
    case 'exact': return allOf(normalizeExact)(rule, record);
  }
}

const isId = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** Several rules agreeing make a match surer than any one of them: 1 − Π(1 − score). */
export const combinedScore = (scores: number[]) => Math.round((1 - scores.reduce((p, s) => p * (1 - s), 1)) * 1000) / 1000;

/** Fields a rule set reads (to fetch only those). */
export const fieldsOfRules = (rules: Rule[]) => [...new Set(rules.flatMap((r) => r.fields))];
