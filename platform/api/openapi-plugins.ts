// The enabled plugins' own routes in /api/openapi.json, as their plugins declare them
// (definePlugin's `routes`): who may call each (`x-kizuna-access`), its body and its answer.
import type { PluginHost } from '../plugins/index.ts';
import type { OpenApiDocument } from './openapi.ts';

type Catalog = ReturnType<PluginHost['routes']>;
type Declared = Catalog[number]['routes'][number];

const problem = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** Who may call a route, in words (for the summary a client reads). */
export function accessText(access: Declared['access']): string {
  if (access === 'admin') return 'admins';
  const object = access.object.startsWith(':') ? `the {${access.object.slice(1)}} object` : access.object;
  return `callers who may ${access.permission} ${object}`;
}

function operation(plugin: string, r: Declared) {
  const params = [...r.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  const id = `plugin_${plugin}_${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_+$/, '');
  return {
    operationId: id,
    tags: [`plugin:${plugin}`],
    summary: `${r.summary ?? `${r.method} ${r.path}`} (${accessText(r.access)})`,
    'x-kizuna-access': r.access,
    ...((params.length || r.query) && {
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...Object.entries(r.query ?? {}).map(([name, q]) => ({
          name,
          in: 'query',
          required: q.required === true,
          ...(q.description && { description: q.description }),
          schema: q.schema ?? { type: 'string' },
        })),
      ],
    }),
    ...(r.request && { requestBody: { required: true, content: { 'application/json': { schema: r.request } } } }),
    responses: {
      '2XX': { description: "The plugin's answer.", content: { 'application/json': { schema: r.response ?? {} } } },
      '400': problem('BadRequest'),
      '401': problem('Unauthorized'),
      '403': problem('Forbidden'),
      '404': problem('NotFound'),
      ...(r.request && { '413': problem('PayloadTooLarge'), '415': problem('UnsupportedMediaType'), '422': problem('ValidationFailed') }),
      ...(r.query && !r.request && { '422': problem('ValidationFailed') }),
    },
  };
}

/**
 * The document with the plugins' routes added. A caller sees the routes it may call: admins
 * all, others those open to an object permission (checked again on every call).
 */
export function withPluginRoutes(doc: OpenApiDocument, catalog: Catalog, isAdmin: boolean): OpenApiDocument {
  const paths = { ...doc.paths };
  const tags = [...doc.tags];
  for (const { plugin, routes } of catalog) {
    const visible = routes.filter((r) => isAdmin || r.access !== 'admin');
    if (!visible.length) continue;
    tags.push({ name: `plugin:${plugin}`, description: `Routes of the plugin "${plugin}".` });
    for (const r of visible) {
      const path = `/api/plugins/${plugin}${r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`;
      paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: operation(plugin, r) };
    }
  }
  return { ...doc, tags, paths };
}
