// Plugin routes as declared in definePlugin: who may call each one (admins unless it says
// otherwise), the JSON Schemas of its body and answer — checked here, by the host, before and
// after the plugin's handler runs — and the list the OpenAPI document and the plugins page show.
import { Hono, type Context } from 'hono';
import type { ValidateFunction } from 'ajv';
import type { MetadataSnapshot } from '../metadata/index.ts';
import { createAjv, definitionProblems, type JsonSchema } from '../model/index.ts';
import { forbidden, isProblem, notFound, ProblemError, validation, type FieldProblem } from '../problems/index.ts';
import { assertObject } from '../query/index.ts';
import type { Actor } from '../records/index.ts';
import type { PluginContext, PluginDefinition, PluginRoute, PluginRouteEnv, RouteAccess } from './sdk.ts';
import { logEvent } from '../log/index.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const KEY =
  /^(GET|POST|PUT|PATCH|DELETE) (\/(?:[A-Za-z0-9._~-]+|:[A-Za-z_][A-Za-z0-9_]*)(?:\/(?:[A-Za-z0-9._~-]+|:[A-Za-z_][A-Za-z0-9_]*))*)$/;

/** A route as the host keeps it: its declaration, checked, with its validators. */
export interface DeclaredRoute {
  method: (typeof METHODS)[number];
  /** Below /api/plugins/<name>, in Hono's form (`/greet/:name`). */
  path: string;
  access: RouteAccess;
  summary?: string;
  request?: JsonSchema;
  query?: PluginRoute['query'];
  response?: JsonSchema;
  handler: PluginRoute['handler'];
  checkRequest?: ValidateFunction;
  checkResponse?: ValidateFunction;
}

/** What a route call needs from the API layer: the caller, and its body read within the limits. */
export interface RouteCall {
  actor: Actor;
  isAdmin: boolean;
  /** The JSON body (400/413/415 problems as for any route); undefined when none was sent. */
  readBody(): Promise<unknown>;
}

const invalid = (plugin: string, errors: FieldProblem[]) =>
  new ProblemError({
    status: 422,
    type: 'plugin-invalid',
    title: 'Plugin cannot be loaded',
    detail: `The routes of the plugin "${plugin}" are invalid`,
    errors,
    extra: { plugin },
  });

/** The plugin's route declarations, checked (a bad one keeps the plugin from loading: 422 naming it). */
export function declaredRoutes(plugin: string, definition: PluginDefinition): DeclaredRoute[] {
  const routes = definition.routes ?? {};
  if (typeof routes !== 'object' || Array.isArray(routes))
    throw invalid(plugin, [
      { field: 'routes', message: 'must be an object of "<METHOD> /path" → { access?, request?, response?, handler }' },
    ]);
  const ajv = createAjv();
  const out: DeclaredRoute[] = [];
  for (const [key, r] of Object.entries(routes)) {
    const m = KEY.exec(key);
    if (!m) throw invalid(plugin, [{ field: `routes.${key}`, message: 'must be "<GET|POST|PUT|PATCH|DELETE> /path/:param"' }]);
    if (typeof r?.handler !== 'function') throw invalid(plugin, [{ field: `routes.${key}.handler`, message: 'must be a function' }]);
    const access = r.access ?? 'admin';
    const okAccess =
      access === 'admin' ||
      (typeof access === 'object' &&
        typeof access.object === 'string' &&
        ['read', 'create', 'update', 'delete'].includes(access.permission));
    if (!okAccess)
      throw invalid(plugin, [
        { field: `routes.${key}.access`, message: 'must be "admin" or { object, permission: read|create|update|delete }' },
      ]);
    if (typeof access === 'object' && access.object.startsWith(':') && !m[2].split('/').includes(access.object)) {
      throw invalid(plugin, [
        { field: `routes.${key}.access.object`, message: `names the path parameter ${access.object}, which the path does not have` },
      ]);
    }
    const query = r.query ?? {};
    const badQuery =
      typeof query !== 'object' ||
      Array.isArray(query) ||
      Object.entries(query).find(
        ([name, q]) => !/^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/.test(name) || typeof q !== 'object' || q === null || Array.isArray(q),
      );
    if (badQuery)
      throw invalid(plugin, [
        {
          field: Array.isArray(badQuery) ? `routes.${key}.query.${badQuery[0]}` : `routes.${key}.query`,
          message: 'must be an object of parameter names → { description?, required?, schema? }',
        },
      ]);
    const compile = (schema: JsonSchema | undefined, what: 'request' | 'response') => {
      if (schema === undefined) return undefined;
      try {
        return ajv.compile(schema);
      } catch (e) {
        throw invalid(plugin, [{ field: `routes.${key}.${what}`, message: `is not a valid JSON Schema: ${(e as Error).message}` }]);
      }
    };
    out.push({
      method: m[1] as DeclaredRoute['method'],
      path: m[2],
      access,
      summary: r.summary,
      request: r.request,
      query: r.query,
      response: r.response,
      handler: r.handler,
      checkRequest: compile(r.request, 'request'),
      checkResponse: compile(r.response, 'response'),
    });
  }
  return out;
}

