import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, databases, startKizuna, type TestKizuna } from '../testing/kizuna.ts';
import { buildOpenApi, pascalName, schemaName } from './openapi.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

const project = {
  name: 'support_ticket',
  label: { en: 'Support ticket', ja: 'サポートチケット' },
  plural: 'support_tickets',
  fields: [
    { name: 'subject', type: 'text', label: { en: 'Subject', ja: '件名' }, required: true },
    {
      name: 'priority',
      type: 'select',
      label: { en: 'Priority', ja: '優先度' },
      required: true,
      default: 'normal',
      options: [
        { value: 'normal', label: { en: 'Normal', ja: '通常' } },
        { value: 'high', label: { en: 'High', ja: '高' } },
      ],
    },
    {
      name: 'tags',
      type: 'multi_select',
      label: { en: 'Tags', ja: 'タグ' },
      options: [{ value: 'billing', label: { en: 'Billing', ja: '請求' } }],
    },
    { name: 'budget', type: 'currency', label: { en: 'Budget', ja: '予算' } },
    { name: 'company', type: 'relation', label: { en: 'Company', ja: '会社' }, target: 'company', inverse: 'support_tickets' },
    { name: 'ticket_no', type: 'autonumber', label: { en: 'No.', ja: '番号' }, format: 'T-{00000}' },
    { name: 'due_on', type: 'date', label: { en: 'Due', ja: '期限' } },
    { name: 'effort', type: 'integer', label: { en: 'Effort', ja: '工数' }, minimum: 0 },
    { name: 'details', type: 'json', label: { en: 'Details', ja: '詳細' } },
  ],
};

type Doc = ReturnType<typeof buildOpenApi>;
const METHODS = ['get', 'post', 'patch', 'put', 'delete'];
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op: op as Record<string, any> })),
  );

