// Request bodies: JSON only, bounded, and a malformed one is the client's 400, not our 500.
import type { Context } from 'hono';
import { badRequest, tooLarge, ProblemError } from '../problems/index.ts';
import type { AppEnv } from '../plugins/index.ts';

export async function readJson(c: Context<AppEnv>, limit: number): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(`The body is ${declared} bytes; the limit is ${limit}`);
  const type = c.req.header('content-type') ?? '';
  if (type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new ProblemError({
      status: 415,
      type: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail: 'Send the body as application/json',
    });
  }
  const reader = c.req.raw.body?.getReader();
  if (!reader) throw badRequest('A JSON body is required');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`The body is over the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw badRequest('A JSON body is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`The body is not valid JSON: ${(e as Error).message}`);
  }
  if (nestedDeeperThan(value, MAX_DEPTH)) throw badRequest(`The body is nested too deeply (at most ${MAX_DEPTH} levels)`);
  return value;
}

/** No request needs more; every recursive walk behind the routes (validators, hooks, NUL checks) is safe below it. */
const MAX_DEPTH = 64;

/** Iterative, so a hostile body cannot overflow the stack while it is being measured. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Query flags such as ?dry_run=true: anything but true/false is a 400. */
export function flag(c: Context<AppEnv>, name: string): boolean {
  const v = c.req.query(name);
  if (v === undefined || v === 'false' || v === '0' || v === '') return false;
  if (v === 'true' || v === '1') return true;
  throw badRequest(`${name} must be true or false`, [{ field: name, message: 'must be true or false' }]);
}

export function onlyParams(c: Context<AppEnv>, allowed: string[]): void {
  const given = c.req.queries();
  const unknown = Object.keys(given).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw badRequest(
      `Unknown query parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      unknown.map((k) => ({ field: k, message: `is not a parameter of this route (known: ${allowed.join(', ') || 'none'})` })),
    );
  }
  // No parameter takes several values: a repeated one is a mistake, not a choice between them.
  const repeated = Object.keys(given).filter((k) => given[k].length > 1);
  if (repeated.length)
    throw badRequest(
      `${repeated.join(', ')} ${repeated.length > 1 ? 'are' : 'is'} given more than once`,
      repeated.map((k) => ({ field: k, message: 'is given more than once' })),
    );
}

/**
 * onlyParams, and no parameter given empty: `?delimiter=` is a mistake (a form field left
 * blank), not a request for the default, and further down it would meet code that treats ''
 * as a value (an encoding named '', a delimiter of no characters).
 */
export function onlyFilledParams(c: Context<AppEnv>, allowed: string[], filled = allowed): void {
  onlyParams(c, allowed);
  const given = c.req.queries();
  const empty = Object.keys(given).filter((k) => filled.includes(k) && given[k][0] === '');
  if (empty.length)
    throw badRequest(
      `${empty.join(', ')} ${empty.length > 1 ? 'are' : 'is'} empty; leave ${empty.length > 1 ? 'them' : 'it'} out for the default`,
      empty.map((k) => ({ field: k, message: 'is empty' })),
    );
}
