// An object's record schemas in the OpenAPI document: the record, and what create, update,
// list and bulk take or answer.
import { systemFieldNames, type ObjectModel } from '../model/index.ts';
import { MAX_BULK } from '../records/index.ts';
import { ref, type Schema } from './openapi-components.ts';

/** A property of the object's definition as an OpenAPI schema: x-kizuna reduced to its type. */
function propertySchema(model: ObjectModel, name: string): Schema {
  const { 'x-kizuna': x, ...schema } = model.def.properties[name];
  const out: Schema = { ...schema, 'x-kizuna-type': x.type };
  if (x.type === 'relation' && x.target) {
    out.description = [schema.description, `The id of a ${x.target} record (expanded into the record with \`include=${name}\`).`]
      .filter(Boolean)
      .join(' ');
  }
  return out;
}

const writable = (model: ObjectModel) => model.fieldList.filter((f) => !f.type.readOnly);

export function recordSchemas(model: ObjectModel, base: string): Record<string, Schema> {
  const { label, description } = model.spec;
  const inputProps = Object.fromEntries(writable(model).map((f) => [f.name, propertySchema(model, f.name)]));
  const required = writable(model)
    .filter((f) => f.spec.required && f.spec.default === undefined)
    .map((f) => f.name);
  const upsertable = model.fieldList
    .filter((f) => f.type.sortable && (!f.type.readOnly || f.spec.type === 'autonumber'))
    .map((f) => f.name);
  const upsertName: Schema = upsertable.length ? { type: 'string', enum: upsertable } : { type: 'string' };
  return {
    [base]: {
      type: 'object',
      title: label.en,
      description: `A ${model.name} record (${label.en} / ${label.ja})${description ? `: ${description.en}` : '.'} With \`fields\`, only the system fields and the fields asked for are present.`,
      properties: Object.fromEntries(Object.keys(model.def.properties).map((n) => [n, propertySchema(model, n)])),
      required: [...systemFieldNames],
      'x-kizuna-object': model.name,
    },
    [`${base}Create`]: {
      type: 'object',
      description: `A new ${model.name} record. Fields with a default may be left out; system and read-only fields are ignored.`,
      properties: inputProps,
      ...(required.length && { required }),
      additionalProperties: false,
    },
    [`${base}Update`]: {
      type: 'object',
      description: `The ${model.name} fields to change; the others keep their values.`,
      properties: inputProps,
      additionalProperties: false,
    },
    [`${base}List`]: {
      type: 'object',
      properties: { data: { type: 'array', items: ref(base) }, page: ref('PageInfo') },
      required: ['data', 'page'],
    },
    [`${base}Bulk`]: {
      type: 'object',
      properties: {
        records: {
          type: 'array',
          maxItems: MAX_BULK,
          description: `Up to ${MAX_BULK} records. Without \`upsert_on\` each is created and must be a valid ${base}Create; with it, a record matching on those fields is updated instead.`,
          items: ref(`${base}Update`),
        },
        upsert_on: {
          description: 'The field (or fields) that identify an existing record.',
          oneOf: [upsertName, { type: 'array', minItems: 1, items: upsertName }],
        },
        partial: {
          type: 'boolean',
          default: false,
          description: 'true: write the valid records and report the others; false: all or nothing.',
        },
      },
      required: ['records'],
      additionalProperties: false,
    },
  };
}
