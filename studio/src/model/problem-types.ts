// The server's problem `type` codes (problem+json `type`: https://kizuna.dev/problems/<code>,
// built in platform/problems) in the reader's language, for errors shown without a better
// message of their own. The codes are stable; plugins may add their own (dedupe's `duplicate`).
// Never match the server's English `detail` or `title`: it is for people reading English logs.
import { ApiError } from '../api/client.ts';
import type { MessageKey } from '../composables/useI18n.ts';
import type { Translate } from './record-checks.ts';

const PREFIX = 'https://kizuna.dev/problems/';

const MESSAGES: Record<string, MessageKey> = {
  'bad-request': 'problem.badRequest',
  unauthorized: 'problem.unauthorized',
  forbidden: 'problem.forbidden',
  'not-found': 'problem.notFound',
  conflict: 'problem.conflict',
  'precondition-failed': 'error.conflict',
  'too-large': 'problem.tooLarge',
  'unsupported-media-type': 'problem.unsupportedMediaType',
  validation: 'problem.validation',
  'too-many-requests': 'problem.tooManyRequests',
  'request-timeout': 'problem.requestTimeout',
  'headers-too-large': 'problem.headersTooLarge',
  internal: 'problem.internal',
  'plugin-error': 'problem.pluginError',
  'plugin-invalid': 'problem.pluginInvalid',
  'plugin-unavailable': 'problem.pluginUnavailable',
  'plugin-timeout': 'problem.pluginTimeout',
  duplicate: 'problem.duplicate',
  'link-used': 'problem.linkUsed',
  'link-expired': 'problem.linkExpired',
  'link-revoked': 'problem.linkRevoked',
};

/** The code of a problem (`plugin-error`), or undefined for a body without a Kizuna problem type. */
export function problemCode(e: ApiError): string | undefined {
  const type = e.body.type;
  return typeof type === 'string' && type.startsWith(PREFIX) ? type.slice(PREFIX.length) : undefined;
}

/** The message key of a problem code, or undefined for one the studio has no words for. */
export const problemKey = (code: string | undefined): MessageKey | undefined => (code === undefined ? undefined : MESSAGES[code]);

/** Every code with words of its own (the catalogue test checks the server emits no other). */
export const knownProblemCodes = (): string[] => Object.keys(MESSAGES);

/** The type's words alone (a heading: the records it names are listed below it), else the server's title. */
export function problemHeadline(e: ApiError, t: Translate): string {
  const key = problemKey(problemCode(e));
  return key ? t(key) : t('problem.unknown', { title: e.title, status: e.status });
}

/**
 * The problem in the reader's language. The server's detail is English: it follows the message
 * in English only (ja's `problem.withDetail` leaves it out), so a Japanese reader never sees it.
 * A code without words of its own: the server's title in English, the status in Japanese.
 */
export function problemTypeText(e: ApiError, t: Translate): string {
  const key = problemKey(problemCode(e));
  if (!key) return t('problem.unknown', { title: e.message, status: e.status });
  return e.detail ? t('problem.withDetail', { message: t(key), detail: e.detail }) : t(key);
}

/**
 * One line for any refusal where no field list is at hand (dialogs, toasts): the type's words,
 * and the first field the server named (with its English words in English only); `nameOf`
 * gives that field (or object) the name the reader knows it by, where the caller can.
 */
export function problemLine(e: unknown, t: Translate, nameOf: (field: string) => string = (f) => f): string {
  if (!(e instanceof ApiError)) return t('problem.network', { detail: e instanceof Error ? e.message : String(e) });
  const first = e.errors[0];
  if (!first) return problemTypeText(e, t);
  const key = problemKey(problemCode(e));
  const message = key ? t(key) : t('problem.unknown', { title: e.title, status: e.status });
  return t('problem.withField', { message, field: nameOf(first.field), detail: first.message });
}
