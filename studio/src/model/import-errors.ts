// Import problems in the reader's language. The server answers in English (problem+json):
// known upload refusals are recognised by status and detail, per-field errors by keyword;
// anything unrecognised is shown as the server wrote it, after a translated lead.
import { ApiError, type FieldError } from '../api/client.ts';
import type { FieldSpec } from '../api/types.ts';
import type { MessageKey } from '../composables/useI18n.ts';
import { problemMessage, type Translate } from './record-checks.ts';

// Detail patterns of the upload refusals in platform/imports (detect.ts, rows.ts, service.ts).
const UPLOAD_DETAILS: [RegExp, MessageKey][] = [
  [/header row but no data rows/i, 'import.problem.headerOnly'],
  [/file is empty|has no rows/i, 'import.problem.empty'],
  [/looks binary/i, 'import.problem.binary'],
  [/named \.xlsx but is not/i, 'import.problem.notXlsx'],
  [/columns; an import takes at most/i, 'import.problem.tooManyColumns'],
  [/cannot be read as CSV/i, 'import.problem.unreadableCsv'],
  [/Excel file cannot be read/i, 'import.problem.unreadableXlsx'],
];

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
  for (const [pattern, key] of UPLOAD_DETAILS) if (pattern.test(detail)) return t(key, { detail });
  if (e.status === 422 && e.errors.length)
    return t('import.problem.invalid', { detail: e.errors.map((x) => `${x.field.replace(/^mapping\./, '')}: ${x.message}`).join('; ') });
  return t('import.problem.other', { status: e.status, detail });
}

/**
 * One row error as shown at its cell: relation lookups in our words, everything else by
 * keyword through the record form's own translations (record-checks.ts), so a preview and a
 * form say the same thing about the same value.
 */
export function fieldErrorText(err: FieldError, field: FieldSpec | undefined, t: Translate): string {
  // Relation lookups: "company: no company named "Acme"".
  const lookup = /no (\w+) named "(.*)"$/.exec(err.message);
  if (lookup) return t('import.cell.noTarget', { object: lookup[1], value: lookup[2] });
  if (!err.keyword) return err.message;
  return problemMessage({ field: err.field, keyword: err.keyword, params: {}, message: err.message }, field, t);
}
