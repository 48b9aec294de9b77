// The export link of a list view: GET /api/records/{object}/export with the view's filter
// (tokens such as $me resolved now, as the list itself does), q and sort, and the columns
// chosen: those shown, all fields, or a saved view's. A plain link: the session cookie goes
// with a GET, and the browser streams the download to disk.
import { query } from '../api/client.ts';
import type { FieldSpec, SavedView } from '../api/types.ts';
import type { ListState } from '../composables/useRecordList.ts';
import { resolveFilter } from './filter-values.ts';

export type ExportFormat = 'csv' | 'xlsx';
export type ExportHeader = 'en' | 'ja' | 'api';
export type ExportEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis';
export type ExportRelations = 'names' | 'ids';

export interface ExportChoice {
  format: ExportFormat;
  header: ExportHeader;
  encoding: ExportEncoding;
  relations: ExportRelations;
  /** The fields to export, in order; null: every field the reader may read. */
  columns: string[] | null;
}

/** The columns that the export can take: the object's own fields (not system ones), in the order given. */
export function exportColumns(columns: string[], fields: FieldSpec[]): string[] {
  const own = new Set(fields.filter((f) => !f.system).map((f) => f.name));
  return columns.filter((c) => own.has(c));
}

/** Saved views whose columns can be exported (a kanban or detail layout has none of its own). */
export function columnSets(views: SavedView[], fields: FieldSpec[]): SavedView[] {
  return views.filter((v) => v.kind === 'list' && exportColumns(v.columns ?? [], fields).length > 0);
}

export function exportUrl(object: string, state: ListState, fields: FieldSpec[], choice: ExportChoice, me: string | null): string {
  const dateFields = new Set(fields.filter((f) => f.type === 'date').map((f) => f.name));
  const filter = state.filter ? resolveFilter(state.filter, { me, dateFields }) : null;
  return `/api/records/${object}/export${query({
    format: choice.format,
    header: choice.header,
    // An xlsx file has no text encoding of its own to choose.
    encoding: choice.format === 'csv' ? choice.encoding : undefined,
    // Names are the server's default.
    relations: choice.relations === 'ids' ? 'ids' : undefined,
    fields: choice.columns ? exportColumns(choice.columns, fields).join(',') || undefined : undefined,
    filter: filter ? JSON.stringify(filter) : undefined,
    sort: state.sort.join(',') || undefined,
    q: state.q.trim() || undefined,
  })}`;
}
