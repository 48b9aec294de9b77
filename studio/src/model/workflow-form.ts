// Which input edits a setting, decided from its JSON Schema (and, for a few well-known shapes,
// its name): forms in the side panel are generated from each step's config schema.
import { ref, type InjectionKey, type Ref } from 'vue';
import type { FieldSpec } from '../api/types.ts';
import type { TemplatePath } from './workflow-paths.ts';
import type { JsonSchema } from './workflow.ts';

export type Widget =
  | 'object-name'
  | 'filter'
  | 'enum'
  | 'boolean'
  | 'number'
  | 'template'
  | 'fields'
  | 'string-list'
  | 'object-list'
  | 'object'
  | 'record-values'
  | 'map'
  | 'json';

const OBJECT_NAME = '^[a-z][a-z0-9_]{0,62}$';

export function typesOf(s: JsonSchema | undefined): string[] {
  if (!s?.type) return [];
  return Array.isArray(s.type) ? s.type : [s.type];
}

export function widgetOf(name: string, s: JsonSchema | undefined): Widget {
  const types = typesOf(s);
  const has = (t: string) => types.includes(t);
  if (!s) return 'json';
  if (s.enum) return 'enum';
  // "A string or a list" (a message's recipients): offer the simple form, templates included.
  const alternatives = s.oneOf ?? s.anyOf;
  if (!types.length && alternatives?.some((a) => typesOf(a).includes('string'))) return 'template';
  if (has('string') && name === 'object' && (s.pattern === OBJECT_NAME || !s.pattern)) return 'object-name';
  const desc = `${s.description ?? ''} ${s.title ?? ''}`;
  if (has('object') && (name === 'input_schema' || /json schema/i.test(desc))) return 'json';
  if (
    has('object') &&
    (name === 'filter' ||
      name === 'condition' ||
      name.endsWith('_filter') ||
      /records filter/i.test(desc) ||
      s['x-kizuna']?.filter === true)
  )
    return 'filter';
  if (types.length === 1 && has('boolean')) return 'boolean';
  if (types.length === 1 && (has('integer') || has('number'))) return 'number';
  if (types.length === 1 && has('string')) return 'template';
  if (has('array') && types.length === 1) {
    const item = s.items;
    if (name === 'fields' && typesOf(item).includes('string')) return 'fields';
    if (typesOf(item).includes('object') && item?.properties) return 'object-list';
    if (typesOf(item).includes('string') || !item) return 'string-list';
    return 'json';
  }
  if (has('object') && types.length === 1) {
    if (s.properties && Object.keys(s.properties).length) return 'object';
    if (name === 'values') return 'record-values';
    if (
      !s.properties &&
      (s.additionalProperties === undefined || typeof s.additionalProperties === 'object' || s.additionalProperties === true)
    ) {
      const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      return !ap || typesOf(ap).includes('string') || !ap.type ? 'map' : 'json';
    }
  }
  return 'json';
}

/** A typed value from text for a record field: numbers and booleans as such, templates as text. */
export function coerceForField(text: string, field: FieldSpec | undefined): unknown {
  if (!field || /\{\{/.test(text)) return text;
  if (['integer', 'number', 'currency', 'percent'].includes(field.type) && text.trim() !== '' && !Number.isNaN(Number(text)))
    return Number(text);
  if (field.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export interface FormContext {
  /** {{…}} paths the selected node may use. */
  paths: Ref<TemplatePath[]>;
  /** The trigger's object, the default target of record steps. */
  triggerObject: Ref<string | undefined>;
  objects: Ref<{ name: string; label: string }[]>;
  fieldsOf(object: string): FieldSpec[];
  readonly: Ref<boolean>;
}

export const formContextKey: InjectionKey<FormContext> = Symbol('workflow-form');

/** Outside the workflow designer (plugin settings): no objects, fields or {{paths}} to offer. */
export function plainFormContext(): FormContext {
  return { paths: ref([]), triggerObject: ref(undefined), objects: ref([]), fieldsOf: () => [], readonly: ref(false) };
}
