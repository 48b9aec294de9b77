// The OpenAPI 3.1 document of the live API, derived from the metadata: record schemas and
// record paths per object, the fixed routes (metadata, API keys, health) around them.
// Built once per metadata snapshot: the registry replaces the snapshot on every change and
// never mutates one, so a WeakMap keyed by it is exactly "once per version".
import type { MetadataSnapshot } from '../metadata/index.ts';
import { systemFieldNames, systemFields, type FieldModel, type JsonSchema, type ObjectModel } from '../model/index.ts';
import { INVERSE_INCLUDE_LIMIT } from '../query/index.ts';
import { MAX_BULK } from '../records/index.ts';
import { FIELD_NAME, FILTER_LANGUAGE, sharedSchemas } from './openapi-shared-schemas.ts';
import { platformPaths, platformTags } from './openapi-platform.ts';
import { workflowPaths } from './openapi-workflows.ts';
import { exportPath, importPaths, importTag } from './openapi-imports.ts';

type Schema = JsonSchema;
type Operation = Record<string, unknown>;
/** Operations by method, and `parameters` shared by them. */
type PathItem = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, unknown>;
    parameters: Record<string, unknown>;
    headers: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
}

export interface OpenApiOptions {
  /** The server URL clients should call; default "/" (the origin the document came from). */
  serverUrl?: string;
}

const cache = new WeakMap<MetadataSnapshot, Map<string, OpenApiDocument>>();

/** The document for a snapshot; cached, so callers share it and must not mutate it. */
export function buildOpenApi(snapshot: MetadataSnapshot, opts: OpenApiOptions = {}): OpenApiDocument {
  const serverUrl = opts.serverUrl ?? '/';
  let byServer = cache.get(snapshot);
  if (!byServer) cache.set(snapshot, (byServer = new Map()));
  let doc = byServer.get(serverUrl);
  if (!doc) byServer.set(serverUrl, (doc = renderOpenApi(snapshot, serverUrl)));
  return doc;
}

// ---------------------------------------------------------------------------------------
// Names. Component and operation names are derived from object names, so two objects — or
// an object and a fixed part of the API — must never derive the same name.

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const SUFFIXES = ['Create', 'Update', 'List', 'Bulk', 'Timeline'] as const;

/**
 * support_ticket → SupportTicket. An underscore not followed by a letter is kept (a_1 → A_1,
 * a__b → A_B), so the mapping is one-to-one on API names.
 */
export const pascalName = (name: string) => name.replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The base of an object's schema and operation names: its PascalCase name, with "Record"
 * appended when that could collide — the name ends in a suffix we append ("Create", …) or
 * in "Record", or it (plus a suffix) is the name of a shared schema or a fixed operation's
 * noun. Depends only on the object's own name, so adding an object never renames another.
 */
export function schemaName(object: string): string {
  const p = pascalName(object);
  const clashes = ['Record', ...SUFFIXES].some((s) => p.endsWith(s)) || ['', ...SUFFIXES].some((s) => reservedNames.has(p + s));
  return clashes ? `${p}Record` : p;
}

// ---------------------------------------------------------------------------------------
// Responses, parameters and headers shared by many operations.

const problem = (
  description: string,
  type: string,
  title: string,
  status: number,
  detail: string,
  errors?: { field: string; message: string }[],
) => ({
  description,
  content: {
    'application/problem+json': {
      schema: ref('Problem'),
      example: { type: `https://kizuna.dev/problems/${type}`, title, status, detail, ...(errors && { errors }) },
    },
  },
});

const problemResponses = {
  BadRequest: problem(
    'Malformed JSON, an unknown query parameter, or bad filter/sort/cursor syntax.',
    'bad-request',
    'Bad request',
    400,
    'Unknown field "nmae" on contact',
    [{ field: 'nmae', message: 'is not a field of contact' }],
  ),
  Unauthorized: problem('No or bad credentials.', 'unauthorized', 'Unauthorized', 401, 'A valid API key or session is required'),
  Forbidden: problem('Authenticated, but not permitted.', 'forbidden', 'Forbidden', 403, 'Changing metadata needs an admin'),
  NotFound: problem('No such object, field or record.', 'not-found', 'Not found', 404, 'No contact record with id "0190c2a4-…"'),
  Conflict: problem(
    'A unique value is already used, a name is taken, or a definition is still referenced.',
    'conflict',
    'Conflict',
    409,
    'Another contact record already has this email',
    [{ field: 'email', message: 'is already used by another record' }],
  ),
  PreconditionFailed: problem(
    'The If-Match version does not match the record (it changed since it was read).',
    'precondition-failed',
    'Precondition failed',
    412,
    'The record is at version 4, not 3',
  ),
  PayloadTooLarge: problem(
    'The body or the batch is too large.',
    'too-large',
    'Payload too large',
    413,
    'The body is over the limit of 5242880 bytes',
  ),
  UnsupportedMediaType: problem(
    'The body is not application/json.',
    'unsupported-media-type',
    'Unsupported media type',
    415,
    'Send the body as application/json',
  ),
  ValidationFailed: problem(
    'Values that break the schema (type, format, required, options, length).',
    'validation',
    'Validation failed',
    422,
    '1 field is invalid',
    [{ field: 'email', message: 'must be a valid email address' }],
  ),
};
type ProblemName = keyof typeof problemResponses;

