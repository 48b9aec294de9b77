// The import routes and the per-object export route in the OpenAPI document (docs/API.md
// "Import and export (issue 8)" is the prose).
import type { ObjectModel } from '../model/index.ts';
import { NOT_FOUND, READ, json, obj, ref, res, type Schema } from './openapi-parts.ts';

const tags = ['Imports'];
const idParam = { name: 'id', in: 'path', required: true, description: 'The import id.', schema: { type: 'string', format: 'uuid' } };
const nullableString = { type: ['string', 'null'] };

export const importTag = {
  name: 'Imports',
  description:
    'CSV, TSV and Excel imports as background jobs: upload and detect, mapping and preview, progress, cancel and the error report.',
};

export function importSchemas(): Record<string, Schema> {
  const upload = {
    id: { type: 'string', format: 'uuid' },
    object: { type: 'string' },
    filename: nullableString,
    format: { enum: ['csv', 'xlsx'] },
    encoding: {
      type: ['string', 'null'],
      description: 'iconv name of the detected or given encoding (`utf-8`, `cp932`, `euc-jp`, `utf-16le`…); null for xlsx.',
    },
    delimiter: { type: ['string', 'null'] },
    size: { type: 'number', description: 'Bytes.' },
    columns: { type: 'array', items: { type: 'string' } },
    suggested_mapping: ref('ImportMapping'),
  };
  return {
    ImportMapping: {
      type: 'object',
      description: 'Column → field API name, `$full_name`, `$full_name_kana`, or null to skip the column.',
      additionalProperties: { type: ['string', 'null'] },
    },
    // Every key is always sent (null when unknown): a client's types need not guess.
    ImportUpload: obj({ ...upload, state: { const: 'uploaded' } }, [...Object.keys(upload), 'state']),
    ImportStart: {
      type: 'object',
      properties: {
        mapping: ref('ImportMapping'),
        mode: { enum: ['all_or_nothing', 'partial'], default: 'all_or_nothing' },
        upsert_on: {
          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
          description: 'Field(s) matching existing records (emails without case or surrounding spaces).',
        },
        create_missing: {
          type: 'array',
          items: { type: 'string' },
          description: 'Relation fields whose missing targets are created by their display value.',
        },
        utc_offset: { type: 'string', pattern: '^(Z|[+-]\\d{2}:\\d{2})$', default: '+09:00' },
        override: {
          type: 'boolean',
          default: false,
          description:
            "The rows' writes override plugins' refusals (e.g. a duplicate check's block); needs the override permission on the object (403 naming `override`).",
        },
      },
    },
    ImportStatus: obj(
      {
        ...upload,
        options: { type: ['object', 'null'] },
        created_at: { type: 'string', format: 'date-time' },
        state: { enum: ['uploaded', 'queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'] },
        phase: { type: ['string', 'null'], enum: ['validating', 'writing', 'erasing', null] },
        rows_read: { type: 'integer' },
        rows_written: { type: 'integer' },
        created: { type: 'integer' },
        updated: { type: 'integer' },
        unchanged: { type: 'integer' },
        rows_failed: { type: 'integer' },
        rate: { type: 'integer', description: 'Rows per second.' },
        eta_seconds: { type: ['integer', 'null'] },
        error: nullableString,
        started_at: nullableString,
        finished_at: nullableString,
      },
      [...Object.keys(upload), 'options', 'created_at', 'state'],
    ),
    ImportPreview: obj(
      {
        mapping: ref('ImportMapping'),
        rows: {
          type: 'array',
          items: obj(
            {
              row: { type: 'integer' },
              cells: { type: 'array', items: { type: 'string' } },
              values: { type: 'object' },
              errors: { type: 'array', items: ref('FieldProblem') },
            },
            ['row', 'cells', 'values', 'errors'],
          ),
        },
      },
      ['mapping', 'rows'],
    ),
  };
}

