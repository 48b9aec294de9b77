// Shapes of workflow definitions, runs and the step catalog as the studio reads them from
// /api/workflows (docs/API.md, "Workflows"). The definition is the designer's only state:
// the canvas, the problems list and the side panel are all derived from it.
import type { FieldError } from '../api/client.ts';
import type { LocalizedText } from '../composables/useI18n.ts';

export interface Position {
  x: number;
  y: number;
}

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  $ref?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  /** Kizuna's own: { en, ja } `label` and `description` of a setting, `filter` for a records filter. */
  'x-kizuna'?: { label?: LocalizedText; description?: LocalizedText; filter?: boolean; [key: string]: unknown };
  [key: string]: unknown;
};

export interface WorkflowTrigger {
  type: string;
  object?: string;
  ui?: Position;
  [key: string]: unknown;
}

export interface WorkflowStep {
  id: string;
  type: string;
  title?: string;
  config?: Record<string, unknown>;
  next?: string;
  branches?: Record<string, string>;
  retries?: number;
  ui?: Position;
}

export interface WorkflowDefinition {
  key?: string;
  name: string;
  description?: string;
  trigger: WorkflowTrigger;
  start: string;
  steps: WorkflowStep[];
  variables?: Record<string, unknown>;
}

/** A shipped definition a new workflow may start from (GET /api/workflows/templates). */
export interface WorkflowTemplate {
  key: string;
  name: string;
  description: string;
  definition: WorkflowDefinition;
}

/** A workflow anyone who may read its object may start on its records (GET /api/workflows/manual). */
export interface ManualWorkflow {
  id: string;
  name: string;
  description?: string;
  input_schema?: JsonSchema;
}

/** Why a workflow stopped starting runs: its error and, for a definition, the problems by path. */
export interface WorkflowError {
  message: string;
  errors?: FieldError[];
  at: string;
}

export interface Workflow {
  id: string;
  name: string;
  enabled: boolean;
  /** ok: starts runs; failing: its trigger could not be evaluated; invalid: its active version no longer fits the metadata. */
  state: 'ok' | 'failing' | 'invalid';
  error: WorkflowError | null;
  active_version: number | null;
  /** It may have problems: publishing needs none. */
  draft: WorkflowDefinition;
  /** Answered by create and save: the draft's problems, as validate names them. */
  problems?: ValidationResult['errors'];
  user_id: string;
  hook?: { path: string; key: string };
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersion {
  version: number;
  definition: WorkflowDefinition;
  published_by: string | null;
  published_at: string;
}

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed';
export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'running' | 'waiting';

export interface RunStep {
  step_id: string;
  type: string;
  status: StepStatus;
  attempt?: number;
  input: unknown;
  output: unknown;
  error: string | null;
  started_at?: string;
  finished_at?: string;
}

export interface WorkflowRun {
  id: string;
  workflow_id: string;
  version: number;
  status: RunStatus;
  trigger: Record<string, unknown>;
  current_step: string | null;
  depth: number;
  object: string | null;
  record_id: string | null;
  attempts: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  duration_ms: number;
  context?: Record<string, unknown>;
  steps?: RunStep[];
  path?: string[];
}

/** A dry run's answer (POST /api/workflows/{id}/test). */
export interface TestResult {
  status: string;
  path: string[];
  steps: RunStep[];
  error?: string;
}

export interface CatalogTrigger {
  type: string;
  label: LocalizedText;
  description?: LocalizedText | string;
  config_schema: JsonSchema;
}

export interface CatalogStep {
  type: string;
  label: LocalizedText;
  description?: LocalizedText | string;
  category: string;
  config_schema: JsonSchema;
  /** Named outgoing branches, "cases" (one per config.cases[].name plus default), or null (one `next`). */
  branches: string[] | 'cases' | null;
  output_schema?: JsonSchema;
  plugin?: string;
  action?: string;
}

export interface Catalog {
  triggers: CatalogTrigger[];
  steps: CatalogStep[];
}

export interface ValidationResult {
  valid: boolean;
  errors: FieldError[];
}

/** The key a palette entry is known by: a plugin action's own name, else its step type. */
export const entryKey = (e: CatalogStep) => (e.action ? `action:${e.action}` : e.type);

/** The catalog entry describing a step (plugin actions by their action name). */
export function entryOf(catalog: Catalog, step: WorkflowStep): CatalogStep | undefined {
  if (step.type === 'action') {
    const name = step.config?.action;
    const own = catalog.steps.find((e) => e.action && e.action === name);
    if (own) return own;
  }
  return catalog.steps.find((e) => e.type === step.type && !e.action) ?? catalog.steps.find((e) => e.type === step.type);
}

/**
 * The schema the side panel edits for a step's config. A plugin action's catalog schema may
 * describe the whole step config ({ action, config, input }) or only the action's own config;
 * the latter is edited under `config.config`.
 */
export function configSchemaOf(entry: CatalogStep | undefined): { schema: JsonSchema; under?: 'config' } {
  if (!entry) return { schema: { type: 'object' } };
  const s = entry.config_schema ?? { type: 'object' };
  if (entry.action && !s.properties?.action) return { schema: s, under: 'config' };
  return { schema: s };
}

/**
 * Names of a step's outgoing handles. Several named exits (a condition's true/false, a
 * branch's cases) are a choice and replace `next`; a single named exit (a loop's body) is an
 * extra path, and the step still continues through `next` afterwards.
 */
export function handlesOf(step: WorkflowStep, entry: CatalogStep | undefined): string[] {
  const branches = entry ? entry.branches : step.branches ? Object.keys(step.branches) : null;
  if (branches === 'cases') {
    const cases = ((step.config?.cases ?? []) as { name?: string }[]).map((c) => c.name).filter((n): n is string => !!n);
    return [...cases, 'default'];
  }
  if (Array.isArray(branches) && branches.length > 1) return branches;
  if (Array.isArray(branches) && branches.length === 1) return [branches[0], 'next'];
  return ['next'];
}

/** Whether a handle name is a named branch (kept in `branches`) rather than `next`. */
export const isBranchHandle = (handle: string) => handle !== 'next';

/** The trigger's own settings: everything but its type and canvas position. */
export function triggerConfig(t: WorkflowTrigger): Record<string, unknown> {
  const { type: _type, ui: _ui, ...rest } = t;
  return rest;
}

export const isTemplate = (v: unknown) => typeof v === 'string' && /\{\{\s*[^{}]+?\s*\}\}/.test(v);

/** A new workflow: just its trigger (a draft may have problems: "no steps yet" is one). */
export function blankDefinition(name: string, trigger: WorkflowTrigger): WorkflowDefinition {
  return { name, trigger: { ...trigger, ui: { x: 0, y: 0 } }, start: '', steps: [] };
}

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
