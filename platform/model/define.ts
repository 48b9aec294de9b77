// Object definitions in and out: the short form (ObjectSpec) and the JSON Schema form
// (ObjectDef) are two views of one thing; specs are what we store and reason about.
import { validation, type FieldProblem } from '../problems/index.ts';
import { createAjv, definitionProblems, loadMetaSchema } from './ajv.ts';
import { fieldTypes, parseAutonumberFormat } from './field-types.ts';
import { isCurrencyCode } from './currency.ts';
import {
  API_NAME,
  reservedFieldNames,
  systemFieldNames,
  type FieldSpec,
  type JsonSchema,
  type ObjectDef,
  type ObjectSpec,
} from './types.ts';
import { physicalName } from './names.ts';
import { displayFieldNames, displayProblems } from './display.ts';
import { formulaProblems, withResultTypes } from './formula-fields.ts';

const metaAjv = createAjv();
for (const name of ['label.schema.json', 'field.schema.json', 'object.schema.json', 'object-def.schema.json']) {
  metaAjv.addSchema(loadMetaSchema(name));
}
const validateSpecShape = metaAjv.getSchema('https://kizuna.dev/schema/object.schema.json')!;
const validateDefShape = metaAjv.getSchema('https://kizuna.dev/schema/object-def.schema.json')!;
const validateFieldShape = metaAjv.getSchema('https://kizuna.dev/schema/field.schema.json')!;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Accepts the short form or a full ObjectDef; answers a checked-for-shape ObjectSpec or a 422. */
export function parseObjectInput(body: unknown): ObjectSpec {
  if (!isObject(body)) throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
  let spec: unknown = body;
  if ('x-kizuna' in body || 'properties' in body) {
    if (!validateDefShape(body)) throw validation(definitionProblems(validateDefShape.errors), 'The object definition is invalid');
    spec = specFromDef(body as ObjectDef);
  }
  // The plural may be left out: "project" → "projects".
  const shaped = spec as Record<string, unknown>;
  if (shaped.plural === undefined && typeof shaped.name === 'string' && /^[a-z][a-z0-9_]{0,61}$/.test(shaped.name)) {
    spec = { ...shaped, plural: `${shaped.name}s` };
  }
  const s = spec as Record<string, unknown>;
  if (Array.isArray(s.fields)) spec = { ...s, fields: s.fields.map(withoutEmptyKeys) };
  if (!validateSpecShape(spec)) throw validation(definitionProblems(validateSpecShape.errors), 'The object definition is invalid');
  return spec as ObjectSpec;
}

/**
 * Clients often send every FieldSpec key with an empty value ("options": [], "target": null):
 * keys that say nothing are dropped rather than refused. A key with a value that does not
 * apply to the type (options on an integer) is still a 422.
 */
function withoutEmptyKeys(body: unknown): unknown {
  if (!isObject(body)) return body;
  const select = body.type === 'select' || body.type === 'multi_select';
  return Object.fromEntries(
    Object.entries(body).filter(([k, v]) => v !== null && !(k === 'options' && !select && Array.isArray(v) && v.length === 0)),
  );
}

export function parseFieldInput(raw: unknown, at = ''): FieldSpec {
  const body = withoutEmptyKeys(raw);
  if (!validateFieldShape(body)) {
    throw validation(
      definitionProblems(validateFieldShape.errors).map((p) => ({
        ...p,
        field: at && p.field === '(root)' ? at : at ? `${at}.${p.field}` : p.field,
      })),
      'The field definition is invalid',
    );
  }
  return body as FieldSpec;
}

/** The keys of a field an admin may change after creation; the rest define its storage. */
export const mutableFieldKeys = [
  'label',
  'description',
  'required',
  'unique',
  'indexed',
  'searchable',
  'default',
  'options',
  'currency',
  'format',
  'max_length',
  'minimum',
  'maximum',
  'decimals',
  'hidden',
  'formula',
  'result_type',
] as const;

