// Shapes of the /api/imports answers, from the generated OpenAPI types (openapi.d.ts: `npm
// run studio:api-types`). Where the document is looser than what the server sends, a short
// commented narrowing says why; nothing here is copied from the server.
import type { components } from '../api/openapi.d.ts';

type Schemas = components['schemas'];

/** Source column → field name, "$full_name", "$full_name_kana", or null (skipped). */
export type Mapping = Schemas['ImportMapping'];

export type ImportMode = Schemas['ImportStart']['mode'];
export type ImportState = Schemas['ImportStatus']['state'];

/** What the start sent, as the status repeats it (the document leaves `options` an open object). */
export type ImportOptions = Pick<Schemas['ImportStart'], 'mode' | 'upsert_on' | 'utc_offset'> & {
  mapping: Mapping;
  create_missing: string[];
};

/** An upload's answer; the studio keeps the import's later states in it too. */
export type ImportUpload = Omit<Schemas['ImportUpload'], 'state'> & { state: ImportState };

export type ImportStatus = Omit<Schemas['ImportStatus'], 'options'> & { options: ImportOptions | null };

/** A previewed row: `values` are the field values as they would be written (any JSON). */
export type PreviewRow = Omit<Schemas['ImportPreview']['rows'][number], 'values'> & { values: Record<string, unknown> };

export interface Preview {
  mapping: Mapping;
  rows: PreviewRow[];
}

export const isFinished = (state: ImportState) => state === 'succeeded' || state === 'failed' || state === 'cancelled';
