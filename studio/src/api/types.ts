// Shapes of the /api answers the studio reads (see docs/API.md).
import type { LocalizedText } from '../composables/useI18n.ts';

export type FieldType =
  | 'text' | 'long_text' | 'email' | 'phone' | 'url' | 'integer' | 'number' | 'currency' | 'percent'
  | 'boolean' | 'date' | 'datetime' | 'select' | 'multi_select' | 'relation' | 'autonumber' | 'json' | 'user' | 'country' | 'tags' | 'uuid';

export interface SelectOption {
  value: string;
  label: LocalizedText;
  color?: string;
}

/** A field's x-kizuna block (its FieldSpec) plus its name. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  label: LocalizedText;
  description?: LocalizedText;
  required?: boolean;
  unique?: boolean;
  indexed?: boolean;
  searchable?: boolean;
  default?: unknown;
  options?: SelectOption[];
  target?: string;
  inverse?: string;
  currency?: string;
  format?: string;
  max_length?: number;
  minimum?: number;
  maximum?: number;
  standard?: boolean;
  system?: boolean;
  /** A plugin's derived data (duplicate keys): not shown in forms, details or lists. */
  internal?: boolean;
}

export interface AccessSummary {
  create: boolean;
  update: boolean;
  delete: boolean;
  scoped: string[];
  read_only: string[];
  /** May ask writes to override plugins' refusals (?override=true). */
  override?: boolean;
}

export interface ObjectDef {
  title?: string;
  properties: Record<string, { 'x-kizuna': Omit<FieldSpec, 'name'> } & Record<string, unknown>>;
  'x-kizuna': {
    name: string;
    plural?: string;
    label?: LocalizedText;
    plural_label?: LocalizedText;
    description?: LocalizedText;
    icon?: string;
    display_field?: string;
    standard?: boolean;
    version?: number;
  };
  'x-kizuna-access'?: AccessSummary;
}

/** A record a plugin's overridable refusal names (a problem's `matches`). */
export interface OverrideMatch {
  id: string;
  display?: string | null;
  score?: number;
  level?: string;
}

export type RecordData = Record<string, unknown> & { id: string; version: number; created_at: string; updated_at: string };

export interface ListPage {
  data: RecordData[];
  page: { next_cursor: string | null; has_more: boolean; total?: number };
}

export interface User {
  id: string;
  email: string;
  name: string;
  locale: 'en' | 'ja';
  is_admin: boolean;
  roles: string[];
}

export interface Me {
  user: User;
  csrf_token?: string;
}

export type ViewKind = 'list' | 'kanban' | 'detail' | 'form';

export interface SavedView {
  id: string;
  key?: string | null;
  object: string;
  name: LocalizedText;
  kind: ViewKind;
  filter?: Record<string, unknown> | null;
  sort?: string[];
  columns?: string[];
  group_by?: string | null;
  layout?: { sections: { label?: LocalizedText; fields: string[] }[] } | null;
  shared: boolean;
  owner: string | null;
}

export interface PlanStep {
  kind: string;
  object: string;
  field?: string;
  description: string;
  count?: number;
}

/** A change in the record's history (the timeline's original entries; `kind` may be absent). */
export interface TimelineEntry {
  kind?: 'history' | 'change' | undefined;
  id: string;
  action: 'create' | 'update' | 'delete' | 'restore' | 'erase';
  version: number;
  changes: Record<string, unknown>;
  actor: string | null;
  request_id?: string | null;
  /** Why the change happened, when its writer said (a plugin's merge or its undo). */
  note?: LocalizedText | null;
  /** The write overrode plugins' refusals. */
  override?: boolean;
  at: string;
}

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed';

/** A workflow run the record triggered, as the timeline lists it. */
export interface WorkflowRunEntry {
  kind: 'workflow_run';
  run: { id: string; workflow_id: string; workflow_name?: string | null; status: RunStatus; error?: string | null; duration_ms?: number | null };
  at: string;
}

/** A run as GET /api/workflow-runs lists it (the fields the timeline uses). */
export interface WorkflowRun {
  id: string;
  workflow_id: string;
  workflow_name?: string | null;
  status: RunStatus;
  error: string | null;
  duration_ms: number | null;
  created_at: string;
}