export function specFromDef(def: ObjectDef): ObjectSpec {
  const k = def['x-kizuna'];
  const required = new Set((def.required as string[] | undefined) ?? []);
  const fields: FieldSpec[] = [];
  for (const [name, prop] of Object.entries(def.properties ?? {})) {
    const x = prop['x-kizuna'];
    if (x.system || (systemFieldNames as readonly string[]).includes(name)) continue;
    const field: FieldSpec = { name, ...x } as FieldSpec;
    if (required.has(name)) field.required = true;
    // Constraints written as plain JSON Schema are honoured when x-kizuna does not say otherwise.
    if (typeof prop.maxLength === 'number' && field.max_length === undefined) field.max_length = prop.maxLength;
    if (typeof prop.minimum === 'number' && field.minimum === undefined) field.minimum = prop.minimum;
    if (typeof prop.maximum === 'number' && field.maximum === undefined) field.maximum = prop.maximum;
    if (prop.default !== undefined && field.default === undefined) field.default = prop.default;
    fields.push(field);
  }
  const spec: ObjectSpec = { name: k.name, label: k.label, plural: k.plural, fields };
  for (const key of [
    'plural_label',
    'description',
    'icon',
    'display_field',
    'display',
    'standard',
    'plugin',
    'restricted',
    'indexes',
  ] as const) {
    if (k[key] !== undefined) (spec as unknown as Record<string, unknown>)[key] = k[key];
  }
  return spec;
}

/** Fills in what a spec may leave out, so stored specs are explicit. */
export function normalizeSpec(spec: ObjectSpec): ObjectSpec {
  const fields = withResultTypes(spec).map((f) => normalizeField(spec.name, f));
  const display =
    spec.display_field ??
    fields.find((f) => f.required && (f.type === 'text' || f.type === 'email'))?.name ??
    fields.find((f) => f.type === 'text' || f.type === 'autonumber')?.name;
  return {
    ...spec,
    plural_label: spec.plural_label ?? spec.label,
    ...(display && { display_field: display }),
    fields,
  };
}

export function normalizeField(objectName: string, f: FieldSpec): FieldSpec {
  const out: FieldSpec = { ...f };
  if (out.searchable === undefined && ['text', 'email', 'phone'].includes(f.type)) out.searchable = true;
  if (f.type === 'autonumber') {
    out.format ??= '{000000}';
    out.sequence ??= physicalName([objectName, f.name], 'seq');
  }
  return out;
}

/** The definition as a JSON Schema of the object's records. */
export function renderObjectDef(spec: ObjectSpec, version?: number): ObjectDef {
  const properties: ObjectDef['properties'] = {
    id: system('uuid', 'ID', 'ID', { type: 'string', format: 'uuid' }),
  };
  const required: string[] = [];
  for (const f of spec.fields) {
    const { name, ...x } = f;
    properties[name] = {
      ...fieldSchema(f),
      title: f.label.en,
      ...(f.description && { description: f.description.en }),
      ...(f.default !== undefined && { default: f.default }),
      'x-kizuna': x,
    };
    if (f.required) required.push(name);
  }
  properties.created_at = system('datetime', 'Created at', '作成日時', { type: 'string', format: 'date-time' });
  properties.updated_at = system('datetime', 'Updated at', '更新日時', { type: 'string', format: 'date-time' });
  properties.version = system('integer', 'Version', 'バージョン', { type: 'integer', minimum: 1 });
  properties.created_by = system('user', 'Created by', '作成者', { type: ['string', 'null'], format: 'uuid' });
  properties.updated_by = system('user', 'Updated by', '更新者', { type: ['string', 'null'], format: 'uuid' });
  const { name, label, plural, plural_label, description, icon, display_field, display, standard, plugin, restricted, indexes } = spec;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://kizuna.dev/objects/${name}`,
    title: label.en,
    ...(description && { description: description.en }),
    type: 'object',
    'x-kizuna': {
      name,
      plural,
      label,
      ...(plural_label && { plural_label }),
      ...(description && { description }),
      ...(icon && { icon }),
      ...(display_field && { display_field }),
      ...(display && { display }),
      ...(standard && { standard }),
      ...(plugin && { plugin }),
      ...(restricted && { restricted }),
      ...(indexes?.length && { indexes }),
      ...(version !== undefined && { version }),
    },
    properties,
    required,
    additionalProperties: false,
  };
}

function system(type: string, en: string, ja: string, schema: JsonSchema) {
  return { ...schema, title: en, readOnly: true, 'x-kizuna': { type, label: { en, ja }, system: true } } as ObjectDef['properties'][string];
}

