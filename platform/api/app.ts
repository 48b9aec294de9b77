// The HTTP surface: /api routes behind bearer keys or session cookies, problem+json errors,
// secure headers, and the studio.
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { serveStatic } from '@hono/node-server/serve-static';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  createPasswordLinks,
  SESSION_COOKIE,
  type ApiKeyStore,
  type PeopleStore,
  type Principal,
  type SessionStore,
} from '../auth/index.ts';
import type { Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { accessFor } from '../query/index.ts';
import type { RecordService } from '../records/index.ts';
import { forbidden, notFound, unauthorized } from '../problems/index.ts';
import { authRoutes, publicAuthRoutes } from './auth-routes.ts';
import { docsRoutes, openApiRoutes } from './docs.ts';
import type { AppEnv } from '../plugins/index.ts';
import { onError } from './errors.ts';
import { noStore } from './no-store.ts';
import { keyRoutes } from './key-routes.ts';
import { metaRoutes } from './meta-routes.ts';
import { auditRoutes, directoryRoutes, roleRoutes, teamRoutes, userRoutes } from './people-routes.ts';
import { recordRoutes } from './record-routes.ts';
import { exportRoutes, importRoutes } from './import-routes.ts';
import type { ImportService } from '../imports/index.ts';
import { pluginRoutes } from './plugin-routes.ts';
import type { PluginHost } from '../plugins/index.ts';
import { viewRoutes } from './view-routes.ts';
import { assignedRoutes, recentItemRoutes, searchRoutes } from './search-routes.ts';
import { meRoutes } from './me-routes.ts';
import { recordTimelineRoutes, workflowHookRoutes, workflowRoutes, workflowRunRoutes } from './workflow-routes.ts';
import { createMailer, type WorkflowEngine } from '../workflow/index.ts';
import { passwordLinkRoutes } from './link-routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { log, logEvent } from '../log/index.ts';

export interface AppDeps {
  db: Database;
  registry: Registry;
  records: RecordService;
  keys: ApiKeyStore;
  people: PeopleStore;
  sessions: SessionStore;
  plugins: PluginHost;
  imports: ImportService;
  workflows: WorkflowEngine;
  /** Largest import upload in bytes (default 1 GiB). */
  importLimit?: number;
  bodyLimit?: number;
  /** Built studio folder to serve at /; none → API only. */
  studioDir?: string;
  /** Origins allowed to call the API from a browser (none by default). */
  corsOrigins?: string[];
  secureCookies?: boolean;
  /** One JSON log line per request. */
  logRequests?: boolean;
  /** SMTP server for invitations and password links (KIZUNA_SMTP_URL); unset → links are shown to the admin once. */
  smtpUrl?: string;
  /** Their sender (KIZUNA_SMTP_FROM). */
  mailFrom?: string;
}

/**
 * One policy for the studio, the API reference page (/api/docs) and the API: scripts and styles
 * only from our own files (Vite builds no inline script or style; the docs page loads its
 * init.js), no plugins, no framing, requests only to this origin. Vue, Vue Flow and Swagger UI
 * set styles through the DOM (element.style), which a policy does not restrict, so no
 * 'unsafe-inline' is needed — checked in chromium by studio/e2e/csp.test.ts, and every browser
 * test counts a violation as a page error.
 * 'unsafe-eval' stays for now: the studio's form checks compile the object's JSON Schema with
 * ajv in the browser (studio/src/model/record-checks.ts), which generates code. Injected
 * markup still cannot run a script. Serving ajv's standalone validators as files from the
 * server would let it go.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'unsafe-eval'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
export const DEFAULT_IMPORT_LIMIT = 1024 * 1024 * 1024;
/** Every connection busy with others queued this long: health says "degraded" (503). */
const SATURATED_MS = 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApp(deps: AppDeps) {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const links = createPasswordLinks({ db: deps.db, sessions: deps.sessions });
  const mailer = deps.smtpUrl ? createMailer(deps.smtpUrl) : undefined;
  const app = new Hono<AppEnv>();
  app.onError(onError);

  app.use('*', async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    c.set('requestId', given && /^[\w.:-]{1,100}$/.test(given) ? given : crypto.randomUUID());
    c.set('log', log.child({ request_id: c.get('requestId') }));
    // Set before next(): a header added to a finished response makes Hono rebuild it.
    c.header('x-request-id', c.get('requestId'));
    await next();
    if (deps.logRequests) {
      logEvent(
        {
          level: 'info',
          msg: 'request',
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
          user: c.get('principal')?.userId,
        },
        c.get('log'),
      );
    }
  });
  app.use('*', secureHeaders({ crossOriginEmbedderPolicy: false, contentSecurityPolicy: CONTENT_SECURITY_POLICY }));
  app.use('/api/*', noStore());
  if (deps.corsOrigins?.length) {
    app.use(
      '/api/*',
      cors({
        origin: deps.corsOrigins,
        credentials: true,
        allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'X-CSRF-Token', 'X-Request-Id'],
        exposeHeaders: ['ETag', 'X-Request-Id', 'Location'],
      }),
    );
  }

  app.get('/api/health', (c) => {
    // Read from counters, never from the database: a saturated pool must not make the health
    // check wait in the same queue it reports on.
    const pool = deps.db.pool();
    const saturated = pool.waiting > 0 && pool.saturatedMs >= SATURATED_MS;
    const body = {
      status: saturated ? 'degraded' : 'ok',
      database: deps.db.kind,
      metadata_version: deps.registry.snapshot().version,
      pool: { size: pool.size, busy: pool.busy, waiting: pool.waiting },
      ...(saturated && {
        reason: `all ${pool.size} database connection${pool.size > 1 ? 's are' : ' is'} in use and ${pool.waiting} waiting for one, for ${Math.round(pool.saturatedMs / 1000)} s`,
      }),
    };
    return c.json(body, saturated ? 503 : 200);
  });
  app.route('/api', docsRoutes());
  app.route('/api/auth', publicAuthRoutes(deps));
  app.route('/api/auth/password-link', passwordLinkRoutes({ links, secureCookies: deps.secureCookies }));
  app.route('/api/workflows/hooks', workflowHookRoutes({ workflows: deps.workflows, bodyLimit }));

  app.use('/api/*', async (c, next) => {
    const principal = await authenticate(c, deps);
    c.set('principal', principal);
    const caller = await deps.people.callerFor(principal);
    c.set('actor', {
      actor: principal.userId,
      requestId: c.get('requestId'),
      via: principal.keyId ? `key:${principal.keyId}` : `session:${principal.sessionId!.slice(0, 12)}`,
      // An admin without a narrowing key role has no conditions to apply: skip the work.
      access: principal.isAdmin && !principal.role ? undefined : accessFor(caller),
    });
    await next();
  });

  app.route('/api', openApiRoutes({ registry: deps.registry, plugins: deps.plugins }));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api/auth/sessions', sessionRoutes(deps));
  app.route('/api/meta', metaRoutes({ registry: deps.registry, bodyLimit }));
  // Before the record routes, or GET /api/records/contact/export would read record "export".
  app.route('/api/records', exportRoutes({ records: deps.records, registry: deps.registry, db: deps.db }));
  app.route('/api/imports', importRoutes({ imports: deps.imports, importLimit: deps.importLimit ?? DEFAULT_IMPORT_LIMIT, bodyLimit }));
  // Before the record routes: the timeline merges the workflow runs a record triggered.
  app.route(
    '/api/records',
    recordTimelineRoutes({ db: deps.db, records: deps.records, registry: deps.registry, workflows: deps.workflows }),
  );
  app.route('/api/records', recordRoutes({ records: deps.records, bodyLimit }));
  app.route('/api/api-keys', keyRoutes({ keys: deps.keys, people: deps.people }));
  app.route('/api/users', userRoutes({ ...deps, links, mailer, mailFrom: deps.mailFrom ?? 'kizuna@localhost' }));
  app.route('/api/people', directoryRoutes(deps));
  app.route('/api/teams', teamRoutes(deps));
  app.route('/api/roles', roleRoutes(deps));
  app.route('/api/audit', auditRoutes(deps));
  app.route('/api/plugins', pluginRoutes({ plugins: deps.plugins, bodyLimit }));
  app.route('/api/views', viewRoutes({ db: deps.db, registry: deps.registry, bodyLimit }));
  app.route('/api/search', searchRoutes({ ...deps, bodyLimit }));
  app.route('/api/recent-items', recentItemRoutes({ ...deps, bodyLimit }));
  app.route('/api/assigned-records', assignedRoutes({ ...deps, bodyLimit }));
  app.route('/api/auth/me', meRoutes(deps));
  app.route('/api/workflows', workflowRoutes({ workflows: deps.workflows, bodyLimit, registry: deps.registry }));
  app.route('/api/workflow-runs', workflowRunRoutes({ workflows: deps.workflows, bodyLimit, registry: deps.registry }));
  app.all('/api/*', (c) => {
    throw notFound(`No route ${c.req.method} ${c.req.path}`);
  });

  if (deps.studioDir) mountStudio(app, deps.studioDir);
  return app;
}

