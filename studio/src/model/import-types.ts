// Shapes of the /api/imports answers (docs/API.md, "Import and export").
import type { FieldError } from '../api/client.ts';

/** Source column → field name, "$full_name", "$full_name_kana", or null (skipped). */
export type Mapping = Record<string, string | null>;

export type ImportMode = 'all_or_nothing' | 'partial';
export type ImportState = 'uploaded' | 'queued' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';

export interface ImportUpload {
  id: string;
  object: string;
  filename: string | null;
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  size: number;
  columns: string[];
  suggested_mapping: Mapping;
  state: ImportState;
}

export interface ImportOptions {
  mapping: Mapping;
  mode: ImportMode;
  upsert_on?: string[];
  create_missing: string[];
  utc_offset?: string;
}

export interface ImportStatus extends ImportUpload {
  options: ImportOptions | null;
  created_at: string;
  phase?: string | null;
  rows_read?: number;
  rows_written?: number;
  created?: number;
  updated?: number;
  unchanged?: number;
  rows_failed?: number;
  rate?: number;
  eta_seconds?: number | null;
  error?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
}

export interface PreviewRow {
  row: number;
  cells: string[];
  values: Record<string, unknown>;
  errors: FieldError[];
}

export interface Preview {
  mapping: Mapping;
  rows: PreviewRow[];
}

export const isFinished = (state: ImportState) => state === 'succeeded' || state === 'failed' || state === 'cancelled';