const STATUS: Record<ProblemName, string> = {
  BadRequest: '400',
  Unauthorized: '401',
  Forbidden: '403',
  NotFound: '404',
  Conflict: '409',
  PreconditionFailed: '412',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  ValidationFailed: '422',
};

const problems = (...names: ProblemName[]) => Object.fromEntries(names.map((n) => [STATUS[n], { $ref: `#/components/responses/${n}` }]));

/** The problems of any route behind authentication that reads or writes JSON. */
const READ: ProblemName[] = ['BadRequest', 'Unauthorized', 'Forbidden'];
const WRITE: ProblemName[] = [...READ, 'PayloadTooLarge', 'UnsupportedMediaType', 'ValidationFailed'];

const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });

const sharedParameters = {
  RecordId: { name: 'id', in: 'path', required: true, description: 'The record id.', schema: { type: 'string', format: 'uuid' } },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'The version the change is based on, as given in the ETag (`"3"`). A mismatch is a 412, so two people cannot silently overwrite each other.',
    schema: { type: 'string', pattern: '^(W/)?"?[0-9]{1,9}"?$' },
    example: '"3"',
  },
  Override: {
    name: 'override',
    in: 'query',
    required: false,
    description:
      "true: override what plugins' before-hooks would refuse (e.g. a duplicate a dedupe rule blocks); the plugin decides what that lets through, and the history records the write as an override (`via` ends with `+override`). Needs the override permission on the object (403 naming `override`); any value but true or false is a 400.",
    schema: { type: 'boolean', default: false },
  },
  DryRun: {
    name: 'dry_run',
    in: 'query',
    required: false,
    description: 'true: answer the migration plan without changing anything.',
    schema: { type: 'boolean', default: false },
  },
  ObjectName: {
    name: 'object',
    in: 'path',
    required: true,
    description: 'The object API name.',
    schema: { type: 'string', pattern: FIELD_NAME },
  },
  FieldName: {
    name: 'field',
    in: 'path',
    required: true,
    description: 'The field API name.',
    schema: { type: 'string', pattern: FIELD_NAME },
  },
  ApiKeyId: { name: 'id', in: 'path', required: true, description: 'The API key id.', schema: { type: 'string', format: 'uuid' } },
  TimelineCursor: {
    name: 'cursor',
    in: 'query',
    required: false,
    description: 'The `next_cursor` of the previous page.',
    schema: { type: 'string' },
  },
  TimelineLimit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Entries per page.',
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
};

const sharedHeaders = {
  ETag: { description: 'The record version, for `If-Match` on the next change.', schema: { type: 'string' }, example: '"3"' },
  Location: { description: 'The URL of the new record.', schema: { type: 'string' } },
};
const etag = { ETag: { $ref: '#/components/headers/ETag' } };

const json = (schema: Schema, description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema } },
});
const body = (schema: Schema, description?: string) => ({
  required: true,
  ...(description && { description }),
  content: { 'application/json': { schema } },
});

// ---------------------------------------------------------------------------------------
// Fixed routes: metadata, API keys, system. Their operationIds' nouns (after the lowercase
// verb) are reserved for schemaName().

const meta = 'Metadata';
const defOrPlan = { oneOf: [ref('ObjectDef'), ref('MigrationPlan')] };

