// Responses, parameters and headers many operations of the OpenAPI document share
// (openapi.ts): the problem responses with their examples, and the helpers that refer to them.
import type { JsonSchema } from '../model/index.ts';
import { FIELD_NAME } from './openapi-shared-schemas.ts';

export type Schema = JsonSchema;
/** Operations by method, and `parameters` shared by them. */
export type PathItem = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

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

export const problemResponses = {
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
export type ProblemName = keyof typeof problemResponses;

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

export const problems = (...names: ProblemName[]) =>
  Object.fromEntries(names.map((n) => [STATUS[n], { $ref: `#/components/responses/${n}` }]));

/** The problems of any route behind authentication that reads or writes JSON. */
export const READ: ProblemName[] = ['BadRequest', 'Unauthorized', 'Forbidden'];
export const WRITE: ProblemName[] = [...READ, 'PayloadTooLarge', 'UnsupportedMediaType', 'ValidationFailed'];

export const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });

export const sharedParameters = {
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

export const sharedHeaders = {
  ETag: { description: 'The record version, for `If-Match` on the next change.', schema: { type: 'string' }, example: '"3"' },
  Location: { description: 'The URL of the new record.', schema: { type: 'string' } },
};
export const etag = { ETag: { $ref: '#/components/headers/ETag' } };

export const json = (schema: Schema, description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers && { headers }),
  content: { 'application/json': { schema } },
});
export const body = (schema: Schema, description?: string) => ({
  required: true,
  ...(description && { description }),
  content: { 'application/json': { schema } },
});
