// The one place errors become HTTP responses: problem+json, with the request id, and
// nothing internal leaked for faults that are ours.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { dbErrorOf } from '../db/index.ts';
import { badRequest, isProblem, ProblemError } from '../problems/index.ts';
import type { AppEnv } from '../plugins/index.ts';
import { log, logEvent, type Logger } from '../log/index.ts';

/** The request's logger (set first thing by the app; an error before that gets one here). */
const requestLog = (c: Context<AppEnv>): Logger => c.get('log') ?? log.child({ request_id: c.get('requestId') });

export function problemResponse(c: Context<AppEnv>, p: ProblemError): Response {
  const body = { ...p.toJSON(), instance: c.req.path, request_id: c.get('requestId') };
  // A 413 answers before the body was read to its end: the connection cannot carry another
  // request after it, so the client is told not to reuse it (else its next request hangs up).
  const close: Record<string, string> = p.status === 413 ? { connection: 'close' } : {};
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: {
      'content-type': 'application/problem+json; charset=utf-8',
      'x-request-id': c.get('requestId') ?? '',
      ...close,
      ...p.headers,
    },
  });
}

/** The most of an unread request body read (and dropped) before answering an error. */
const DRAIN_BYTES = 8 * 1024 * 1024;
const DRAIN_MS = 2000;

/**
 * An error answered before the request body was read (an unknown object, a bad parameter, a
 * missing key) would close the socket under a client still sending, and many clients (Node's
 * http among them) then report a broken pipe instead of the answer. So a body of moderate size
 * is read to its end first; a larger or slower one is cut, and the answer says `Connection:
 * close`.
 */
async function drained(c: Context<AppEnv>): Promise<boolean> {
  const req = c.req.raw;
  if (!req.body || req.bodyUsed) return true;
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > DRAIN_BYTES) return false;
  const reader = req.body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), DRAIN_MS)));
  let read = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late') return false;
      if (next.done) return true;
      read += next.value.byteLength;
      if (read > DRAIN_BYTES) return false;
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}

export async function onError(err: Error, c: Context<AppEnv>): Promise<Response> {
  const response = answer(err, c);
  if (response.status !== 413 && !(await drained(c))) response.headers.set('connection', 'close');
  return response;
}

function answer(err: Error, c: Context<AppEnv>): Response {
  if (isProblem(err)) return problemResponse(c, err);
  if (err instanceof HTTPException) {
    const status = err.status;
    return problemResponse(
      c,
      new ProblemError({
        status,
        type: status === 413 ? 'too-large' : 'bad-request',
        title: status === 413 ? 'Payload too large' : 'Bad request',
        detail: err.message,
      }),
    );
  }
  // A data exception (22xxx) can only come from a value the client sent that slipped past
  // validation (say 2026-02-30 in a cursor): the client's 400, logged so we tighten the check.
  const db = dbErrorOf(err);
  if (db?.code?.startsWith('22')) {
    logEvent(
      { level: 'warn', msg: 'data exception from request value', path: c.req.path, code: db.code, error: db.message },
      requestLog(c),
    );
    return problemResponse(c, badRequest(`A value in the request does not fit its field: ${db.message}`));
  }
  logEvent(
    {
      level: 'error',
      msg: 'unhandled error',
      method: c.req.method,
      path: c.req.path,
      error: String(err?.stack ?? err),
      cause: err?.cause ? String((err.cause as Error).message ?? err.cause) : undefined,
    },
    requestLog(c),
  );
  return problemResponse(
    c,
    new ProblemError({
      status: 500,
      type: 'internal',
      title: 'Internal server error',
      detail: `Something went wrong on our side; quote request id ${c.get('requestId')} when reporting it`,
    }),
  );
}
