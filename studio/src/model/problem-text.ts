// One line for a refused write outside a form (bulk edit, a kanban move): the conflict message
// for a 412, else the first field problem in the person's language (by keyword, as forms show
// them), else the problem's type in their language (problem-types.ts), else the server's own
// words. The checks module (with ajv) is loaded only when needed.
import { ApiError } from '../api/client.ts';
import type { FieldSpec } from '../api/types.ts';
import { problemTypeText } from './problem-types.ts';
import type { Translate } from './record-checks.ts';

export async function problemText(e: unknown, fields: FieldSpec[], t: Translate, labelOf: (f: FieldSpec) => string): Promise<string> {
  if (!(e instanceof ApiError)) return String(e);
  if (e.status === 412) return t('error.conflict');
  if (!e.errors.length) return problemTypeText(e, t);
  const { serverProblems, problemMessage } = await import('./record-checks.ts');
  const first = serverProblems(e.errors)[0];
  const field = fields.find((f) => f.name === first.field);
  return `${field ? `${labelOf(field)}: ` : ''}${problemMessage(first, field, t)}`;
}
