// What a source column may map to, and what a mapping implies: the fields it fills (a full
// name fills two), the relation columns that may create missing targets, the candidate
// upsert keys, and targets chosen twice (the server refuses those with 422).
import type { FieldSpec } from '../api/types.ts';
import type { Mapping } from './import-types.ts';

/** The server's split targets: one column holding a full name fills two fields. */
export const SPLIT_TARGETS: Record<string, [string, string]> = {
  $full_name: ['last_name', 'first_name'],
  $full_name_kana: ['last_name_kana', 'first_name_kana'],
};

export interface MappingTarget {
  value: string;
  /** The field itself, or for a split target the two fields it fills. */
  fields: FieldSpec[];
  split: boolean;
}

// Computed or system-kept types cannot come from a file.
const NOT_IMPORTABLE = new Set(['autonumber']);

/** The fields a file may fill, the split targets the object supports first. */
export function mappingTargets(fields: FieldSpec[], readOnly: string[] = []): MappingTarget[] {
  const usable = fields.filter((f) => !f.system && !NOT_IMPORTABLE.has(f.type) && !readOnly.includes(f.name));
  const byName = new Map(usable.map((f) => [f.name, f]));
  const splits = Object.entries(SPLIT_TARGETS)
    .filter(([, pair]) => pair.every((n) => byName.has(n)))
    .map(([value, pair]) => ({ value, fields: pair.map((n) => byName.get(n)!), split: true }));
  return [...splits, ...usable.map((f) => ({ value: f.name, fields: [f], split: false }))];
}

/** Field names a mapping fills. */
export function mappedFields(mapping: Mapping): string[] {
  return Object.values(mapping).flatMap((t) => (!t ? [] : (SPLIT_TARGETS[t] ?? [t])));
}

/** The columns whose cells feed `field` — where a preview error on that field belongs. */
export function columnsOfField(mapping: Mapping, field: string): string[] {
  return Object.entries(mapping)
    .filter(([, t]) => t === field || (t && SPLIT_TARGETS[t]?.includes(field)))
    .map(([c]) => c);
}

/** Targets chosen for more than one column. */
export function duplicateTargets(mapping: Mapping): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const t of Object.values(mapping)) {
    if (!t) continue;
    if (seen.has(t)) twice.add(t);
    seen.add(t);
  }
  return twice;
}

/** Mapped relation fields: their cells hold the target's display value (a company's name). */
export function mappedRelations(mapping: Mapping, fields: FieldSpec[]): FieldSpec[] {
  const mapped = new Set(mappedFields(mapping));
  return fields.filter((f) => f.type === 'relation' && mapped.has(f.name));
}

// A key must identify a record by an equality the server can match: not long text, JSON or lists.
const KEY_TYPES = new Set(['text', 'email', 'phone', 'url', 'integer', 'number', 'date', 'select', 'relation', 'uuid']);

/** Mapped fields that can serve as upsert keys, the unique ones first. */
export function upsertCandidates(mapping: Mapping, fields: FieldSpec[]): FieldSpec[] {
  const mapped = new Set(mappedFields(mapping));
  return fields.filter((f) => mapped.has(f.name) && KEY_TYPES.has(f.type)).sort((a, b) => Number(!!b.unique) - Number(!!a.unique));
}

/** The mapping as the server takes it: only the columns of the file. */
export function cleanMapping(columns: string[], mapping: Mapping): Mapping {
  return Object.fromEntries(columns.map((c) => [c, mapping[c] || null]));
}
