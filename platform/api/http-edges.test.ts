// The HTTP edges a real server shows (issue 13): a request Node refuses before the app (431
// for a URL too long) is problem+json with a request id; API answers are never cached; the
// studio and the API reference page carry a Content-Security-Policy.
import { serve, type ServerType } from '@hono/node-server';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { answerClientErrors, MAX_HEADER_BYTES } from './index.ts';

/** Sends raw bytes and reads the whole answer (the server closes the connection after it). */
function raw(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

describe.each(databases)('HTTP edges on %s', (kind) => {
  let k: TestKizuna;
  let server: ServerType;
  let port: number;
  let studioDir: string;
  beforeAll(async () => {
    studioDir = await mkdtemp(join(tmpdir(), 'kizuna-studio-'));
    await mkdir(join(studioDir, 'assets'));
    await writeFile(
      join(studioDir, 'index.html'),
      '<!doctype html><title>Kizuna</title><script type="module" src="/assets/index-abc123.js"></script>',
    );
    await writeFile(join(studioDir, 'assets/index-abc123.js'), 'console.log(1)');
    k = await startKizuna(kind, { studioDir });
    server = await new Promise<ServerType>((ready) => {
      const s = serve({ fetch: k.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ready(s));
    });
    answerClientErrors(server);
    port = (server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
    await k?.close();
    await rm(studioDir, { recursive: true, force: true });
  });

  it('answers a URL over the header limit with a 431 problem+json carrying a request id', async () => {
    const res = await raw(
      port,
      `GET /api/records/contact?q=${'x'.repeat(MAX_HEADER_BYTES + 1024)} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({
      status: 431,
      type: 'https://kizuna.dev/problems/headers-too-large',
      title: 'Request header fields too large',
    });
    expect(body.detail).toContain(String(MAX_HEADER_BYTES));
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(body.request_id);
  });

  it('answers bytes that are no HTTP request with a 400 problem+json', async () => {
    const res = await raw(port, 'HELLO THERE\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, type: 'https://kizuna.dev/problems/bad-request' });
  });

  it('marks every API answer Cache-Control: no-store — data, problems, unknown routes, the docs page', async () => {
    const get = (path: string, auth = true) =>
      fetch(`http://127.0.0.1:${port}${path}`, { headers: auth ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {} });
    for (const [path, auth, status] of [
      ['/api/health', false, 200],
      ['/api/records/contact', true, 200],
      ['/api/records/contact', false, 401],
      ['/api/records/nope', true, 404],
      ['/api/nothing-here', true, 404],
      ['/api/records/contact?filtr=1', true, 400],
      ['/api/docs', false, 200],
    ] as const) {
      const res = await get(path, auth);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('cache-control'), `${path} ${status}`).toBe('no-store');
      await res.arrayBuffer();
    }
    // The OpenAPI document keeps its own (revalidated per caller), hashed studio assets are long-lived.
    expect((await get('/api/openapi.json')).headers.get('cache-control')).toBe('private, no-cache');
    expect((await get('/assets/index-abc123.js', false)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('serves the studio and the API reference page with a Content-Security-Policy that allows only our own scripts and styles, nothing inline', async () => {
    for (const path of ['/', '/o/contact', '/api/docs']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self'( 'unsafe-eval')?;/);
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/unsafe-inline/);
      await res.arrayBuffer();
    }
  });
});
