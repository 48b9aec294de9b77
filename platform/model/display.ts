// How a record is named: the object's display template ({ en, ja } of `{field}` placeholders,
// e.g. a contact's "{first_name} {last_name}" / "{last_name} {first_name}"), else its display
// field. The studio renders the same templates (studio/src/model/display.ts).
import type { FieldProblem } from '../problems/index.ts';
import type { Label, ObjectSpec } from './types.ts';

const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,62})\}/g;
/** Field types a template may name: their stored value is the text shown. */
const TEXT_TYPES = new Set(['text', 'email', 'phone', 'url', 'autonumber']);

const placeholders = (template: string) => [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);

/** The fields a record's name is made of, each once (none: the object has no display). */
export function displayFieldNames(spec: Pick<ObjectSpec, 'display' | 'display_field'>): string[] {
  if (spec.display) return [...new Set([...placeholders(spec.display.en), ...placeholders(spec.display.ja)])];
  return spec.display_field ? [spec.display_field] : [];
}

const render = (template: string, row: Record<string, unknown>) =>
  template
    .replace(PLACEHOLDER, (_, name: string) => (row[name] === null || row[name] === undefined ? '' : String(row[name])))
    .replace(/\s+/g, ' ')
    .trim();

/** A record's name in each language, or null when the fields it is made of are all empty. */
export function displayText(spec: Pick<ObjectSpec, 'display' | 'display_field'>, row: Record<string, unknown>): Label | null {
  if (spec.display) {
    const en = render(spec.display.en, row);
    const ja = render(spec.display.ja, row);
    return en || ja ? { en: en || ja, ja: ja || en } : null;
  }
  const v = spec.display_field ? row[spec.display_field] : undefined;
  return v === null || v === undefined || v === '' ? null : { en: String(v), ja: String(v) };
}

/** What is wrong with an object's display template: each placeholder must name a text-like field of it. */
export function displayProblems(spec: ObjectSpec): FieldProblem[] {
  if (!spec.display) return [];
  const problems: FieldProblem[] = [];
  for (const locale of ['en', 'ja'] as const) {
    const names = placeholders(spec.display[locale]);
    if (!names.length)
      problems.push({ field: `display.${locale}`, message: 'must name at least one field, as {field_name}', keyword: 'display_empty' });
    for (const name of names) {
      const f = spec.fields.find((x) => x.name === name);
      if (!f)
        problems.push({
          field: `display.${locale}`,
          message: `no field named "${name}" in ${spec.name}`,
          keyword: 'no_such_field',
          params: { name },
        });
      else if (!TEXT_TYPES.has(f.type))
        problems.push({
          field: `display.${locale}`,
          message: `"${name}" is a ${f.type} field; a display names text, email, phone, url or autonumber fields`,
          keyword: 'not_for_type',
          params: { type: f.type },
        });
    }
  }
  return problems;
}
