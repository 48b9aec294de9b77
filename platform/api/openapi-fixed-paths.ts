// Fixed routes of the OpenAPI document: metadata, API keys, system, and the platform, workflow
// and import modules' paths. Their operationIds' nouns (after the lowercase verb) are reserved
// for schemaName() (openapi.ts).
import { body, etag, json, param, problems, READ, ref, WRITE, type PathItem } from './openapi-components.ts';
import { platformPaths } from './openapi-platform.ts';
import { workflowPaths } from './openapi-workflows.ts';
import { importPaths } from './openapi-imports.ts';

export const meta = 'Metadata';
const defOrPlan = { oneOf: [ref('ObjectDef'), ref('MigrationPlan')] };

export const fixedPaths: Record<string, PathItem> = {
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
