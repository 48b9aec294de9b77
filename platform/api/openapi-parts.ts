// Building blocks of the OpenAPI modules (platform routes, workflows, imports): references to
// the shared components openapi.ts defines, and the common problem responses.
export type Schema = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const res = (name: string) => ({ $ref: `#/components/responses/${name}` });
export const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
export const body = (schema: Schema) => ({ required: true, content: { 'application/json': { schema } } });
export const obj = (properties: Schema, required: string[], description?: string): Schema => ({
  type: 'object',
  ...(description && { description }),
  properties,
  required,
});
export const label = obj({ en: { type: 'string' }, ja: { type: 'string' } }, ['en', 'ja']);

/** The problems of any route behind authentication; WRITE adds those of a JSON body. */
export const READ = { '400': res('BadRequest'), '401': res('Unauthorized'), '403': res('Forbidden') };
export const WRITE = { ...READ, '413': res('PayloadTooLarge'), '415': res('UnsupportedMediaType'), '422': res('ValidationFailed') };
export const NOT_FOUND = { '404': res('NotFound') };
export const CONFLICT = { '409': res('Conflict') };
export const NO_CONTENT = { '204': { description: 'Done.' } };

/** `{ data: [item] }`: a list answer. */
export const list = (item: string) => obj({ data: { type: 'array', items: ref(item) } }, ['data']);
export const uuid = { type: 'string', format: 'uuid' };
export const instant = { type: 'string', format: 'date-time' };
export const pathParam = (name: string, description: string, schema: Schema = uuid) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
export const queryParam = (name: string, description: string, schema: Schema = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

// Files of metadata/schema that are shared components of their own.
const FILE_COMPONENTS: Record<string, string> = { 'label.schema.json': 'Label', 'field.schema.json': 'FieldSpec' };

/**
 * A meta-schema of metadata/schema as OpenAPI components: $id/$schema dropped, references to
 * the shared files pointed at their components, and its $defs made components named
 * `<prefix>_<name>` (the root's references to them follow).
 */
export function metaSchemaComponents(json: unknown, prefix = 'Def'): { root: Schema; defs: Record<string, Schema> } {
  const { $schema: _s, $id: _i, $defs = {}, ...root } = json as Schema & { $defs?: Record<string, Schema> };
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        if (k !== '$ref' || typeof x !== 'string') return [k, rewrite(x)];
        if (x.startsWith('#/$defs/')) return [k, x.replace('#/$defs/', `#/components/schemas/${prefix}_`)];
        return [k, FILE_COMPONENTS[x] ? `#/components/schemas/${FILE_COMPONENTS[x]}` : x];
      }),
    );
  };
  return {
    root: rewrite(root) as Schema,
    defs: Object.fromEntries(Object.entries($defs).map(([k, v]) => [`${prefix}_${k}`, rewrite(v)])) as Record<string, Schema>,
  };
}
