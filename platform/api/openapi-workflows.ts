// The workflow routes in the OpenAPI document (docs/API.md "Workflows" is the prose). The
// public webhook address (/api/workflows/hooks/{token}) is left out: it is authenticated by an
// HMAC signature, not the bearer key this document's security describes.
import workflowJson from '../../metadata/schema/workflow.schema.json' with { type: 'json' };
import { CONFLICT, NOT_FOUND, READ, WRITE, body, json, label, metaSchemaComponents, obj, ref, res, type Schema } from './openapi-parts.ts';

const tags = ['Workflows'];
const idParam = { name: 'id', in: 'path', required: true, description: 'The workflow id.', schema: { type: 'string', format: 'uuid' } };
const runParam = { name: 'run', in: 'path', required: true, description: 'The run id.', schema: { type: 'string', format: 'uuid' } };
const limitParam = {
  name: 'limit',
  in: 'query',
  required: false,
  description: 'Runs per answer, newest first.',
  schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
};
const any = {};

export function workflowSchemas(): Record<string, Schema> {
  // The meta-schema's $defs become WorkflowDef_<name> components.
  const { root, defs } = metaSchemaComponents(workflowJson, 'WorkflowDef');
  const run = {
    id: { type: 'string', format: 'uuid' },
    workflow_id: { type: 'string', format: 'uuid' },
    version: { type: 'integer' },
    status: { enum: ['queued', 'running', 'waiting', 'succeeded', 'failed'] },
    trigger: { type: 'object' },
    current_step: { type: ['string', 'null'] },
    depth: { type: 'integer' },
    object: { type: ['string', 'null'] },
    record_id: { type: ['string', 'null'], format: 'uuid' },
    attempts: { type: 'integer' },
    error: { type: ['string', 'null'] },
    run_at: { type: 'string', format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' },
    duration_ms: { type: 'integer' },
  };
  const testStep = obj(
    {
      step_id: { type: 'string' },
      type: { type: 'string' },
      status: { enum: ['succeeded', 'failed', 'skipped'] },
      input: any,
      output: any,
      error: { type: ['string', 'null'] },
    },
    ['step_id', 'type', 'status', 'input', 'output', 'error'],
  );
  return {
    ...defs,
    WorkflowDefinition: { ...root, title: 'WorkflowDefinition' },
    Workflow: obj(
      {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        enabled: { type: 'boolean' },
        state: {
          enum: ['ok', 'failing', 'invalid'],
          description:
            'ok: starts runs; failing: its trigger could not be evaluated; invalid: its active version no longer fits the metadata. Neither starts runs until fixed (a new version published, or enabled again); the record events since it stopped are then evaluated.',
        },
        error: {
          oneOf: [
            { type: 'null' },
            obj(
              {
                message: { type: 'string' },
                errors: { type: 'array', items: ref('FieldProblem') },
                at: { type: 'string', format: 'date-time' },
              },
              ['message', 'at'],
            ),
          ],
          description: 'Why it is failing or invalid',
        },
        active_version: { type: ['integer', 'null'] },
        draft: { ...ref('WorkflowDefinition'), description: 'The draft: it may have problems (publishing needs none)' },
        problems: {
          type: 'array',
          items: ref('FieldProblem'),
          description: "Answered by POST and PATCH: the draft's problems, as validate names them ([] when it can be published)",
        },
        user_id: { type: 'string', format: 'uuid', description: 'The system user the workflow acts as' },
        hook: obj({ path: { type: 'string' }, key: { type: 'string' } }, ['path', 'key'], 'The webhook address and its HMAC key'),
        next_run_at: { type: ['string', 'null'], format: 'date-time' },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      },
      ['id', 'name', 'enabled', 'state', 'error', 'active_version', 'draft', 'user_id', 'hook'],
    ),
    WorkflowList: obj({ data: { type: 'array', items: ref('Workflow') } }, ['data']),
    WorkflowVersionList: obj(
      {
        data: {
          type: 'array',
          items: obj(
            {
              version: { type: 'integer' },
              definition: ref('WorkflowDefinition'),
              published_by: { type: ['string', 'null'] },
              published_at: { type: 'string', format: 'date-time' },
            },
            ['version', 'definition'],
          ),
        },
      },
      ['data'],
    ),
    WorkflowPublished: obj({ workflow: ref('Workflow'), version: { type: 'integer' } }, ['workflow', 'version']),
    WorkflowRun: obj(run, ['id', 'workflow_id', 'version', 'status']),
    WorkflowRunDetail: obj(
      {
        ...run,
        context: { type: 'object' },
        path: { type: 'array', items: { type: 'string' } },
        steps: {
          type: 'array',
          items: obj(
            {
              step_id: { type: 'string' },
              type: { type: 'string' },
              status: { type: 'string' },
              attempt: { type: 'integer' },
              input: any,
              output: any,
              error: { type: ['string', 'null'] },
              started_at: { type: 'string' },
              finished_at: { type: 'string' },
            },
            ['step_id', 'type', 'status'],
          ),
        },
      },
      ['id', 'workflow_id', 'status', 'steps', 'path'],
    ),
    WorkflowRunList: obj({ data: { type: 'array', items: ref('WorkflowRun') } }, ['data']),
    WorkflowStart: obj(
      {
        record_id: { type: 'string', description: "A record of the trigger's object, read as the caller" },
        record_ids: {
          type: 'array',
          minItems: 1,
          maxItems: 100,
          uniqueItems: true,
          items: { type: 'string' },
          description: 'One run per record (a list selection), each read as the caller; not with record_id',
        },
        input: { type: 'object', description: "Checked against a manual trigger's input_schema" },
      },
      [],
    ),
    WorkflowTemplateList: obj(
      {
        data: {
          type: 'array',
          items: obj(
            { key: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, definition: ref('WorkflowDefinition') },
            ['key', 'name', 'description', 'definition'],
          ),
        },
      },
      ['data'],
    ),
    ManualWorkflowList: obj(
      {
        data: {
          type: 'array',
          items: obj(
            {
              id: { type: 'string', format: 'uuid' },
              name: { type: 'string' },
              description: { type: 'string' },
              input_schema: { type: 'object', description: "The manual trigger's input form" },
            },
            ['id', 'name'],
          ),
        },
      },
      ['data'],
    ),
    WorkflowTestStart: obj(
      {
        record_id: { type: 'string' },
        input: { type: 'object' },
        definition: { ...ref('WorkflowDefinition'), description: 'What to test (default: the draft)' },
      },
      [],
    ),
    WorkflowTestResult: obj(
      {
        status: { enum: ['succeeded', 'failed'] },
        path: { type: 'array', items: { type: 'string' } },
        steps: { type: 'array', items: testStep },
        error: { type: 'string' },
      },
      ['status', 'path', 'steps'],
    ),
    WorkflowValidation: obj({ valid: { type: 'boolean' }, errors: { type: 'array', items: ref('FieldProblem') } }, ['valid', 'errors']),
    WorkflowCatalog: obj(
      {
        triggers: {
          type: 'array',
          items: obj({ type: { type: 'string' }, label, config_schema: { type: 'object' } }, ['type', 'label', 'config_schema']),
        },
        steps: {
          type: 'array',
          items: obj(
            {
              type: { type: 'string' },
              label,
              description: label,
              category: { enum: ['logic', 'records', 'people', 'messages', 'time', 'external', 'plugins'] },
              config_schema: { type: 'object' },
              branches: { oneOf: [{ type: 'array', items: { type: 'string' } }, { const: 'cases' }, { type: 'null' }] },
              output_schema: { type: 'object' },
              plugin: { type: 'string' },
              action: { type: 'string' },
            },
            ['type', 'label', 'category', 'config_schema', 'branches'],
          ),
        },
      },
      ['triggers', 'steps'],
    ),
  };
}

export const workflowPaths: Record<string, Schema> = {
  '/api/workflows': {
    get: {
      operationId: 'listWorkflows',
      tags,
      summary: 'List workflows',
      responses: { '200': json(ref('WorkflowList'), 'Every workflow.'), ...READ },
    },
    post: {
      operationId: 'createWorkflow',
      tags,
      summary: 'Create a workflow (a disabled draft)',
      requestBody: body(ref('WorkflowDefinition')),
      responses: { '201': json(ref('Workflow'), 'Created.'), ...WRITE },
    },
  },
  '/api/workflows/catalog': {
    get: {
      operationId: 'getWorkflowCatalog',
      tags,
      summary: 'Trigger and step types with their config schemas (and plugin actions)',
      responses: { '200': json(ref('WorkflowCatalog'), "The designer's palette."), ...READ },
    },
  },
  '/api/workflows/templates': {
    get: {
      operationId: 'listWorkflowTemplates',
      tags,
      summary: 'The shipped definitions a new workflow may start from (metadata/workflows)',
      responses: { '200': json(ref('WorkflowTemplateList'), 'The templates, by key.'), ...READ },
    },
  },
  '/api/workflows/manual': {
    get: {
      operationId: 'listManualWorkflows',
      tags,
      summary: 'Workflows anyone who may read the object may start on its records',
      parameters: [
        {
          name: 'object',
          in: 'query',
          required: true,
          description: 'The object (one the caller may read; 404 otherwise).',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': json(ref('ManualWorkflowList'), 'Enabled workflows whose active version has a manual trigger on the object.'),
        ...READ,
        ...NOT_FOUND,
      },
    },
  },
  '/api/workflows/validate': {
    post: {
      operationId: 'validateWorkflow',
      tags,
      summary: 'Check a definition without saving it',
      requestBody: body(ref('WorkflowDefinition')),
      responses: { '200': json(ref('WorkflowValidation'), 'Every problem, or none.'), ...WRITE },
    },
  },
  '/api/workflows/{id}': {
    parameters: [idParam],
    get: {
      operationId: 'getWorkflow',
      tags,
      summary: 'Get a workflow',
      responses: { '200': json(ref('Workflow'), 'The workflow.'), ...READ, ...NOT_FOUND },
    },
    patch: {
      operationId: 'updateWorkflowDraft',
      tags,
      summary: "Change the draft (top-level keys replace the draft's; kept with its problems)",
      requestBody: body({ type: 'object' }),
      responses: { '200': json(ref('Workflow'), 'The workflow with its new draft.'), ...WRITE, ...NOT_FOUND },
    },
  },
  '/api/workflows/{id}/publish': {
    parameters: [idParam],
    post: {
      operationId: 'publishWorkflow',
      tags,
      summary: 'Publish the draft as the next version',
      responses: {
        '200': json(ref('WorkflowPublished'), 'The new active version.'),
        ...READ,
        ...NOT_FOUND,
        '422': res('ValidationFailed'),
      },
    },
  },
  '/api/workflows/{id}/enable': {
    parameters: [idParam],
    post: {
      operationId: 'enableWorkflow',
      tags,
      summary: 'Switch the workflow on',
      responses: { '200': json(ref('Workflow'), 'The workflow.'), ...READ, ...NOT_FOUND, ...CONFLICT },
    },
  },
  '/api/workflows/{id}/disable': {
    parameters: [idParam],
    post: {
      operationId: 'disableWorkflow',
      tags,
      summary: 'Switch the workflow off',
      responses: { '200': json(ref('Workflow'), 'The workflow.'), ...READ, ...NOT_FOUND },
    },
  },
  '/api/workflows/{id}/versions': {
    parameters: [idParam],
    get: {
      operationId: 'listWorkflowVersions',
      tags,
      summary: 'Published versions, newest first',
      responses: { '200': json(ref('WorkflowVersionList'), 'The versions.'), ...READ, ...NOT_FOUND },
    },
  },
  '/api/workflows/{id}/run': {
    parameters: [idParam],
    post: {
      operationId: 'runWorkflow',
      tags,
      summary: 'Start a run by hand (anyone who may read the object and records, for an enabled manual workflow)',
      description:
        'Admins may run any published workflow. Anyone else may run an enabled workflow whose active version has a manual trigger on an object they may read (403 otherwise), on records they may read (404 otherwise). With record_ids, one run per record, all or none.',
      requestBody: body(ref('WorkflowStart')),
      responses: {
        '202': json(
          { oneOf: [ref('WorkflowRunDetail'), obj({ data: { type: 'array', items: ref('WorkflowRun') } }, ['data'])] },
          'The queued run, or with record_ids `{ data: [run] }`.',
        ),
        ...WRITE,
        ...NOT_FOUND,
        ...CONFLICT,
      },
    },
  },
  '/api/workflows/{id}/test': {
    parameters: [idParam],
    post: {
      operationId: 'testWorkflow',
      tags,
      summary: 'Dry run: record steps in a rolled-back transaction, side effects skipped',
      requestBody: body(ref('WorkflowTestStart')),
      responses: { '200': json(ref('WorkflowTestResult'), 'What each step did (nothing was committed).'), ...WRITE, ...NOT_FOUND },
    },
  },
  '/api/workflows/{id}/runs': {
    parameters: [idParam],
    get: {
      operationId: 'listWorkflowRuns',
      tags,
      summary: 'Runs of a workflow, newest first',
      parameters: [limitParam],
      responses: { '200': json(ref('WorkflowRunList'), 'The runs.'), ...READ, ...NOT_FOUND },
    },
  },
  '/api/workflow-runs': {
    get: {
      operationId: 'listRecordWorkflowRuns',
      tags,
      summary: 'Runs a record triggered',
      parameters: [
        { name: 'object', in: 'query', required: true, description: "The record's object.", schema: { type: 'string' } },
        { name: 'record_id', in: 'query', required: true, description: 'The record id.', schema: { type: 'string', format: 'uuid' } },
        limitParam,
      ],
      responses: { '200': json(ref('WorkflowRunList'), 'The runs.'), ...READ, ...NOT_FOUND },
    },
  },
  '/api/workflow-runs/{run}': {
    parameters: [runParam],
    get: {
      operationId: 'getWorkflowRun',
      tags,
      summary: "A run with its path and each step's input, output and error",
      responses: { '200': json(ref('WorkflowRunDetail'), 'The run.'), ...READ, ...NOT_FOUND },
    },
  },
  '/api/workflow-runs/{run}/retry': {
    parameters: [runParam],
    post: {
      operationId: 'retryWorkflowRun',
      tags,
      summary: 'Run a failed run again from the failed step, or from an earlier step it took (from_step)',
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: obj(
              {
                from_step: {
                  type: 'string',
                  description: "A step the run took before it failed (default: the failed step); not one inside a loop's body",
                },
              },
              [],
            ),
          },
        },
      },
      responses: { '202': json(ref('WorkflowRunDetail'), 'The queued run.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
  },
};
