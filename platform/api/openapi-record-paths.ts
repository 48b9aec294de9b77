// An object's record routes in the OpenAPI document, with their list, filter and shape
// parameters described from its fields.
import { systemFieldNames, systemFields, type FieldModel, type ObjectModel } from '../model/index.ts';
import { INVERSE_INCLUDE_LIMIT } from '../query/index.ts';
import { FILTER_LANGUAGE } from './openapi-shared-schemas.ts';
import { body, etag, json, param, problems, READ, ref, WRITE, type PathItem, type Schema } from './openapi-components.ts';

const comma = (items: Schema, description: string, extra: Schema = {}) => ({
  schema: { type: 'array', items, ...extra },
  style: 'form',
  explode: false,
  description,
});

function filterDescription(model: ObjectModel): string {
  const rows = [...systemFields.values(), ...model.fieldList].map(
    (f) => `| \`${f.name}\` | ${model.def.properties[f.name]?.['x-kizuna'].type ?? f.spec.type} | ${f.type.operators.join(', ')} |`,
  );
  const relations = [
    ...model.fieldList.filter((f) => f.spec.type === 'relation').map((f) => `\`${f.name}.<field of ${f.spec.target}>\``),
    ...[...model.inverses.values()].map((i) => `\`${i.name}.<field of ${i.object}>\` (any related record)`),
  ];
  return [
    'URL-encoded JSON (schema: Filter).',
    FILTER_LANGUAGE,
    `| field | type | operators |\n|---|---|---|\n${rows.join('\n')}`,
    relations.length ? `Relation paths: ${relations.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function includable(model: ObjectModel): string[] {
  return [...model.fieldList.filter((f) => f.spec.type === 'relation').map((f) => f.name), ...model.inverses.keys()];
}

/** The `fields` and `include` parameters, shared by list and get. */
function shapeParameters(model: ObjectModel) {
  const fieldNames = [...systemFieldNames, ...model.fieldList.map((f) => f.name)];
  const includes = includable(model);
  return [
    {
      name: 'fields',
      in: 'query',
      required: false,
      ...comma({ type: 'string', enum: fieldNames }, 'Comma list of the fields to return; the system fields always come.'),
    },
    {
      name: 'include',
      in: 'query',
      required: false,
      ...(includes.length
        ? comma(
            { type: 'string', enum: includes },
            `Comma list of relations to expand: a relation field becomes the related record; an inverse list (one-to-many) becomes an array of up to ${INVERSE_INCLUDE_LIMIT} records, newest first.`,
          )
        : comma({ type: 'string' }, `${model.name} has no relations, so any value is a 400.`, { maxItems: 0 })),
    },
  ];
}

export function listParameters(model: ObjectModel) {
  const sortable = [...systemFields.values(), ...model.fieldList].filter((f: FieldModel) => f.type.sortable).map((f) => f.name);
  const searched = model.searchFields.map((f) => `\`${f.name}\``).join(', ');
  return [
    {
      name: 'filter',
      in: 'query',
      required: false,
      description: filterDescription(model),
      content: { 'application/json': { schema: ref('Filter'), example: { created_at: { gte: '2026-01-01T00:00:00Z' } } } },
    },
    {
      name: 'sort',
      in: 'query',
      required: false,
      ...comma(
        { type: 'string', enum: sortable.flatMap((n) => [n, `-${n}`]) },
        'Comma list of fields, `-` for descending (`-score,last_name`); ties are broken by id. Default: newest first.',
        { maxItems: 5 },
      ),
    },
    {
      name: 'limit',
      in: 'query',
      required: false,
      description: 'Records per page.',
      schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    },
    {
      name: 'cursor',
      in: 'query',
      required: false,
      description:
        'The `next_cursor` of the previous page (opaque; only valid with the same sort, or with `q` and no sort for a relevance-ordered list).',
      schema: { type: 'string' },
    },
    ...shapeParameters(model),
    {
      name: 'q',
      in: 'query',
      required: false,
      description: searched
        ? `Full-text search (Japanese and English) over ${searched}. Without \`sort\`, ordered by relevance: exact matches, then prefix matches, then the rest, ranked among the newest 1,000 matches.`
        : `${model.name} has no searchable fields, so any value is a 400.`,
      schema: { type: 'string', maxLength: 200 },
    },
    {
      name: 'count',
      in: 'query',
      required: false,
      description:
        'true: fill `page.total`, counting up to 10,000 matches and estimating past that (`page.total_is_estimate`); exact: count every match.',
      schema: { type: 'string', enum: ['true', 'false', 'exact'], default: 'false' },
    },
    {
      name: 'sum',
      in: 'query',
      required: false,
      description:
        'Comma-separated number, integer, percent or currency fields (at most 5) to total over every record the filter, q and your read scope match (not only this page): fills `page.sums`.',
      schema: { type: 'string' },
    },
    {
      name: 'trashed',
      in: 'query',
      required: false,
      description: 'true: list the trash (soft-deleted records) instead.',
      schema: { type: 'boolean', default: false },
    },
  ];
}

