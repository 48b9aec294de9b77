// Shapes of the /api answers the studio reads, from the generated OpenAPI types
// (openapi.d.ts: `npm run studio:api-types`). Where the document is looser than what the
// server sends, a short commented narrowing says why; nothing here is copied from the server.
import type { LocalizedText } from '../composables/useI18n.ts';
import type { components } from './openapi.d.ts';

type Schemas = components['schemas'];

/**
 * The types an admin gives fields (the FieldSpec schema), plus 'uuid': the type of the system
 * `id` property, which the server's object definitions carry but no admin can create.
 */
export type FieldType = Schemas['FieldSpec']['type'] | 'uuid';

/** A field type as the server's table describes it (GET /api/meta/field-types). */
export type FieldTypeInfo = Schemas['FieldTypeInfo'];

export type SelectOption = NonNullable<Schemas['FieldSpec']['options']>[number];

/**
 * A field's x-kizuna block (its FieldSpec) plus its name. The system properties (id,
 * created_at, …) carry `system: true` and their own types (uuid), which FieldSpec does not
 * describe; `internal` marks a plugin's derived data (duplicate keys), not shown in forms,
 * details or lists.
 */
export type FieldSpec = Omit<Schemas['FieldSpec'], 'type'> & { type: FieldType; system?: boolean };

/** What the caller may do with an object (GET /api/meta/objects adds it; the ObjectDef schema does not describe it). */
export interface AccessSummary {
  create: boolean;
  update: boolean;
  delete: boolean;
  scoped: string[];
  read_only: string[];
  /** May ask writes to override plugins' refusals (?override=true). */
  override?: boolean;
}

/**
 * An object definition as GET /api/meta/objects answers it. The schema types a property's
 * x-kizuna as `{ type: string; label }` only; the server sends the field's whole spec there.
 */
export type ObjectDef = Omit<Schemas['ObjectDef'], 'properties'> & {
  properties: Record<string, { 'x-kizuna': Omit<FieldSpec, 'name'> } & Record<string, unknown>>;
  'x-kizuna-access'?: AccessSummary;
};

/** A record a plugin's overridable refusal names (a problem's `matches`, which the Problem schema leaves open). */
export interface OverrideMatch {
  id: string;
  display?: string | null;
  score?: number;
  level?: string;
}

/** Any object's record: its system fields typed, the rest by the object's metadata at run time. */
export type RecordData = Record<string, unknown> & { id: string; version: number; created_at: string; updated_at: string };

export interface ListPage {
  data: RecordData[];
  page: Schemas['PageInfo'];
}

export type User = Schemas['User'];
/** One entry of the people directory (GET /api/people): who a user id is, for everyone. */
export type Person = Schemas['Person'];
export type TimelineNames = Schemas['Timeline']['names'];

export type Me = Schemas['CurrentUser'];

export type ViewKind = Schemas['View']['kind'];

/**
 * A saved view as GET /api/views lists it. The View schema allows more properties (an index
 * signature that Omit would flatten), so its own keys are picked; stored views always have an
 * id, a sharing flag and an owner (null for shared ones), which the schema leaves optional.
 */
export type SavedView = Pick<
  Schemas['View'],
  'key' | 'object' | 'kind' | 'filter' | 'sort' | 'columns' | 'group_by' | 'sum_field' | 'layout'
> & {
  id: string;
  name: LocalizedText;
  shared: boolean;
  owner: string | null;
};

export type PlanStep = Schemas['MigrationPlan']['plan'][number];

type ChangeEntry = Extract<Schemas['TimelineEntry'], { kind: 'change' }>;
type RunEntry = Extract<Schemas['TimelineEntry'], { kind: 'workflow_run' }>;

/** A change in the record's history (the timeline's original entries, and the studio's own, have no `kind`). */
export type TimelineEntry = Omit<ChangeEntry, 'kind' | 'action' | 'changes' | 'request_id' | 'note' | 'override'> & {
  kind?: 'history' | 'change';
  action: 'create' | 'update' | 'delete' | 'restore' | 'erase';
  changes: Record<string, unknown>;
  request_id?: string | null;
  /** Why the change happened, when its writer said (a plugin's merge or its undo). */
  note?: LocalizedText | null;
  /** The write overrode plugins' refusals. */
  override?: boolean;
};

export type RunStatus = Schemas['WorkflowRun']['status'];

/**
 * A workflow run on the timeline: the server's entry, or one the studio builds from GET
 * /api/workflow-runs for a server whose timeline lists no runs (no entry id then, and the
 * runs list's error and duration may be absent).
 */
export type WorkflowRunEntry = Omit<RunEntry, 'id' | 'run'> & {
  id?: string;
  run: Omit<RunEntry['run'], 'workflow_name' | 'error' | 'duration_ms'> & {
    workflow_name: string | null;
    error?: string | null;
    duration_ms?: number | null;
  };
};

/** A run as GET /api/workflow-runs lists it; the list always has created_at, which the schema (shared with other answers) leaves optional. */
export type WorkflowRun = Schemas['WorkflowRun'] & { created_at: string };

// People and "My account" (issue 16).
export type Team = Schemas['Team'];
export type Role = Schemas['Role'];
export type RoleEntry = Schemas['RoleEntry'];
export type RoleGrant = Schemas['Role_grant'];
export type RoleScope = Schemas['Role_scope'];
export type LinkDelivery = Schemas['LinkDelivery'];
export type PasswordReset = Schemas['PasswordReset'];
export type LinkInfo = Schemas['LinkInfo'];
export type OwnSession = Schemas['OwnSession'];
export type ViewAs = Omit<Schemas['ViewAs'], 'data'> & { data: RecordData[] };
export type ApiKeyInfo = Schemas['ApiKey'];
export type IssuedApiKey = Schemas['IssuedApiKey'];