/** A bearer API key, or a session cookie (with its CSRF token on unsafe methods). */
async function authenticate(c: Context<AppEnv>, deps: AppDeps): Promise<Principal> {
  const header = c.req.header('authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized('Authorization must be "Bearer <api key>"');
    return deps.keys.verify(m[1]);
  }
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) throw unauthorized();
  const session = await deps.sessions.verify(token);
  if (!session) throw unauthorized('The session has ended; sign in again');
  if (!SAFE_METHODS.has(c.req.method) && c.req.header('x-csrf-token') !== session.csrfToken) {
    throw forbidden('A cookie session needs its CSRF token in X-CSRF-Token for this request');
  }
  return {
    userId: session.userId,
    email: session.email,
    isAdmin: session.isAdmin,
    sessionId: session.sessionId,
    csrfToken: session.csrfToken,
  };
}

function mountStudio(app: Hono<AppEnv>, dir: string) {
  const root = relative(process.cwd(), dir) || '.';
  // Vite names every built asset by its content hash: a changed file is a new name.
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.res.headers.set('cache-control', 'public, max-age=31536000, immutable');
  });
  app.use('/assets/*', serveStatic({ root }));
  app.get('/assets/*', (c) => c.text('Not found', 404));
  app.use('*', serveStatic({ root }));
  let index: string | undefined;
  app.get('*', async (c) => {
    index ??= await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
    // A failed first build (reported in the server log) leaves no studio; the API still works.
    return index === undefined ? c.html(STUDIO_NOT_BUILT, 503) : c.html(index);
  });
}

const STUDIO_NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Kizuna</title>
<p>The studio is not built: its build failed (the server's log says why). The API under /api works.
Run <code>npm run studio:build</code>, then reload this page.</p></html>`;

export type App = ReturnType<typeof createApp>;
