// The OpenAPI document's shared component schemas: the meta-schemas (labels, field specs,
// object definitions), problems, pages, plans, keys and the current user, plus those of the
// platform, workflow and import modules. Per-object record schemas are built in openapi.ts.
import fieldSpecJson from '../../metadata/schema/field.schema.json' with { type: 'json' };
import labelJson from '../../metadata/schema/label.schema.json' with { type: 'json' };
import objectDefJson from '../../metadata/schema/object-def.schema.json' with { type: 'json' };
import objectSpecJson from '../../metadata/schema/object.schema.json' with { type: 'json' };
import { allOperators, mutableFieldKeys, type JsonSchema } from '../model/index.ts';
import { MAX_BULK } from '../records/index.ts';
import { importSchemas } from './openapi-imports.ts';
import { metaSchemaComponents, ref } from './openapi-parts.ts';
import { platformSchemas } from './openapi-platform.ts';
import { workflowSchemas } from './openapi-workflows.ts';

type Schema = JsonSchema;

/** A meta-schema of metadata/schema without $defs, as a component. */
const fromMetaSchema = (json: unknown): Schema => metaSchemaComponents(json).root;

export const FIELD_NAME = '^[a-z][a-z0-9_]{0,62}$';
const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: 'null' }] });

export const FILTER_LANGUAGE = `A filter is a JSON object: \`{ "<field>": { "<operator>": value } }\`. Several keys
are ANDed; \`{ "and": [...] }\`, \`{ "or": [...] }\` and \`{ "not": {...} }\` combine filters; a bare value
(\`{ "<field>": value }\`) means \`eq\`. A relation path filters through a relation
(\`{ "company.industry": { "eq": "Retail" } }\`) or, through an inverse list, matches when any related
record does (\`{ "contacts.email": { "icontains": "@example.jp" } }\`).

Operators: \`eq\`, \`neq\`, \`gt\`, \`gte\`, \`lt\`, \`lte\`, \`in\` and \`nin\` (an array), \`contains\`,
\`icontains\` (case-insensitive), \`starts_with\`, \`is_null\` (true or false), and for multi_select
and tags fields \`has_any\` and \`has_all\` (an array; \`is_null\` there also matches an empty list).
Which operators a field takes depends on its type. An unknown field or operator is a 400 that names it.`;