const fixedPaths: Record<string, PathItem> = {
  ...workflowPaths,
  ...importPaths,
  ...platformPaths,
  '/api/health': {
    get: {
      operationId: 'getHealth',
      tags: ['System'],
      summary: 'Check that the server and its database are up',
      security: [],
      responses: { '200': json(ref('Health'), 'Up.') },
    },
  },
  '/api/auth/me': {
    get: {
      operationId: 'getMe',
      tags: ['System'],
      summary: 'The current user',
      responses: { '200': json(ref('CurrentUser'), 'The user the credentials belong to.'), ...problems('Unauthorized') },
    },
    patch: {
      operationId: 'updateMe',
      tags: ['System'],
      summary: 'Change your own language',
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        required: ['locale'],
        properties: { locale: { enum: ['en', 'ja'] } },
      }),
      responses: {
        '200': json({ type: 'object', properties: { user: ref('User') }, required: ['user'] }, 'The user.'),
        ...problems(...WRITE),
      },
    },
  },
  '/api/openapi.json': {
    get: {
      operationId: 'getOpenApi',
      tags: ['System'],
      summary: 'This document',
      description:
        'OpenAPI 3.1 of the live API as the caller may use it (objects it cannot read and fields hidden from it are left out), regenerated when the metadata changes.',
      responses: { '200': json({ type: 'object' }, 'The OpenAPI document.'), ...problems('Unauthorized') },
    },
  },
  '/api/docs': {
    get: {
      operationId: 'getApiDocs',
      tags: ['System'],
      summary: 'Interactive API reference',
      security: [],
      responses: {
        '200': { description: 'An HTML page rendering this document.', content: { 'text/html': { schema: { type: 'string' } } } },
      },
    },
  },
  '/api/meta/field-types': {
    get: {
      operationId: 'listFieldTypes',
      tags: [meta],
      summary: 'The field-type table',
      description:
        'Each field type with the filter operators it takes, whether lists sort by it, and what a field of it may be. Any signed-in caller.',
      responses: { '200': json(ref('FieldTypeList'), 'Every field type.'), ...problems(...READ) },
    },
  },
  '/api/meta/objects': {
    get: {
      operationId: 'listObjects',
      tags: [meta],
      summary: 'List object definitions',
      responses: { '200': json(ref('ObjectDefs'), 'Every object definition.'), ...problems(...READ) },
    },
    post: {
      operationId: 'createObject',
      tags: [meta],
      summary: 'Create a custom object',
      description: 'From the short form (ObjectSpec) or a full definition (ObjectDef). Admins only.',
      parameters: [param('DryRun')],
      requestBody: body({ oneOf: [ref('ObjectSpec'), ref('ObjectDef')] }),
      responses: {
        '200': json(ref('MigrationPlan'), 'The plan (dry run).'),
        '201': json(ref('ObjectDef'), 'Created.'),
        ...problems(...WRITE, 'Conflict'),
      },
    },
  },
  '/api/meta/objects/{object}': {
    parameters: [param('ObjectName')],
    get: {
      operationId: 'getObject',
      tags: [meta],
      summary: 'Get an object definition',
      responses: { '200': json(ref('ObjectDef'), 'The definition.'), ...problems(...READ, 'NotFound') },
    },
    patch: {
      operationId: 'updateObject',
      tags: [meta],
      summary: 'Change labels, description, display field or icon',
      parameters: [param('DryRun')],
      requestBody: body(ref('ObjectPatch')),
      responses: { '200': json(defOrPlan, 'The new definition, or the plan (dry run).'), ...problems(...WRITE, 'NotFound') },
    },
    delete: {
      operationId: 'deleteObject',
      tags: [meta],
      summary: 'Delete a custom object and its records',
      description: '409 while relations of other objects point at it.',
      parameters: [param('DryRun')],
      responses: {
        '200': json(ref('MigrationPlan'), 'The plan (dry run).'),
        '204': { description: 'Deleted.' },
        ...problems(...READ, 'NotFound', 'Conflict'),
      },
    },
  },
  '/api/meta/objects/{object}/fields': {
    parameters: [param('ObjectName')],
    post: {
      operationId: 'createField',
      tags: [meta],
      summary: 'Add a field',
      parameters: [param('DryRun')],
      requestBody: body(ref('FieldSpec')),
      responses: {
        '200': json(ref('MigrationPlan'), 'The plan (dry run).'),
        '201': json(ref('ObjectDef'), 'The object definition with the new field.'),
        ...problems(...WRITE, 'NotFound', 'Conflict'),
      },
    },
  },
  '/api/meta/objects/{object}/fields/{field}': {
    parameters: [param('ObjectName'), param('FieldName')],
    patch: {
      operationId: 'updateField',
      tags: [meta],
      summary: 'Change a field (label, required, options, default, …)',
      parameters: [param('DryRun')],
      requestBody: body(ref('FieldPatch')),
      responses: {
        '200': json(defOrPlan, 'The new object definition, or the plan (dry run).'),
        ...problems(...WRITE, 'NotFound', 'Conflict'),
      },
    },
    delete: {
      operationId: 'deleteField',
      tags: [meta],
      summary: 'Remove a custom field and its values',
      parameters: [param('DryRun')],
      responses: {
        '200': json(defOrPlan, 'The object definition without the field, or the plan (dry run).'),
        ...problems(...READ, 'NotFound', 'Conflict'),
      },
    },
  },
  '/api/api-keys': {
    get: {
      operationId: 'listApiKeys',
      tags: ['API keys'],
      summary: 'List API keys (without secrets)',
      parameters: [
        {
          name: 'user_id',
          in: 'query',
          description: "Only this user's keys; a non-admin may name only themselves (else 403 naming user_id).",
          schema: { type: 'string', format: 'uuid' },
        },
      ],
      responses: { '200': json(ref('ApiKeys'), 'Keys not revoked.'), ...problems(...READ) },
    },
    post: {
      operationId: 'createApiKey',
      tags: ['API keys'],
      summary: 'Issue an API key',
      description: 'The answer holds the key itself, shown this once. Admins only.',
      requestBody: body(ref('NewApiKey')),
      responses: { '201': json(ref('IssuedApiKey'), 'Issued.'), ...problems(...WRITE) },
    },
  },
  '/api/api-keys/{id}': {
    parameters: [param('ApiKeyId')],
    delete: {
      operationId: 'deleteApiKey',
      tags: ['API keys'],
      summary: 'Revoke an API key at once',
      responses: { '204': { description: 'Revoked.' }, ...problems(...READ, 'NotFound') },
    },
  },
};