export const importPaths: Record<string, Schema> = {
  '/api/imports': {
    post: {
      operationId: 'createImport',
      tags,
      summary: 'Upload a file to import (the raw body; not multipart)',
      parameters: [
        { name: 'object', in: 'query', required: true, schema: { type: 'string' }, description: 'The object to import into.' },
        { name: 'filename', in: 'query', required: false, schema: { type: 'string' } },
        {
          name: 'encoding',
          in: 'query',
          required: false,
          schema: { enum: ['utf-8', 'cp932', 'shift_jis', 'euc-jp', 'utf-16le', 'utf-16be'] },
          description: 'Overrides detection; a file that does not fit it is a 400.',
        },
        { name: 'delimiter', in: 'query', required: false, schema: { enum: [',', ';', '|', 'tab'] } },
      ],
      requestBody: {
        required: true,
        content: {
          'text/csv': { schema: { type: 'string', format: 'binary' } },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
          'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        '201': json(ref('ImportUpload'), 'Stored and detected.'),
        ...READ,
        '413': res('PayloadTooLarge'),
        '415': res('UnsupportedMediaType'),
        '422': res('ValidationFailed'),
      },
    },
    get: {
      operationId: 'listImports',
      tags,
      summary: "The caller's imports (an admin's: everyone's), newest first",
      parameters: [
        { name: 'object', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        {
          name: 'cursor',
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: '`page.next_cursor` of the previous page.',
        },
      ],
      responses: {
        '200': json(
          obj({ data: { type: 'array', items: ref('ImportStatus') }, page: ref('PageInfo') }, ['data', 'page']),
          'A page of imports.',
        ),
        ...READ,
        ...NOT_FOUND,
      },
    },
  },
  '/api/imports/{id}': {
    parameters: [idParam],
    get: {
      operationId: 'getImport',
      tags,
      summary: 'Progress of an import',
      responses: { '200': json(ref('ImportStatus'), 'The import.'), ...READ, ...NOT_FOUND },
    },
    delete: {
      operationId: 'deleteImport',
      tags,
      summary: 'Delete an import that is not running: its stored file and error report (the records it wrote stay)',
      responses: { '204': { description: 'Deleted.' }, ...READ, ...NOT_FOUND, '409': res('Conflict') },
    },
  },
  '/api/imports/{id}/preview': {
    parameters: [idParam],
    get: {
      operationId: 'previewImport',
      tags,
      summary: 'The first rows with the values and errors each would get (nothing written)',
      parameters: [
        { name: 'mapping', in: 'query', required: false, content: { 'application/json': { schema: ref('ImportMapping') } } },
        { name: 'rows', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
        { name: 'create_missing', in: 'query', required: false, schema: { type: 'string' }, description: 'Comma list of relation fields.' },
        {
          name: 'upsert_on',
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: 'Comma list of key fields, as the start will take them: a row matching a record is previewed as an update.',
        },
        {
          name: 'override',
          in: 'query',
          required: false,
          schema: { type: 'boolean', default: false },
          description: 'Preview as the start with `override: true` would write.',
        },
      ],
      responses: { '200': json(ref('ImportPreview'), 'The preview.'), ...READ, ...NOT_FOUND, '422': res('ValidationFailed') },
    },
  },
  '/api/imports/{id}/start': {
    parameters: [idParam],
    post: {
      operationId: 'startImport',
      tags,
      summary: 'Start the import as a background job',
      requestBody: { required: true, content: { 'application/json': { schema: ref('ImportStart') } } },
      responses: {
        '202': json(ref('ImportStatus'), 'Queued.'),
        ...READ,
        ...NOT_FOUND,
        '409': res('Conflict'),
        '422': res('ValidationFailed'),
      },
    },
  },
  '/api/imports/{id}/cancel': {
    parameters: [idParam],
    post: {
      operationId: 'cancelImport',
      tags,
      summary: 'Stop after the current batch',
      responses: { '200': json(ref('ImportStatus'), 'Cancelling.'), ...READ, ...NOT_FOUND, '409': res('Conflict') },
    },
  },
  '/api/imports/{id}/errors': {
    parameters: [idParam],
    get: {
      operationId: 'getImportErrors',
      tags,
      summary: 'The failed rows with a reason column, in the source encoding',
      responses: {
        '200': { description: 'CSV: row, the original columns, reason.', content: { 'text/csv': { schema: { type: 'string' } } } },
        ...READ,
        ...NOT_FOUND,
      },
    },
  },
};

/** GET /api/records/{object}/export for one object, with the list's parameters that apply. */
export function exportPath(model: ObjectModel, base: string, listParameters: Schema[]): Record<string, Schema> {
  const skip = new Set(['limit', 'cursor', 'count', 'sum', 'include']);
  return {
    [`/api/records/${model.name}/export`]: {
      get: {
        operationId: `export${base}`,
        tags: [model.name],
        summary: `Export ${model.spec.plural_label?.en ?? model.spec.plural} as CSV or Excel (streamed)`,
        parameters: [
          ...listParameters.filter((p) => !skip.has(p.name as string)),
          { name: 'format', in: 'query', required: false, schema: { enum: ['csv', 'xlsx'], default: 'csv' } },
          {
            name: 'header',
            in: 'query',
            required: false,
            schema: { enum: ['en', 'ja', 'api'], default: 'en' },
            description:
              'Header row: field labels (en or ja) or API names. With labels, select and multi-select cells hold the option labels in that language (the value where a label would not import back as its option); with API names, the values.',
          },
          {
            name: 'relations',
            in: 'query',
            required: false,
            schema: { enum: ['names', 'ids'], default: 'names' },
            description:
              "Relation and user cells: names (a relation as its target's display value in the header's language, English for api; a user by name) that import back to the same ids, or the ids. A target the reader may not read, or a name several records or users share, is written as its id.",
          },
          {
            name: 'encoding',
            in: 'query',
            required: false,
            schema: { enum: ['utf-8', 'utf-8-bom', 'shift_jis'], default: 'utf-8' },
            description: 'CSV only; utf-8-bom and shift_jis open cleanly in Japanese Excel.',
          },
          {
            name: 'escape_formulas',
            in: 'query',
            required: false,
            schema: { enum: ['true', 'false'], default: 'true' },
            description:
              "Text cells starting with = + - @, a tab or CR (or full-width ＝＋－＠) get a leading ' so a spreadsheet shows them instead of running them (OWASP CSV injection); numbers, dates, phones and ids are never changed. false writes every cell as stored.",
          },
        ],
        responses: {
          '200': {
            description: 'The file, streamed.',
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...READ,
        },
      },
    },
  };
}