export function sharedSchemas(): Record<string, Schema> {
  const fieldSpec = fromMetaSchema(fieldSpecJson);
  const fieldProps = fieldSpec.properties as Record<string, Schema>;
  return {
    ...workflowSchemas(),
    ...importSchemas(),
    ...platformSchemas(),
    Problem: {
      type: 'object',
      description: 'An error, as RFC 9457 problem details (served as application/problem+json).',
      properties: {
        type: {
          type: 'string',
          format: 'uri',
          description: 'Identifies the kind of problem.',
          examples: ['https://kizuna.dev/problems/validation'],
        },
        title: { type: 'string', description: 'A short summary of the kind of problem.' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string', description: 'What went wrong in this occurrence.' },
        instance: { type: 'string', description: 'The request path.' },
        errors: { type: 'array', items: ref('FieldProblem'), description: 'One entry per field or parameter at fault.' },
        request_id: { type: 'string', description: 'Also in the X-Request-Id header; quote it when reporting a problem.' },
      },
      required: ['type', 'title', 'status'],
    },
    FieldProblem: {
      type: 'object',
      properties: {
        field: { type: 'string', description: 'The field, parameter or path at fault (e.g. "email", "records[3].email", "filter").' },
        message: { type: 'string' },
        keyword: {
          type: 'string',
          description:
            "Why, as a stable word clients can say in their own language: the JSON Schema keyword that failed (maxLength, required, …) or one of Kizuna's (unique, reference, taken, in_use, immutable, not_for_type, no_such_field, no_such_object, …; docs/API.md lists them).",
        },
        params: {
          type: 'object',
          additionalProperties: { type: ['string', 'number'] },
          description: 'What the message names (a limit, a name, a field type), for clients that phrase it themselves.',
        },
        token: { type: 'string', description: 'In a formula: the token at fault (a field, function or operator).' },
        position: { type: 'integer', description: 'In a formula: where the token starts (0-based character offset).' },
      },
      required: ['field', 'message'],
    },
    PageInfo: {
      type: 'object',
      properties: {
        next_cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
        has_more: { type: 'boolean' },
        total: {
          type: 'integer',
          minimum: 0,
          description:
            'The number of matching records; only with `count=true` (exact up to 10,000 matches, past that the planner’s estimate) or `count=exact`.',
        },
        total_is_estimate: {
          type: 'boolean',
          const: true,
          description:
            'Present when `total` is an estimate (more than 10,000 matches with `count=true`); ask `count=exact` for the exact number.',
        },
        sums: {
          type: 'object',
          description:
            'Only with `sum=`: per field, its total as exact decimal text. A currency field has one total per currency its records hold (its default currency with 0 when none match); a number field has one, with currency null.',
          additionalProperties: {
            type: 'array',
            items: {
              title: 'Sum',
              type: 'object',
              properties: { amount: { type: 'string', examples: ['1250000.50'] }, currency: { type: ['string', 'null'] } },
              required: ['amount', 'currency'],
            },
          },
        },
      },
      required: ['next_cursor', 'has_more'],
    },
    Filter: {
      type: 'object',
      description: FILTER_LANGUAGE,
      properties: {
        and: { type: 'array', minItems: 1, items: ref('Filter') },
        or: { type: 'array', minItems: 1, items: ref('Filter') },
        not: ref('Filter'),
      },
      additionalProperties: ref('FilterCondition'),
    },
    FilterCondition: {
      description: 'The condition on one field or relation path: operators (ANDed), or a bare value meaning `eq`.',
      anyOf: [
        {
          type: 'object',
          minProperties: 1,
          properties: {
            eq: {},
            neq: {},
            gt: {},
            gte: {},
            lt: {},
            lte: {},
            in: { type: 'array' },
            nin: { type: 'array' },
            contains: { type: 'string' },
            icontains: { type: 'string' },
            starts_with: { type: 'string' },
            is_null: { type: 'boolean' },
            has_any: { type: 'array', items: { type: 'string' } },
            has_all: { type: 'array', items: { type: 'string' } },
          },
          additionalProperties: false,
        },
        { type: ['string', 'number', 'boolean', 'null'] },
      ],
    },
    BulkResult: {
      type: 'object',
      properties: {
        created: { type: 'integer', minimum: 0 },
        updated: { type: 'integer', minimum: 0 },
        failed: { type: 'integer', minimum: 0 },
        records: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              index: { type: 'integer', minimum: 0, description: 'Position in the request.' },
              id: { type: 'string', format: 'uuid' },
              action: { type: 'string', enum: ['created', 'updated', 'unchanged'] },
            },
            required: ['index', 'id', 'action'],
          },
        },
        errors: {
          type: 'array',
          description: 'Rows that were not written (only with `partial: true`; otherwise the request fails as a whole).',
          items: {
            type: 'object',
            properties: {
              index: { type: 'integer', minimum: 0 },
              status: { type: 'integer' },
              title: { type: 'string' },
              detail: { type: 'string' },
              errors: { type: 'array', items: ref('FieldProblem') },
            },
            required: ['index', 'status', 'title'],
          },
        },
      },
      required: ['created', 'updated', 'failed', 'records', 'errors'],
    },
    TimelineEntry: {
      oneOf: [
        {
          type: 'object',
          description: 'A change to the record.',
          properties: {
            id: { type: 'string' },
            kind: { const: 'change' },
            action: { type: 'string', description: 'create, update, delete, restore, …' },
            version: { type: 'integer', description: 'The record version this entry produced.' },
            changes: { type: 'object', description: 'Per field: its old and new value.' },
            actor: { type: ['string', 'null'], format: 'uuid' },
            request_id: { type: ['string', 'null'] },
            note: {
              ...nullable(ref('Label')),
              description: "Why the change happened, when its writer said (a plugin's merge or its undo).",
            },
            override: { type: 'boolean', description: "The write overrode plugins' refusals (`?override=true`, allowed by the role)." },
            at: { type: 'string', format: 'date-time' },
          },
          required: ['id', 'kind', 'action', 'version', 'changes', 'actor', 'request_id', 'note', 'override', 'at'],
        },
        {
          type: 'object',
          description: 'A workflow run the record triggered.',
          properties: {
            id: { type: 'string', format: 'uuid' },
            kind: { const: 'workflow_run' },
            run: {
              type: 'object',
              properties: {
                id: { type: 'string', format: 'uuid' },
                workflow_id: { type: 'string', format: 'uuid' },
                workflow_name: { type: 'string' },
                status: { enum: ['queued', 'running', 'waiting', 'succeeded', 'failed'] },
                error: { type: ['string', 'null'] },
                duration_ms: { type: 'integer' },
              },
              required: ['id', 'workflow_id', 'workflow_name', 'status', 'error', 'duration_ms'],
            },
            at: { type: 'string', format: 'date-time' },
          },
          required: ['id', 'kind', 'run', 'at'],
        },
      ],
    },
    Timeline: {
      type: 'object',
      properties: {
        data: { type: 'array', items: ref('TimelineEntry') },
        page: ref('PageInfo'),
        names: {
          type: 'object',
          description:
            "What the page's ids name: relation targets by their display value (null: a record the caller may not read, or gone) and users (actors, user fields) by name.",
          properties: {
            records: {
              type: 'object',
              description: 'Per target object, per record id.',
              additionalProperties: { type: 'object', additionalProperties: nullable(ref('Label')) },
            },
            people: {
              type: 'object',
              description: 'Per user id.',
              additionalProperties: {
                type: 'object',
                properties: { name: { type: 'string' }, kind: { enum: ['person', 'workflow', 'plugin'] } },
                required: ['name', 'kind'],
              },
            },
          },
          required: ['records', 'people'],
        },
      },
      required: ['data', 'page', 'names'],
    },
    Label: fromMetaSchema(labelJson),
    FieldSpec: fieldSpec,
    ObjectSpec: fromMetaSchema(objectSpecJson),
    ObjectDef: fromMetaSchema(objectDefJson),
    FieldTypeInfo: {
      type: 'object',
      properties: {
        type: { type: 'string', description: 'The type name a FieldSpec gives (uuid: the system id only).' },
        operators: {
          type: 'array',
          items: { type: 'string', enum: [...allOperators] },
          description: 'The filter operators a field of this type takes (`is_null: false` is "not empty").',
        },
        sortable: { type: 'boolean' },
        can_be_unique: { type: 'boolean' },
        can_be_searchable: { type: 'boolean' },
        list: { type: 'boolean', description: 'Values are a list (multi_select, tags), filtered with has_any / has_all.' },
      },
      required: ['type', 'operators', 'sortable', 'can_be_unique', 'can_be_searchable', 'list'],
    },
    FieldTypeList: {
      type: 'object',
      properties: { data: { type: 'array', items: ref('FieldTypeInfo') } },
      required: ['data'],
    },
    ObjectDefs: {
      type: 'object',
      properties: { data: { type: 'array', items: ref('ObjectDef') } },
      required: ['data'],
    },
    ObjectPatch: {
      type: 'object',
      description: 'The object settings that can change after creation; fields are changed through their own routes.',
      properties: {
        label: ref('Label'),
        plural_label: ref('Label'),
        description: ref('Label'),
        icon: { type: 'string', maxLength: 40 },
        display_field: { type: 'string', pattern: FIELD_NAME },
        display: {
          ...nullable(objectSpecJson.properties.display),
          description: 'How a record is named, per language (`{field}` placeholders); `null` goes back to display_field.',
        },
      },
      additionalProperties: false,
    },
    FieldPatch: {
      type: 'object',
      description: 'The field settings that can change after creation (name, type, target and inverse cannot). `null` clears a setting.',
      properties: Object.fromEntries(
        mutableFieldKeys.map((k) => [k, k === 'label' || k === 'default' ? fieldProps[k] : nullable(fieldProps[k])]),
      ),
      additionalProperties: false,
    },
    MigrationPlan: {
      type: 'object',
      description: 'What a metadata change would do, answered by `?dry_run=true` without changing anything.',
      properties: {
        dry_run: { const: true },
        plan: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              object: { type: 'string' },
              field: { type: 'string' },
              description: { type: 'string' },
              sql: { type: 'string' },
              count: { type: 'integer', description: 'Values or records concerned, for checks and destructive steps.' },
            },
            required: ['kind', 'object', 'description', 'sql'],
          },
        },
      },
      required: ['dry_run', 'plan'],
    },
    ApiKey: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        prefix: { type: 'string', description: 'The first characters of the key, to recognize it.' },
        role: { type: ['string', 'null'] },
        user_id: { type: 'string', format: 'uuid' },
        created_at: { type: 'string', format: 'date-time' },
        last_used_at: { type: ['string', 'null'], format: 'date-time' },
      },
      required: ['id', 'name', 'prefix', 'role', 'user_id', 'created_at', 'last_used_at'],
    },
    ApiKeys: {
      type: 'object',
      properties: { data: { type: 'array', items: ref('ApiKey') } },
      required: ['data'],
    },
    NewApiKey: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        role: { type: ['string', 'null'], pattern: FIELD_NAME },
      },
      required: ['name'],
    },
    IssuedApiKey: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        prefix: { type: 'string' },
        role: { type: ['string', 'null'] },
        key: { type: 'string', description: 'The secret: shown this once, stored only hashed.' },
      },
      required: ['id', 'name', 'prefix', 'role', 'key'],
    },
    Health: {
      type: 'object',
      properties: {
        status: { const: 'ok' },
        database: { type: 'string', enum: ['pglite', 'postgres'] },
        metadata_version: { type: 'integer' },
      },
      required: ['status', 'database', 'metadata_version'],
    },
    CurrentUser: {
      type: 'object',
      properties: {
        user: ref('User'),
        csrf_token: { type: 'string', description: 'With a session (not an API key): send as X-CSRF-Token on every POST/PATCH/PUT/DELETE' },
        api_key_id: { type: ['string', 'null'], format: 'uuid' },
      },
      required: ['user', 'api_key_id'],
    },
  };
}
