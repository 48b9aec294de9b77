// The API's own documentation, public: /api/openapi.json (generated from the live metadata)
// and /api/docs, an interactive reference (Swagger UI) served from node_modules, so it works
// offline and without any CDN.
import { Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MetadataSnapshot, Registry } from '../metadata/index.ts';
import { notFound } from '../problems/index.ts';
import type { AppEnv } from '../plugins/index.ts';
import { buildOpenApi } from './openapi.ts';
import { withPluginRoutes } from './openapi-plugins.ts';
import type { PluginHost } from '../plugins/index.ts';
import { snapshotFor } from '../query/index.ts';

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files the page needs (and their source maps, for devtools); nothing else is served. */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui.css.map': 'application/json',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-bundle.js.map': 'application/json',
  'favicon-32x32.png': 'image/png',
};

// The start-up script is a file rather than inline, so a strict Content-Security-Policy
// (script-src 'self') can be added later without touching the page.
const INIT_JS = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#api-reference',
    deepLinking: true,
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
    showExtensions: true,
    tryItOutEnabled: false,
    // The document is per caller: the studio's session cookie goes along on its own; an API
    // key the studio stored is sent as a bearer token.
    requestInterceptor: (req) => {
      const key = localStorage.getItem('kizuna.apiKey');
      if (key && !req.headers.Authorization) req.headers.Authorization = 'Bearer ' + key;
      return req;
    },
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kizuna API reference</title>
  <link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="api-reference"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/assets/init.js"></script>
</body>
</html>
`;

/** GET /api/openapi.json behind authentication: the document as this caller may use the API. */
export function openApiRoutes({ registry, plugins }: { registry: Registry; plugins?: PluginHost }) {
  const app = new Hono<AppEnv>();
  // Serialized once per (caller, metadata snapshot, enabled plugins, admin or not), like the document itself.
  const serialized = new WeakMap<MetadataSnapshot, Map<string, string>>();
  app.get('/openapi.json', (c) => {
    const snapshot = snapshotFor(registry.snapshot(), c.get('actor').access);
    const isAdmin = c.get('principal').isAdmin;
    const key = `${plugins?.generation() ?? 0}:${isAdmin}`;
    let byKey = serialized.get(snapshot);
    if (!byKey) serialized.set(snapshot, (byKey = new Map()));
    let text = byKey.get(key);
    if (text === undefined) {
      const doc = plugins ? withPluginRoutes(buildOpenApi(snapshot), plugins.routes(), isAdmin) : buildOpenApi(snapshot);
      byKey.set(key, (text = JSON.stringify(doc)));
    }
    c.header('content-type', 'application/json; charset=utf-8');
    c.header('cache-control', 'private, no-cache');
    return c.body(text);
  });
  return app;
}

/** The reference page and its assets: public (the document it loads is not). */
export function docsRoutes() {
  const app = new Hono<AppEnv>();
  const files = new Map<string, Promise<Buffer>>();

  app.get('/docs', (c) => c.html(PAGE));

  app.get('/docs/assets/init.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(INIT_JS);
  });

  app.get('/docs/assets/:file', async (c) => {
    const name = c.req.param('file');
    const type = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!type) throw notFound(`No docs asset named "${name}"`);
    let file = files.get(name);
    if (!file) {
      file = readFile(join(swaggerDir, name));
      files.set(name, file);
      file.catch(() => files.delete(name));
    }
    c.header('content-type', type);
    c.header('cache-control', 'public, max-age=3600');
    return c.body(new Uint8Array(await file));
  });

  return app;
}
