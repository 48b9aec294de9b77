// Building blocks of the OpenAPI modules (platform routes, workflows, imports): references to
// the shared components openapi.ts defines, and the common problem responses.
export type Schema = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const res = (name: string) => ({ $ref: `#/components/responses/${name}` });
export const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
export const body = (schema: Schema) => ({ required: true, content: { 'application/json': { schema } } });
export const obj = (properties: Schema, required: string[], description?: string): Schema => ({ type: 'object', ...(description && { description }), properties, required });
export const label = obj({ en: { type: 'string' }, ja: { type: 'string' } }, ['en', 'ja']);

/** The problems of any route behind authentication; WRITE adds those of a JSON body. */
export const READ = { '400': res('BadRequest'), '401': res('Unauthorized'), '403': res('Forbidden') };
export const WRITE = { ...READ, '413': res('PayloadTooLarge'), '415': res('UnsupportedMediaType'), '422': res('ValidationFailed') };
export const NOT_FOUND = { '404': res('NotFound') };
export const CONFLICT = { '409': res('Conflict') };