const reservedNames = new Set<string>([
  ...Object.keys(sharedSchemas()),
  ...Object.values(fixedPaths).flatMap((item) =>
    Object.values(item).flatMap((op) => {
      const id = (op as Operation).operationId;
      return typeof id === 'string' ? [id.replace(/^[a-z]+/, '')] : [];
    }),
  ),
]);

// ---------------------------------------------------------------------------------------
// Per object: record schemas and record paths.

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

function recordSchemas(model: ObjectModel, base: string): Record<string, Schema> {
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

function listParameters(model: ObjectModel) {
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
      description: 'The `next_cursor` of the previous page (opaque; only valid with the same sort).',
      schema: { type: 'string' },
    },
    ...shapeParameters(model),
    {
      name: 'q',
      in: 'query',
      required: false,
      description: searched
        ? `Full-text search (Japanese and English) over ${searched}.`
        : `${model.name} has no searchable fields, so any value is a 400.`,
      schema: { type: 'string', maxLength: 200 },
    },
    { name: 'count', in: 'query', required: false, description: 'true: fill `page.total`.', schema: { type: 'boolean', default: false } },
    {
      name: 'trashed',
      in: 'query',
      required: false,
      description: 'true: list the trash (soft-deleted records) instead.',
      schema: { type: 'boolean', default: false },
    },
  ];
}

function recordPaths(model: ObjectModel, base: string): Record<string, PathItem> {
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

// ---------------------------------------------------------------------------------------

const API_DESCRIPTION = `The HTTP API of Kizuna, generated from the live metadata: every object has its own record
schemas and routes, and this document changes when an object or field does.

**Authentication**: \`Authorization: Bearer <api key>\` on every route except health and this document.

**Errors** are RFC 9457 problem details (\`application/problem+json\`) with per-field \`errors\`.

**Lists** are \`{ data, page }\` pages; follow \`page.next_cursor\` for the next one.

**Concurrency**: every record has a \`version\`, sent as the \`ETag\`; send it back in \`If-Match\`
when changing the record and a concurrent change is a 412 instead of a silent overwrite.

Every response carries an \`X-Request-Id\`.`;

function renderOpenApi(snapshot: MetadataSnapshot, serverUrl: string): OpenApiDocument {
  const models = [...snapshot.models.values()].sort((a, b) => a.name.localeCompare(b.name));
  const schemas: Record<string, Schema> = { ...sharedSchemas() };
  const paths: Record<string, PathItem> = {};
  for (const [p, item] of Object.entries(fixedPaths)) paths[p] = structuredClone(item);
  const tags = [
    { name: 'System', description: 'Health, the current user and this document.' },
    {
      name: meta,
      description: 'Object and field definitions. Every change can be a dry run (`?dry_run=true`) answering its migration plan.',
    },
    { name: 'API keys', description: 'Keys for programs; the secret is shown once.' },
    ...platformTags,
    { name: 'Workflows', description: "Automations: definitions, versions, runs, and the designer's catalog, validation and test runs." },
    importTag,
  ];
  for (const model of models) {
    const base = schemaName(model.name);
    Object.assign(schemas, recordSchemas(model, base));
    Object.assign(paths, recordPaths(model, base), exportPath(model, base, listParameters(model)));
    const { label, description } = model.spec;
    tags.push({ name: model.name, description: `${label.en} (${label.ja}) records${description ? `: ${description.en}` : '.'}` });
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Kizuna API', version: `metadata-${snapshot.version}`, description: API_DESCRIPTION },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags,
    paths,
    components: {
      schemas,
      responses: structuredClone(problemResponses),
      parameters: structuredClone(sharedParameters),
      headers: structuredClone(sharedHeaders),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer kz_…`.' },
      },
    },
  };
}
