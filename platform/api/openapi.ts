// The OpenAPI 3.1 document of the live API, derived from the metadata: record schemas and
// record paths per object, the fixed routes (metadata, API keys, health) around them.
// Built once per metadata snapshot: the registry replaces the snapshot on every change and
// never mutates one, so a WeakMap keyed by it is exactly "once per version".
import type { MetadataSnapshot } from '../metadata/index.ts';
import { sharedSchemas } from './openapi-shared-schemas.ts';
import { platformTags } from './openapi-platform.ts';
import { exportPath, importTag } from './openapi-imports.ts';
import { problemResponses, sharedHeaders, sharedParameters, type PathItem, type Schema } from './openapi-components.ts';
import { fixedPaths, meta } from './openapi-fixed-paths.ts';
import { recordSchemas } from './openapi-record-schemas.ts';
import { listParameters, recordPaths } from './openapi-record-paths.ts';

type Operation = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, unknown>;
    parameters: Record<string, unknown>;
    headers: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
}

export interface OpenApiOptions {
  /** The server URL clients should call; default "/" (the origin the document came from). */
  serverUrl?: string;
}

const cache = new WeakMap<MetadataSnapshot, Map<string, OpenApiDocument>>();

/** The document for a snapshot; cached, so callers share it and must not mutate it. */
export function buildOpenApi(snapshot: MetadataSnapshot, opts: OpenApiOptions = {}): OpenApiDocument {
  const serverUrl = opts.serverUrl ?? '/';
  let byServer = cache.get(snapshot);
  if (!byServer) cache.set(snapshot, (byServer = new Map()));
  let doc = byServer.get(serverUrl);
  if (!doc) byServer.set(serverUrl, (doc = renderOpenApi(snapshot, serverUrl)));
  return doc;
}

// ---------------------------------------------------------------------------------------
// Names. Component and operation names are derived from object names, so two objects — or
// an object and a fixed part of the API — must never derive the same name.

const SUFFIXES = ['Create', 'Update', 'List', 'Bulk', 'Timeline'] as const;

/**
 * support_ticket → SupportTicket. An underscore not followed by a letter is kept (a_1 → A_1,
 * a__b → A_B), so the mapping is one-to-one on API names.
 */
export const pascalName = (name: string) => name.replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The base of an object's schema and operation names: its PascalCase name, with "Record"
 * appended when that could collide — the name ends in a suffix we append ("Create", …) or
 * in "Record", or it (plus a suffix) is the name of a shared schema or a fixed operation's
 * noun. Depends only on the object's own name, so adding an object never renames another.
 */
export function schemaName(object: string): string {
  const p = pascalName(object);
  const clashes = ['Record', ...SUFFIXES].some((s) => p.endsWith(s)) || ['', ...SUFFIXES].some((s) => reservedNames.has(p + s));
  return clashes ? `${p}Record` : p;
}

const reservedNames = new Set<string>([
  ...Object.keys(sharedSchemas()),
  ...Object.values(fixedPaths).flatMap((item) =>
    Object.values(item).flatMap((op) => {
      const id = (op as Operation).operationId;
      return typeof id === 'string' ? [id.replace(/^[a-z]+/, '')] : [];
    }),
  ),
]);

// ---------------------------------------------------------------------------------------

const API_DESCRIPTION = `The HTTP API of Kizuna, generated from the live metadata: every object has its own record
schemas and routes, and this document changes when an object or field does.

**Authentication**: \`Authorization: Bearer <api key>\` on every route except health and this document.

**Errors** are RFC 9457 problem details (\`application/problem+json\`) with per-field \`errors\`.

**Lists** are \`{ data, page }\` pages; follow \`page.next_cursor\` for the next one.

**Concurrency**: every record has a \`version\`, sent as the \`ETag\`; send it back in \`If-Match\`
when changing the record and a concurrent change is a 412 instead of a silent overwrite.

Every response carries an \`X-Request-Id\`.`;

function renderOpenApi(snapshot: MetadataSnapshot, serverUrl: string): OpenApiDocument {
  const models = [...snapshot.models.values()].sort((a, b) => a.name.localeCompare(b.name));
  const schemas: Record<string, Schema> = { ...sharedSchemas() };
  const paths: Record<string, PathItem> = {};
  for (const [p, item] of Object.entries(fixedPaths)) paths[p] = structuredClone(item);
  const tags = [
    { name: 'System', description: 'Health, the current user and this document.' },
    {
      name: meta,
      description: 'Object and field definitions. Every change can be a dry run (`?dry_run=true`) answering its migration plan.',
    },
    { name: 'API keys', description: 'Keys for programs; the secret is shown once.' },
    ...platformTags,
    { name: 'Workflows', description: "Automations: definitions, versions, runs, and the designer's catalog, validation and test runs." },
    importTag,
  ];
  for (const model of models) {
    const base = schemaName(model.name);
    Object.assign(schemas, recordSchemas(model, base));
    Object.assign(paths, recordPaths(model, base), exportPath(model, base, listParameters(model)));
    const { label, description } = model.spec;
    tags.push({ name: model.name, description: `${label.en} (${label.ja}) records${description ? `: ${description.en}` : '.'}` });
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Kizuna API', version: `metadata-${snapshot.version}`, description: API_DESCRIPTION },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags,
    paths,
    components: {
      schemas,
      responses: structuredClone(problemResponses),
      parameters: structuredClone(sharedParameters),
      headers: structuredClone(sharedHeaders),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer kz_…`.' },
      },
    },
  };
}
