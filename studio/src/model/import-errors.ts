// Import problems in the reader's language, by what the server names — status, the `file` or
// `encoding` problem's keyword, per-field keywords — never by reading its English words, which
// only follow in English ({detail} in the en messages).
import { ApiError, type FieldError } from '../api/client.ts';
import type { FieldSpec } from '../api/types.ts';
import type { MessageKey } from '../composables/useI18n.ts';
import { problemMessage, type Translate } from './record-checks.ts';

// The keywords of the upload refusals (platform/imports/file-problem.ts, detect.ts).
const UPLOAD_KEYWORDS: Record<string, MessageKey> = {
  'file.no_data_rows': 'import.problem.headerOnly',
  'file.empty': 'import.problem.empty',
  'file.binary': 'import.problem.binary',
  'file.not_xlsx': 'import.problem.notXlsx',
  'file.too_many_columns': 'import.problem.tooManyColumns',
  'file.unreadable_csv': 'import.problem.unreadableCsv',
  'file.unreadable_xlsx': 'import.problem.unreadableXlsx',
  'encoding.jis': 'import.problem.encodingJis',
  'encoding.mismatch': 'import.problem.encodingMismatch',
  'encoding.undetected': 'import.problem.encodingUndetected',
};

/** One sentence for a failed import request (upload, preview, start, cancel). */
export function problemText(e: unknown, t: Translate): string {
  if (!(e instanceof ApiError)) return t('import.problem.network', { detail: e instanceof Error ? e.message : String(e) });
  const detail = e.detail ?? e.title;
  switch (e.status) {
    case 0:
      return t('import.problem.network', { detail });
    case 403:
      return t('import.problem.forbidden');
    case 404:
      return t('import.problem.notFound');
    case 409:
      return t('import.problem.started');
    case 413:
      return t('import.problem.tooLarge');
    case 415:
      return t('import.problem.mediaType');
  }
  const upload = e.errors.map((x) => UPLOAD_KEYWORDS[`${x.field}.${x.keyword}`]).find((k) => k);
  if (upload) return t(upload, { detail });
  if (e.status === 422 && e.errors.length)
    return t('import.problem.invalid', {
      detail: e.errors.map((x) => `${x.field.replace(/^mapping\./, '')}: ${x.message}`).join('; '),
      fields: e.errors.map((x) => x.field.replace(/^mapping\./, '')).join('、'),
    });
  return t('import.problem.other', { status: e.status, detail });
}

/**
 * One row error as shown at its cell: relation lookups in our words, everything else by
 * keyword through the record form's own translations (record-checks.ts), so a preview and a
 * form say the same thing about the same value.
 */
export function fieldErrorText(
  err: FieldError,
  field: FieldSpec | undefined,
  t: Translate,
  objectLabel: (name: string) => string = (name) => name,
): string {
  // Relation and user lookups (platform/imports/lookups.ts): the cell shows the name itself.
  const target = field?.type === 'relation' && field.target ? objectLabel(field.target) : t('import.cell.user');
  if (err.keyword === 'lookup_missing') return t('import.cell.noTarget', { object: target });
  if (err.keyword === 'lookup_ambiguous') return t('import.cell.ambiguousTarget', { object: target });
  if (!err.keyword) return err.message;
  return problemMessage({ field: err.field, keyword: err.keyword, params: {}, message: err.message }, field, t);
}
