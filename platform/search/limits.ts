// The inputs of search, recent items and assigned records, checked once: bad input is a 400
// naming the parameter and the reason.
import { badRequest } from '../problems/index.ts';

/** The longest query (the records list's `q` has the same bound). */
export const MAX_QUERY = 200;

/** A search query: trimmed, 1–200 characters, no NUL. */
export function parseQuery(q: string | undefined): string {
  const t = q?.trim() ?? '';
  if (!t) throw badRequest('q is required: the text to search for', [{ field: 'q', message: 'must not be empty' }]);
  if ([...t].length > MAX_QUERY)
    throw badRequest(`q is too long (at most ${MAX_QUERY} characters)`, [{ field: 'q', message: `at most ${MAX_QUERY} characters` }]);
  if (t.includes('\u0000'))
    throw badRequest('q must not contain NUL characters', [{ field: 'q', message: 'must not contain NUL characters' }]);
  return t;
}

/** A whole number `limit` from 1 to max, or the default when not given. */
export function parseLimit(v: string | undefined, fallback: number, max: number, name = 'limit'): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d{1,4}$/.test(v) || n < 1 || n > max)
    throw badRequest(`${name} must be a whole number from 1 to ${max}`, [{ field: name, message: `must be 1–${max}` }]);
  return n;
}
