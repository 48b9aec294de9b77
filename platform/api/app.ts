// The HTTP surface: /api routes behind bearer auth, problem+json errors, and the studio.
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ApiKeyStore } from '../auth/index.ts';
import type { Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import type { RecordService } from '../records/index.ts';
import { notFound, unauthorized } from '../problems/index.ts';
import type { AppEnv } from './env.ts';
import { onError } from './errors.ts';
import { keyRoutes } from './key-routes.ts';
import { metaRoutes } from './meta-routes.ts';
import { recordRoutes } from './record-routes.ts';
import { docsRoutes } from './docs.ts';

export interface AppDeps {
  db: Database;
  registry: Registry;
  records: RecordService;
  keys: ApiKeyStore;
  bodyLimit?: number;
  /** Built studio folder to serve at /; none → API only. */
  studioDir?: string;
}

export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

export function createApp(deps: AppDeps) {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = new Hono<AppEnv>();
  app.onError(onError);

  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id');
    c.set('requestId', given && /^[\w.:-]{1,100}$/.test(given) ? given : crypto.randomUUID());
    await next();
    c.header('x-request-id', c.get('requestId'));
    c.header('x-content-type-options', 'nosniff');
  });

  app.get('/api/health', (c) =>
    c.json({ status: 'ok', database: deps.db.kind, metadata_version: deps.registry.snapshot().version }),
  );
  app.route('/api', docsRoutes({ registry: deps.registry }));

  app.use('/api/*', async (c, next) => {
    const header = c.req.header('authorization');
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw unauthorized(header ? 'Authorization must be "Bearer <api key>"' : undefined);
    c.set('principal', await deps.keys.verify(m[1]));
    await next();
  });

  app.get('/api/auth/me', (c) => {
    const p = c.get('principal');
    return c.json({ user: { id: p.userId, email: p.email, is_admin: p.isAdmin }, api_key_id: p.keyId ?? null });
  });
  app.route('/api/meta', metaRoutes({ registry: deps.registry, bodyLimit }));
  app.route('/api/records', recordRoutes({ records: deps.records, bodyLimit }));
  app.route('/api/api-keys', keyRoutes({ keys: deps.keys }));
  app.all('/api/*', (c) => {
    throw notFound(`No route ${c.req.method} ${c.req.path}`);
  });

  if (deps.studioDir) mountStudio(app, deps.studioDir);
  return app;
}

function mountStudio(app: Hono<AppEnv>, dir: string) {
  const root = relative(process.cwd(), dir) || '.';
  app.use('/assets/*', serveStatic({ root }));
  app.get('/assets/*', (c) => c.text('Not found', 404));
  app.use('*', serveStatic({ root }));
  let index: Promise<string> | undefined;
  app.get('*', async (c) => c.html(await (index ??= readFile(join(dir, 'index.html'), 'utf8'))));
}

export type App = ReturnType<typeof createApp>;
