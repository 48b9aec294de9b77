// The server's problem `type` codes (problem+json `type`: https://kizuna.dev/problems/<code>,
// built in platform/problems) in the reader's language, for errors shown without a better
// message of their own. The codes are stable; plugins may add their own (dedupe's `duplicate`),
// and a code not listed here falls back to the server's English words.
import type { ApiError } from '../api/client.ts';
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

/** The problem in the reader's language with the server's detail after it, or the server's own words for an unknown code. */
export function problemTypeText(e: ApiError, t: Translate): string {
  const code = problemCode(e);
  const key = code === undefined ? undefined : MESSAGES[code];
  if (!key) return e.message;
  return e.detail ? t('problem.withDetail', { message: t(key), detail: e.detail }) : t(key);
}
