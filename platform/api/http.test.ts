import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';

describe.each(databases)('HTTP contract on %s', (kind) => {
  let k: TestKizuna;
  beforeAll(async () => {
    k = await startKizuna(kind, { bodyLimit: 64 * 1024 });
  });
  afterAll(() => k?.close());

  const raw = (path: string, init: RequestInit = {}) => k.app.request(path, init);

  it('answers health without credentials and everything else only with a valid key', async () => {
    const h = await raw('/api/health');
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok', database: kind });
    for (const auth of [undefined, 'Bearer nope', 'Basic abc', `Bearer ${ADMIN_TOKEN}x`]) {
      const r = await raw('/api/records/contact', { headers: auth ? { authorization: auth } : {} });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const body = await r.json();
      expect(body).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(body.request_id).toBeTruthy();
    }
  });

  it('reads an unread request body to its end before answering an error (or says Connection: close)', async () => {
    const streamed = (chunks: number) => {
      let pulled = 0;
      const body = new ReadableStream({
        pull(c) {
          if (pulled++ === chunks) c.close();
          else c.enqueue(new Uint8Array(64 * 1024).fill(0x61));
        },
      });
      return { body, pulled: () => pulled };
    };
    const post = (path: string, body: ReadableStream, headers: Record<string, string> = {}) =>
      raw(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv', ...headers },
        body,
        duplex: 'half',
      } as RequestInit);
    // 1 MiB to an object that does not exist: the 404 comes after the whole body was read.
    const small = streamed(16);
    const r = await post('/api/imports?object=nope', small.body);
    expect(r.status).toBe(404);
    expect(small.pulled()).toBe(17);
    expect(r.headers.get('connection')).toBeNull();
    // Over the drain limit: answered at once, and the connection is not to be reused.
    const big = streamed(1000);
    const cut = await post('/api/imports?object=nope', big.body);
    expect(cut.status).toBe(404);
    expect(cut.headers.get('connection')).toBe('close');
    expect(big.pulled()).toBeLessThan(1000);
  });

  it('issues API keys once, lists them without secrets, and revokes at once', async () => {
    const made = await k.call('POST', '/api/api-keys', { name: 'integration' });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^kz_/);
    expect(made.body.prefix).toBe(made.body.key.slice(0, 10));
    const use = await raw('/api/records/contact?limit=1', { headers: { authorization: `Bearer ${made.body.key}` } });
    expect(use.status).toBe(200);
    const list = await k.call('GET', '/api/api-keys');
    const listed = list.body.data.find((x: { id: string }) => x.id === made.body.id);
    expect(listed).toMatchObject({ name: 'integration', prefix: made.body.prefix });
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    expect(JSON.stringify(list.body)).not.toMatch(/secret|hash/);
    expect((await k.call('DELETE', `/api/api-keys/${made.body.id}`)).status).toBe(204);
    const after = await raw('/api/records/contact?limit=1', { headers: { authorization: `Bearer ${made.body.key}` } });
    expect(after.status).toBe(401);
    expect((await k.call('DELETE', `/api/api-keys/${made.body.id}`)).status).toBe(404);
    expect((await k.call('POST', '/api/api-keys', { name: '' })).status).toBe(422);
  });

  it('answers malformed, oversized and mistyped bodies with 4xx problems', async () => {
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      raw('/api/records/contact', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers }, body });
    expect((await post('{"last_name": ')).status).toBe(400);
    expect((await post('')).status).toBe(400);
    expect((await post('[1,2]')).status).toBe(422);
    expect((await post('"text"')).status).toBe(422);
    expect((await post('null')).status).toBe(422);
    expect((await post('{"last_name":"x"}', { 'content-type': 'text/plain' })).status).toBe(415);
    const big = await post(JSON.stringify({ last_name: 'x', notes: 'あ'.repeat(40000) }));
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('application/problem+json');
    const nul = await post(JSON.stringify({ last_name: 'a\u0000b' }));
    expect(nul.status).toBe(422);
    const long = await post(JSON.stringify({ last_name: 'x'.repeat(256) }));
    expect(long.status).toBe(422);
    expect((await long.json()).errors[0]).toMatchObject({ field: 'last_name', message: 'must be at most 255 characters' });
    const dates = await k.call('POST', '/api/records/case', { subject: 's', due_at: '2026-02-30T10:00:00Z' });
    expect(dates.status).toBe(422);
    const noTz = await k.call('POST', '/api/records/case', { subject: 's', due_at: '2026-02-03T10:00:00' });
    expect(noTz.status).toBe(422);
    const huge = await k.call('POST', '/api/records/company', { name: 'n', employees: 1e12 });
    expect(huge.status).toBe(422);
    const weird = await k.call('POST', '/api/records/company', { name: 'n', website: 'javascript:alert(1)' });
    expect(weird.status).toBe(422);
    expect(
      (await k.call('PATCH', '/api/records/contact/01234567-89ab-7def-8123-456789abcdef', { title: 'x' }, { 'if-match': 'banana' })).status,
    ).toBe(400);
  });

  it('answers unknown routes under /api with a problem 404, never the studio', async () => {
    const r = await k.call('GET', '/api/nothing/here');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('never answers 5xx to a fuzz of hostile inputs', async () => {
    const paths = [
      '/api/records/contact?filter=' + encodeURIComponent('{"score":{"gt":1e400}}'),
      '/api/records/contact?filter=' + encodeURIComponent('{"last_name":{"in":[null]}}'),
      '/api/records/contact?filter=' + encodeURIComponent('{"created_at":{"gt":"yesterday"}}'),
      '/api/records/contact?filter=' + encodeURIComponent('{"id":"x"}'),
      '/api/records/contact?filter=' + encodeURIComponent('{"company.company.company":1}'),
      '/api/records/contact?filter=' + encodeURIComponent(JSON.stringify({ not: { not: { not: { last_name: { is_null: 'yes' } } } } })),
      '/api/records/contact?sort=' + encodeURIComponent('-,+'),
      '/api/records/contact?sort=tags',
      '/api/records/contact?fields=' + encodeURIComponent('"; select 1'),
      '/api/records/contact?limit=1e2',
      '/api/records/contact?cursor=' + Buffer.from('{"s":"-id","v":["x"]}').toString('base64url'),
      '/api/records/contact?q=' + encodeURIComponent('%_\\'),
      '/api/records/contact?count=maybe',
      '/api/records/' + encodeURIComponent('contact;drop'),
      '/api/records/contact/' + encodeURIComponent("' or 1=1 --"),
      '/api/meta/objects/' + encodeURIComponent('../../etc'),
    ];
    for (const p of paths) {
      const r = await k.call('GET', p);
      expect(r.status, `${p} → ${JSON.stringify(r.body)}`).toBeLessThan(500);
      expect(r.status, p).toBeGreaterThanOrEqual(200);
    }
    const bodies: unknown[] = [
      { last_name: { nested: true } },
      { last_name: ['a'] },
      { last_name: 1 },
      { tags: 'vip' },
      { tags: [1] },
      { email: 'a'.repeat(300) + '@x.jp' },
      { company: null, last_name: 'ok' },
      { score: '5' },
      { phone: '電話' },
      { __proto__: { polluted: true }, last_name: 'p' },
      { constructor: 'x', last_name: 'c' },
    ];
    for (const b of bodies) {
      const r = await k.call('POST', '/api/records/contact', JSON.stringify(b));
      expect(r.status, `${JSON.stringify(b)} → ${JSON.stringify(r.body)}`).toBeLessThan(500);
    }
    const cursorFor = (v: unknown) => Buffer.from(JSON.stringify({ s: 'created_at,id', v })).toString('base64url');
    for (const v of [
      ['not a date', null],
      [null, 'not-a-uuid'],
      ['2026-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000'],
    ]) {
      const r = await k.call('GET', `/api/records/contact?sort=created_at&cursor=${cursorFor(v)}`);
      expect(r.status, JSON.stringify(v)).toBeLessThan(500);
    }
  });
});

describe('CORS', () => {
  it('allows only the configured origins, none by default', async () => {
    const open = await startKizuna('pglite');
    const listed = await startKizuna('pglite', { corsOrigins: ['https://crm.example.jp'] });
    try {
      const preflight = (k: TestKizuna, origin: string) =>
        k.app.request('/api/records/contact', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect((await preflight(open, 'https://crm.example.jp')).headers.get('access-control-allow-origin')).toBeNull();
      expect((await preflight(listed, 'https://crm.example.jp')).headers.get('access-control-allow-origin')).toBe('https://crm.example.jp');
      expect((await preflight(listed, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await open.close();
      await listed.close();
    }
  });
});
