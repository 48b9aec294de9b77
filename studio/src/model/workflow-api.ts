// The workflow endpoints (docs/API.md, "Workflows") over the studio's one API client.
import { api, ApiError, query } from '../api/client.ts';
import { fallbackCatalog } from './workflow-catalog.ts';
import type {
  Catalog,
  ManualWorkflow,
  TestResult,
  ValidationResult,
  Workflow,
  WorkflowDefinition,
  WorkflowRun,
  WorkflowTemplate,
  WorkflowVersion,
} from './workflow.ts';

const missing = (e: unknown) => e instanceof ApiError && (e.status === 404 || e.status === 405);

export const workflowApi = {
  list: () => api<{ data: Workflow[] }>('GET', '/workflows').then((r) => r.data),
  get: (id: string) => api<Workflow>('GET', `/workflows/${id}`),
  create: (def: WorkflowDefinition) => api<Workflow>('POST', '/workflows', def),
  saveDraft: (id: string, def: WorkflowDefinition) => api<Workflow>('PATCH', `/workflows/${id}`, def),
  publish: (id: string) => api<{ workflow: Workflow; version: number }>('POST', `/workflows/${id}/publish`),
  setEnabled: (id: string, on: boolean) => api<Workflow>('POST', `/workflows/${id}/${on ? 'enable' : 'disable'}`),
  versions: (id: string) => api<{ data: WorkflowVersion[] }>('GET', `/workflows/${id}/versions`).then((r) => r.data),
  runs: (id: string, limit = 50) => api<{ data: WorkflowRun[] }>('GET', `/workflows/${id}/runs${query({ limit })}`).then((r) => r.data),
  run: (runId: string) => api<WorkflowRun>('GET', `/workflow-runs/${runId}`),
  /** Again from the failed step, or from an earlier step the run took. */
  retry: (runId: string, fromStep?: string) =>
    api<WorkflowRun>('POST', `/workflow-runs/${runId}/retry`, fromStep ? { from_step: fromStep } : undefined),
  start: (id: string, body: { record_id?: string; input?: Record<string, unknown> }) =>
    api<WorkflowRun>('POST', `/workflows/${id}/run`, body),
  templates: () => api<{ data: WorkflowTemplate[] }>('GET', '/workflows/templates').then((r) => r.data),
  /** The manual workflows the signed-in person may start on records of an object (not only admins). */
  manual: (object: string) => api<{ data: ManualWorkflow[] }>('GET', `/workflows/manual${query({ object })}`).then((r) => r.data),
  /** One run per record (at most 100 per request: the server's limit). */
  startEach: (id: string, body: { record_ids: string[]; input?: Record<string, unknown> }) =>
    api<{ data: WorkflowRun[] }>('POST', `/workflows/${id}/run`, body).then((r) => r.data),
  test: (id: string, body: { record_id?: string; input?: Record<string, unknown>; definition: WorkflowDefinition }) =>
    api<TestResult>('POST', `/workflows/${id}/test`, body),

  /** The server's verdict on a definition, or null while the server has no validate endpoint. */
  async validate(def: WorkflowDefinition): Promise<ValidationResult | null> {
    try {
      return await api<ValidationResult>('POST', '/workflows/validate', def);
    } catch (e) {
      if (missing(e)) return null;
      // A 422 carrying the errors is the same verdict in problem form.
      if (e instanceof ApiError && e.status === 422) return { valid: false, errors: e.errors };
      throw e;
    }
  },
};

let catalog: Promise<Catalog> | null = null;

/** The palette, once per page load; the meta-schema's built-ins while the server has no catalog. */
export function loadCatalog(): Promise<Catalog> {
  catalog ??= api<Catalog>('GET', '/workflows/catalog').then(
    (c) => (c && Array.isArray(c.steps) && Array.isArray(c.triggers) ? c : fallbackCatalog()),
    (e) => {
      if (missing(e)) return fallbackCatalog();
      catalog = null;
      throw e;
    },
  );
  return catalog;
}