export function recordPaths(model: ObjectModel, base: string): Record<string, PathItem> {
  return { ...collectionPaths(model, base), ...recordItemPaths(model, base) };
}

/** The routes on the object's records as a whole: list, create, bulk. */
function collectionPaths(model: ObjectModel, base: string): Record<string, PathItem> {
  const tags = [model.name];
  const one = ref(base);
  const root = `/api/records/${model.name}`;
  const plural = model.spec.plural_label?.en ?? model.spec.plural;
  return {
    [root]: {
      get: {
        operationId: `list${base}`,
        tags,
        summary: `List ${plural}`,
        parameters: listParameters(model),
        responses: { '200': json(ref(`${base}List`), 'One page of records.'), ...problems(...READ) },
      },
      post: {
        operationId: `create${base}`,
        tags,
        summary: `Create a ${model.spec.label.en}`,
        parameters: [param('Override')],
        requestBody: body(ref(`${base}Create`)),
        responses: {
          '201': json(one, 'Created.', { ...etag, Location: { $ref: '#/components/headers/Location' } }),
          ...problems(...WRITE, 'Conflict'),
        },
      },
    },
    [`${root}/bulk`]: {
      post: {
        operationId: `bulk${base}`,
        tags,
        summary: `Create or upsert many ${plural}`,
        parameters: [param('Override')],
        requestBody: body(ref(`${base}Bulk`)),
        responses: {
          '200': json(ref('BulkResult'), 'Counts and, with `partial`, per-row errors.'),
          ...problems(...WRITE, 'Conflict'),
        },
      },
    },
  };
}

/** The routes on one record: get, change, delete, restore, timeline. */
function recordItemPaths(model: ObjectModel, base: string): Record<string, PathItem> {
  const tags = [model.name];
  const one = ref(base);
  const root = `/api/records/${model.name}`;
  return {
    [`${root}/{id}`]: {
      parameters: [param('RecordId')],
      get: {
        operationId: `get${base}`,
        tags,
        summary: `Get a ${model.spec.label.en}`,
        parameters: shapeParameters(model),
        responses: { '200': json(one, 'The record.', etag), ...problems(...READ, 'NotFound') },
      },
      patch: {
        operationId: `update${base}`,
        tags,
        summary: `Change a ${model.spec.label.en}`,
        parameters: [param('IfMatch'), param('Override')],
        requestBody: body(ref(`${base}Update`)),
        responses: { '200': json(one, 'The changed record.', etag), ...problems(...WRITE, 'NotFound', 'Conflict', 'PreconditionFailed') },
      },
      delete: {
        operationId: `delete${base}`,
        tags,
        summary: `Delete a ${model.spec.label.en}`,
        description: 'Moves the record to the trash; `permanent=true` erases it.',
        parameters: [
          param('IfMatch'),
          {
            name: 'permanent',
            in: 'query',
            required: false,
            description: 'true: erase instead of moving to the trash.',
            schema: { type: 'boolean', default: false },
          },
        ],
        responses: { '204': { description: 'Deleted.' }, ...problems(...READ, 'NotFound', 'PreconditionFailed') },
      },
    },
    [`${root}/{id}/restore`]: {
      parameters: [param('RecordId')],
      post: {
        operationId: `restore${base}`,
        tags,
        summary: `Restore a ${model.spec.label.en} from the trash`,
        responses: { '200': json(one, 'The restored record.', etag), ...problems('Unauthorized', 'Forbidden', 'NotFound', 'Conflict') },
      },
    },
    [`${root}/{id}/timeline`]: {
      parameters: [param('RecordId')],
      get: {
        operationId: `get${base}Timeline`,
        tags,
        summary: `The history of a ${model.spec.label.en}`,
        description: 'Changes, messages, comments and workflow runs, newest first.',
        parameters: [param('TimelineCursor'), param('TimelineLimit')],
        responses: { '200': json(ref('Timeline'), 'One page of entries.'), ...problems(...READ, 'NotFound') },
      },
    },
  };
}
