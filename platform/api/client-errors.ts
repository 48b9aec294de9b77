// Requests Node's HTTP parser refuses before the app sees them — a request line and headers
// over the limit (a long URL: 431), or bytes that are no HTTP request (400) — answered as
// problem+json with a request id like every other error, instead of Node's bare status line.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { badRequest, ProblemError } from '../problems/index.ts';
import { logEvent } from '../log/index.ts';

/** The limit on the request line plus headers: Node's --max-http-header-size (16 KiB by default). */
export const MAX_HEADER_BYTES = maxHeaderSize;

function problemOf(err: NodeJS.ErrnoException): ProblemError {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return new ProblemError({
      status: 431,
      type: 'headers-too-large',
      title: 'Request header fields too large',
      detail: `The URL and headers together are over ${MAX_HEADER_BYTES} bytes; send long filters in a shorter form (e.g. "in" lists of ids in several requests)`,
    });
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new ProblemError({
      status: 408,
      type: 'request-timeout',
      title: 'Request timeout',
      detail: 'The request was not received in time',
    });
  return badRequest('The request is not valid HTTP');
}

/** Installs the answer on a server from @hono/node-server's serve() or node:http (HTTP/1.1). */
export function answerClientErrors(server: { on(event: 'clientError', listener: (err: Error, socket: Duplex) => void): unknown }): void {
  server.on('clientError', (e: Error, socket: Duplex) => {
    const err = e as NodeJS.ErrnoException;
    // A client that went away, or a socket already answered: nothing to say to anyone.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const problem = problemOf(err);
    const requestId = randomUUID();
    const body = JSON.stringify({ ...problem.toJSON(), request_id: requestId });
    socket.end(
      [
        `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? problem.title}`,
        'Content-Type: application/problem+json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Cache-Control: no-store',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    logEvent({
      level: 'warn',
      msg: 'request refused by the HTTP parser',
      request_id: requestId,
      status: problem.status,
      code: err.code,
    });
  });
}