/** TypeScript diagnostics of one source file, compiled strictly on its own. */
function diagnostics(dir: string, file: string): string[] {
  const program = ts.createProgram([join(dir, file)], {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: ts.ScriptTarget.ES2022,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('OpenAPI names', () => {
  it('turns snake_case object names into PascalCase, one-to-one', () => {
    expect(pascalName('support_ticket')).toBe('SupportTicket');
    expect(pascalName('contact')).toBe('Contact');
    expect(new Set(['a1', 'a_1', 'a_b', 'ab', 'a__b'].map(pascalName)).size).toBe(5);
  });

  it('keeps object names from colliding with derived and shared names', () => {
    expect(schemaName('contact')).toBe('Contact');
    expect(schemaName('contact_create')).toBe('ContactCreateRecord');
    expect(schemaName('problem')).toBe('ProblemRecord');
    expect(schemaName('health')).toBe('HealthRecord'); // getHealth
  });
});

describe.each(databases)('OpenAPI document on %s', (kind) => {
  let k: TestKizuna;
  let temp: string;
  let doc: Doc;

  beforeAll(async () => {
    k = await startKizuna(kind);
    temp = await mkdtemp(join(tmpdir(), 'kizuna-openapi-'));
    const created = await k.call('POST', '/api/meta/objects', project);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await k.app.request('/api/openapi.json')).status).toBe(401);
    const res = await k.app.request('/api/openapi.json', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(async () => {
    await k?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('is served to a signed-in caller as OpenAPI 3.1 of the live objects', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/records/support_ticket', '/api/records/support_ticket/{id}', '/api/records/contact']),
    );
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['SupportTicket', 'SupportTicketCreate', 'SupportTicketUpdate', 'SupportTicketList', 'Problem']),
    );
    const record = schemas.SupportTicket as any;
    expect(Object.keys(record.properties)).toEqual(
      expect.arrayContaining(['id', 'created_at', 'updated_at', 'version', 'created_by', 'updated_by', 'subject', 'budget']),
    );
    expect(record.properties.company).toMatchObject({ type: ['string', 'null'], format: 'uuid', 'x-kizuna-type': 'relation' });
    for (const suffix of ['', 'Create', 'Update', 'List', 'Bulk']) {
      expect(JSON.stringify(schemas[`SupportTicket${suffix}`]).includes('"x-kizuna"'), suffix).toBe(false);
    }
    // Required without a default → required on create; read-only fields are not writable.
    const create = schemas.SupportTicketCreate as any;
    expect(create.required).toEqual(['subject']);
    expect(create.properties.ticket_no).toBeUndefined();
    expect((schemas.SupportTicketUpdate as any).required).toBeUndefined();
  });

  it('passes redocly lint with no errors or warnings', async () => {
    const file = join(temp, 'openapi.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
    const result = await run('npx', ['redocly', 'lint', file, '--format=json', '--config', join(root, 'redocly.yaml')], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 20 * 1024 * 1024,
    }).catch((e: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`redocly lint exited ${e.code}:\n${e.stdout}\n${e.stderr}`);
    });
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('compiles to TypeScript with openapi-typescript, typed by the custom object', async () => {
    const source = astToString(await openapiTS(structuredClone(doc) as never));
    expect(source).toMatch(/SupportTicket: \{/);
    expect(source).toMatch(/subject\??: string;/);
    expect(source).toContain('listSupportTicket');
    await writeFile(join(temp, 'api.ts'), source);
    expect(diagnostics(temp, 'api.ts')).toEqual([]);
  }, 60_000);

  it('documents every operation once, with problems as they apply', () => {
    const ops = operations(doc);
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'listSupportTicket',
        'createSupportTicket',
        'getSupportTicket',
        'updateSupportTicket',
        'deleteSupportTicket',
        'restoreSupportTicket',
        'bulkSupportTicket',
        'getSupportTicketTimeline',
        'listObjects',
        'createObject',
        'createField',
        'updateField',
        'listApiKeys',
        'createApiKey',
        'deleteApiKey',
        'getHealth',
        'getMe',
      ]),
    );
    const publicPaths = [
      '/api/health',
      '/api/docs',
      '/api/auth/login',
      '/api/auth/setup',
      '/api/auth/password-link',
      '/api/auth/password-link/complete',
    ];
    for (const { path, method, op } of ops) {
      const at = `${method} ${path}`;
      if (publicPaths.includes(path)) {
        expect(op.security, at).toEqual([]);
        continue;
      }
      expect(op.security, at).toBeUndefined(); // the global bearer requirement applies
      expect(op.responses['401'], at).toBeDefined();
      if (op.requestBody) expect(op.responses['422'], at).toBeDefined();
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect((doc.components.responses.ValidationFailed as any).content['application/problem+json']).toBeDefined();
  });

  it('documents every route the server answers', () => {
    // Not in the bearer-secured document: the docs page's assets, the HMAC-signed webhook
    // address, and plugins' own routes (their plugin documents them).
    const undocumented = ['/api/docs/assets/init.js', '/api/docs/assets/{file}', '/api/workflows/hooks/{token}'];
    const documented = new Set(
      operations(doc).map(
        (o) =>
          `${o.method.toUpperCase()} ${o.path.replace(/\/(contact|company|case|campaign|message|support_ticket)(?=\/|$)/, '/{object}')}`,
      ),
    );
    const served = [
      ...new Set(
        (k.app.routes as { method: string; path: string }[])
          .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
          .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/^\/api\/records\/\{object\}/, '/api/records/{object}')}`),
      ),
    ];
    const missing = served.filter(
      (r) =>
        !documented.has(r.replace(/^(\w+) \/api\/records\/\{object\}/, '$1 /api/records/{object}')) &&
        !undocumented.includes(r.split(' ')[1]),
    );
    expect(missing).toEqual([]);
  });

  it('documents every list parameter and the lost-update headers', () => {
    const list = doc.paths['/api/records/support_ticket'].get as any;
    const names = list.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(['filter', 'sort', 'limit', 'cursor', 'fields', 'include', 'q', 'count', 'sum', 'trashed']);
    const filter = list.parameters[0];
    expect(filter.description).toContain('starts_with');
    expect(filter.description).toContain('`company.<field of company>`');
    const include = list.parameters.find((p: { name: string }) => p.name === 'include');
    expect(include.schema.items.enum).toEqual(['company']);

    const item = doc.paths['/api/records/support_ticket/{id}'] as any;
    expect(item.patch.parameters).toContainEqual({ $ref: '#/components/parameters/IfMatch' });
    expect(item.patch.responses['412']).toBeDefined();
    expect(item.get.responses['200'].headers.ETag).toBeDefined();
  });

  it('changes when a field is added, and is built once per metadata version', async () => {
    const snapshot = k.registry.snapshot();
    expect(buildOpenApi(snapshot)).toBe(buildOpenApi(snapshot));
    expect((doc.components.schemas.SupportTicket as any).properties.channel).toBeUndefined();

    const added = await k.call('POST', '/api/meta/objects/support_ticket/fields', {
      name: 'channel',
      type: 'text',
      label: { en: 'Channel', ja: 'チャネル' },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const after = (await (await k.app.request('/api/openapi.json', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as Doc;
    expect((after.components.schemas.SupportTicket as any).properties.channel).toMatchObject({
      type: ['string', 'null'],
      title: 'Channel',
    });
    expect((after.components.schemas.SupportTicketCreate as any).properties.channel).toBeDefined();
    expect(after.info.version).not.toBe(doc.info.version);
    expect(buildOpenApi(k.registry.snapshot())).not.toBe(buildOpenApi(snapshot));
  });

  it('serves the API reference page and its assets without a CDN or credentials', async () => {
    const page = await k.app.request('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const asset = await k.app.request(src[1]);
      expect(asset.status, src[1]).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src[1]).toBeGreaterThan(0);
    }
    expect(await (await k.app.request('/api/docs/assets/init.js')).text()).toContain("url: '/api/openapi.json'");
    const missing = await k.app.request('/api/docs/assets/package.json');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