/** Field problems of a body, each naming the field (a missing property is named itself). */
function bodyProblems(v: ValidateFunction): FieldProblem[] {
  const errors = v.errors ?? [];
  const missing = errors
    .filter((e) => e.keyword === 'required')
    .map((e) => {
      const at = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const name = String(e.params.missingProperty);
      return { field: at ? `${at}.${name}` : name, message: 'is required', keyword: 'required' };
    });
  return [...missing, ...definitionProblems(errors.filter((e) => e.keyword !== 'required'))];
}

type RouterEnv = { Bindings: PluginRouteEnv['Bindings'] & { call: RouteCall } };

/** A plugin's crash, logged with its stack; answered as 500 naming the plugin (a 4xx problem passes). */
export function pluginFailure(plugin: string, err: unknown, what = 'failed'): ProblemError {
  if (isProblem(err) && (err.status < 500 || err.status === 503 || err.extra?.plugin === plugin)) return err;
  logEvent({ level: 'error', msg: 'plugin route failed', plugin, error: String((err as Error)?.stack ?? err) });
  return new ProblemError({
    status: 500,
    type: 'plugin-error',
    title: 'Plugin error',
    detail: `The plugin "${plugin}" ${what}`,
    extra: { plugin },
  });
}

/**
 * The plugin's routes as a Hono app under /api/plugins/<name>. Problems are thrown, never
 * answered here, so the API's one error handler answers them (problem+json with request_id).
 */
export function buildPluginRouter(plugin: string, routes: DeclaredRoute[], snapshot: () => MetadataSnapshot): Hono<RouterEnv> {
  const app = new Hono<RouterEnv>().basePath(`/api/plugins/${plugin}`);
  app.onError((err) => {
    throw pluginFailure(plugin, err);
  });
  app.notFound((c) => {
    throw notFound(`The plugin "${plugin}" has no route ${c.req.method} ${c.req.path.slice(`/api/plugins/${plugin}`.length) || '/'}`);
  });
  for (const r of routes) {
    app.on(r.method, r.path, async (c) => {
      checkAccess(plugin, r, c, snapshot());
      if (r.checkRequest) {
        const body = (await c.env.call.readBody()) ?? {};
        if (!r.checkRequest(body))
          throw validation(bodyProblems(r.checkRequest), `The body of ${r.method} ${r.path} does not fit the route's schema`);
        c.env.body = body;
      }
      const res = await r.handler(c as unknown as Context<PluginRouteEnv>);
      if (r.checkResponse && res.status >= 200 && res.status < 300 && /json/i.test(res.headers.get('content-type') ?? '')) {
        const answer = await res
          .clone()
          .json()
          .catch(() => undefined);
        if (!r.checkResponse(answer)) {
          const why = definitionProblems(r.checkResponse.errors)
            .map((p) => `${p.field} ${p.message}`)
            .join('; ');
          throw pluginFailure(
            plugin,
            new Error(`${r.method} ${r.path} answered a body its response schema rejects: ${why}`),
            `answered ${r.method} ${r.path} with a body its own response schema rejects`,
          );
        }
      }
      return res;
    });
  }
  return app;
}

function checkAccess(plugin: string, r: DeclaredRoute, c: Context<RouterEnv>, snapshot: MetadataSnapshot) {
  const { call } = c.env;
  if (r.access === 'admin') {
    if (!call.isAdmin) throw forbidden(`${r.method} ${r.path} of the plugin "${plugin}" is for admins`);
    return;
  }
  const name = r.access.object.startsWith(':') ? c.req.param(r.access.object.slice(1)) : r.access.object;
  const model = name === undefined ? undefined : snapshot.models.get(name);
  if (!model) throw notFound(`No object named "${name}"`);
  assertObject(model, r.access.permission, call.actor.access);
}

/** Route bindings for one call (the body is filled in once checked). */
export const routeEnv = (kizuna: PluginContext, call: RouteCall): RouterEnv['Bindings'] => ({ kizuna, body: undefined, call });

/** The declarations without code, for the plugins page and the OpenAPI document. */
export const routeCatalog = (routes: DeclaredRoute[]) =>
  routes.map((r) => ({
    method: r.method,
    path: r.path,
    access: r.access,
    ...(r.summary && { summary: r.summary }),
    ...(r.request && { request: r.request }),
    ...(r.query && { query: r.query }),
    ...(r.response && { response: r.response }),
  }));
