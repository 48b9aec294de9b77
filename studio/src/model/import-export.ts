// The export link of a list view: GET /api/records/{object}/export with the view's filter
// (tokens such as $me resolved now, as the list itself does), q, sort and own columns. A plain
// link: the session cookie goes with a GET, and the browser streams the download to disk.
import { query } from '../api/client.ts';
import type { FieldSpec } from '../api/types.ts';
import type { ListState } from '../composables/useRecordList.ts';
import { resolveFilter } from './filter-values.ts';

export type ExportFormat = 'csv' | 'xlsx';
export type ExportHeader = 'en' | 'ja' | 'api';
export type ExportEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis';

export interface ExportChoice {
  format: ExportFormat;
  header: ExportHeader;
  encoding: ExportEncoding;
}

/** The view's columns that the export can take: the object's own fields (not system ones). */
export function exportColumns(state: ListState, fields: FieldSpec[]): string[] {
  const own = new Set(fields.filter((f) => !f.system).map((f) => f.name));
  return state.columns.filter((c) => own.has(c));
}

export function exportUrl(object: string, state: ListState, fields: FieldSpec[], choice: ExportChoice, me: string | null): string {
  const dateFields = new Set(fields.filter((f) => f.type === 'date').map((f) => f.name));
  const filter = state.filter ? resolveFilter(state.filter, { me, dateFields }) : null;
  return `/api/records/${object}/export${query({
    format: choice.format,
    header: choice.header,
    // An xlsx file has no text encoding of its own to choose.
    encoding: choice.format === 'csv' ? choice.encoding : undefined,
    fields: exportColumns(state, fields).join(',') || undefined,
    filter: filter ? JSON.stringify(filter) : undefined,
    sort: state.sort.join(',') || undefined,
    q: state.q.trim() || undefined,
  })}`;
}