/** JSON Schema of one field's value as the API reads and writes it (null allowed unless required). */
export function fieldSchema(f: FieldSpec): JsonSchema {
  const base = fieldTypes[f.type].schema(f);
  // Required text means a value a person can see: the empty string does not count.
  if (f.required && base.type === 'string' && !base.enum) return { ...base, minLength: 1 };
  if (f.required || f.type === 'json') return base;
  const out: JsonSchema = { ...base };
  if (typeof base.type === 'string') out.type = [base.type, 'null'];
  else if (Array.isArray(base.type)) out.type = [...base.type, 'null'];
  if (Array.isArray(base.enum)) out.enum = [...base.enum, null];
  return out;
}

/** Rules a meta-schema cannot say: names, references between objects, defaults that fit. */
export function checkSpecs(specs: ObjectSpec[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  const plurals = new Map<string, string>();
  const inverses = new Map<string, string>();
  for (const spec of specs) {
    const at = spec.name;
    if (spec.name.startsWith('kizuna_') || spec.name.startsWith('pg_')) {
      problems.push({
        field: 'name',
        message: `"${spec.name}" is reserved for the platform`,
        keyword: 'reserved_name',
        params: { name: spec.name },
      });
    }
    const other = plurals.get(spec.plural);
    if (other && other !== spec.name)
      problems.push({
        field: 'plural',
        message: `"${spec.plural}" is already the plural of ${other}`,
        keyword: 'plural_taken',
        params: { object: other },
      });
    plurals.set(spec.plural, spec.name);
    const names = new Set<string>();
    spec.fields.forEach((f, i) => {
      const path = `fields.${i}`;
      if (names.has(f.name))
        problems.push({
          field: `${path}.name`,
          message: `"${f.name}" is declared twice in ${at}`,
          keyword: 'taken',
          params: { name: f.name },
        });
      names.add(f.name);
      if (reservedFieldNames.has(f.name))
        problems.push({
          field: `${path}.name`,
          message: `"${f.name}" is a system field name`,
          keyword: 'reserved_name',
          params: { name: f.name },
        });
      if (f.name.includes('__'))
        problems.push({ field: `${path}.name`, message: 'must not contain "__" (kept for derived columns)', keyword: 'double_underscore' });
      if (f.type === 'currency' && f.name.length > 53)
        problems.push({
          field: `${path}.name`,
          message: 'a currency field name is at most 53 characters',
          keyword: 'maxLength',
          params: { limit: 53 },
        });
      if (f.type === 'currency' && f.currency && !isCurrencyCode(f.currency))
        problems.push({
          field: `${path}.currency`,
          message: `"${f.currency}" is not an ISO 4217 currency code (such as JPY, USD, EUR)`,
          keyword: 'currency_code',
        });
      const type = fieldTypes[f.type];
      if (f.unique && !type.canBeUnique)
        problems.push({
          field: `${path}.unique`,
          message: `a ${f.type} field cannot be unique`,
          keyword: 'not_for_type',
          params: { type: f.type },
        });
      if (f.searchable && !type.canBeSearchable)
        problems.push({
          field: `${path}.searchable`,
          message: `a ${f.type} field cannot be searchable`,
          keyword: 'not_for_type',
          params: { type: f.type },
        });
      if (f.internal && !f.plugin)
        problems.push({ field: `${path}.internal`, message: 'only a field a plugin declares can be internal', keyword: 'plugin_only' });
      if (f.required && type.readOnly)
        problems.push({
          field: `${path}.required`,
          message: `a ${f.type} field is filled in by the platform`,
          keyword: 'filled_by_platform',
          params: { type: f.type },
        });
      if (f.options) {
        const values = new Set<string>();
        for (const o of f.options) {
          if (values.has(o.value))
            problems.push({
              field: `${path}.options`,
              message: `option "${o.value}" is declared twice`,
              keyword: 'taken',
              params: { name: o.value },
            });
          values.add(o.value);
        }
      }
      if (f.type === 'autonumber' && !parseAutonumberFormat(f.format))
        problems.push({ field: `${path}.format`, message: 'must look like "CASE-{000000}"', keyword: 'autonumber_format' });
      if (f.minimum !== undefined && f.maximum !== undefined && f.minimum > f.maximum) {
        problems.push({ field: `${path}.minimum`, message: 'must not be greater than maximum', keyword: 'minimum_above_maximum' });
      }
      problems.push(...numberLimitProblems(f, path));
      if (f.type === 'relation' && f.target) {
        const target = byName.get(f.target);
        if (!target)
          problems.push({
            field: `${path}.target`,
            message: `no object named "${f.target}"`,
            keyword: 'no_such_object',
            params: { name: f.target },
          });
        if (f.inverse && target) {
          const key = `${f.target}.${f.inverse}`;
          const owner = inverses.get(key);
          if (owner)
            problems.push({
              field: `${path}.inverse`,
              message: `"${f.inverse}" is already used on ${f.target} by ${owner}`,
              keyword: 'taken',
              params: { name: f.inverse },
            });
          if (target.fields.some((tf) => tf.name === f.inverse) || reservedFieldNames.has(f.inverse)) {
            problems.push({
              field: `${path}.inverse`,
              message: `"${f.inverse}" is already a field of ${f.target}`,
              keyword: 'taken',
              params: { name: f.inverse },
            });
          }
          inverses.set(key, `${spec.name}.${f.name}`);
        }
      }
      if (f.default !== undefined && f.default !== null) {
        const err = defaultProblem(f);
        if (err) problems.push({ field: `${path}.default`, ...err });
      }
    });
    if (spec.display_field && !names.has(spec.display_field)) {
      problems.push({
        field: 'display_field',
        message: `no field named "${spec.display_field}" in ${at}`,
        keyword: 'no_such_field',
        params: { name: spec.display_field },
      });
    }
    problems.push(...displayProblems(spec));
    problems.push(...indexProblems(spec));
    problems.push(...formulaProblems(spec));
  }
  return problems;
}

/** Each index names sortable fields of its object (system ones included), each once; no two alike. */
function indexProblems(spec: ObjectSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  (spec.indexes ?? []).forEach((index, i) => {
    const names = index.fields.map((f) => f.replace(/^-/, ''));
    names.forEach((n, j) => {
      const field = spec.fields.find((f) => f.name === n);
      const system = (systemFieldNames as readonly string[]).includes(n);
      if (!field && !system)
        problems.push({
          field: `indexes[${i}].fields[${j}]`,
          message: `no field named "${n}" in ${spec.name}`,
          keyword: 'no_such_field',
          params: { name: n },
        });
      else if (field && !fieldTypes[field.type].sortable)
        problems.push({
          field: `indexes[${i}].fields[${j}]`,
          message: `${field.type} fields cannot be indexed for sorting`,
          keyword: 'not_for_type',
          params: { type: field.type },
        });
    });
    if (new Set(names).size !== names.length)
      problems.push({ field: `indexes[${i}].fields`, message: 'names a field twice', keyword: 'uniqueItems' });
    const key = index.fields.join(',');
    if (seen.has(key))
      problems.push({ field: `indexes[${i}]`, message: 'repeats an earlier index', keyword: 'taken', params: { name: key } });
    seen.add(key);
  });
  return problems;
}

const defaultAjv = createAjv();
function defaultProblem(f: FieldSpec): Omit<FieldProblem, 'field'> | undefined {
  if (fieldTypes[f.type].readOnly || f.type === 'relation' || f.type === 'user')
    return { message: `a ${f.type} field cannot have a default`, keyword: 'not_for_type', params: { type: f.type } };
  const ok = defaultAjv.validate(fieldTypes[f.type].schema(f), f.default);
  return ok
    ? undefined
    : { message: `does not fit the field: ${defaultAjv.errorsText(defaultAjv.errors, { dataVar: 'default' })}`, keyword: 'default_misfit' };
}

export { API_NAME };

const BOUNDED = ['integer', 'number', 'percent'];

/** Limits only a number can have, and a limit that no value could meet with its decimals. */
function numberLimitProblems(f: FieldSpec, path: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const k of ['minimum', 'maximum'] as const)
    if (f[k] !== undefined && !BOUNDED.includes(f.type))
      out.push({ field: `${path}.${k}`, message: `a ${f.type} field has no ${k}`, keyword: 'not_for_type', params: { type: f.type } });
  if (f.decimals !== undefined && f.type !== 'number' && f.type !== 'percent')
    out.push({
      field: `${path}.decimals`,
      message: f.type === 'currency' ? "a currency field follows its currency's digits" : `a ${f.type} field has no decimals`,
      keyword: 'not_for_type',
      params: { type: f.type },
    });
  return out;
}
