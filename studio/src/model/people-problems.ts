// A refusal from the people and account routes in the reader's language: the problem's
// `type` (problem-types.ts) for the whole, and per field a message chosen by the type and the
// field it names — never by reading the server's English words.
import { ApiError } from '../api/client.ts';
import type { MessageKey } from '../composables/useI18n.ts';
import { problemCode, problemTypeText } from './problem-types.ts';
import type { Translate } from './record-checks.ts';

const FIELD_MESSAGES: Record<string, Partial<Record<string, MessageKey>>> = {
  validation: {
    email: 'people.problem.email',
    name: 'people.problem.name',
    password: 'people.problem.password',
    new_password: 'people.problem.password',
    token: 'people.problem.token',
  },
  conflict: {
    email: 'people.problem.emailTaken',
    name: 'people.problem.nameTaken',
    password: 'people.problem.hasPassword',
    active: 'people.problem.inactive',
  },
  forbidden: { active: 'people.problem.self', is_admin: 'people.problem.self' },
};

export interface PeopleProblem {
  message: string;
  /** A message per input the server named. */
  fields: Record<string, string>;
}

export function peopleProblem(e: unknown, t: Translate): PeopleProblem {
  if (!(e instanceof ApiError)) return { message: String(e), fields: {} };
  const code = problemCode(e) ?? '';
  const fields: Record<string, string> = {};
  for (const p of e.errors) {
    const key = FIELD_MESSAGES[code]?.[p.field];
    fields[p.field] = key ? t(key) : t('people.problem.field');
  }
  return { message: problemTypeText(e, t), fields };
}
