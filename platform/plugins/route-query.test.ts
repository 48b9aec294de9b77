// A route's declared query parameters: checked when the plugin loads, kept in the catalog the
// plugins page and /api/openapi.json read (the service plugin's test sees them published).
import { describe, expect, it } from 'vitest';
import { declaredRoutes, routeCatalog } from './routes.ts';
import { definePlugin } from './sdk.ts';

const handler = () => new Response('{}');

describe('route query parameters', () => {
  it('are kept in the catalog as declared', () => {
    const routes = declaredRoutes(
      'probe',
      definePlugin({
        routes: { 'GET /due': { query: { from: { required: true, schema: { type: 'string', format: 'date-time' } } }, handler } },
      }),
    );
    expect(routeCatalog(routes)[0].query).toEqual({ from: { required: true, schema: { type: 'string', format: 'date-time' } } });
  });

  it('keep a plugin from loading when they are not an object of names, with a 422 naming the parameter', () => {
    const load = (query: unknown) => () =>
      declaredRoutes('probe', definePlugin({ routes: { 'GET /due': { query: query as never, handler } } }));
    expect(load(['from'])).toThrow(
      expect.objectContaining({ status: 422, errors: [expect.objectContaining({ field: 'routes.GET /due.query' })] }),
    );
    expect(load({ 'bad name!': {} })).toThrow(
      expect.objectContaining({ status: 422, errors: [expect.objectContaining({ field: 'routes.GET /due.query.bad name!' })] }),
    );
    expect(load({ from: 'string' })).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'routes.GET /due.query.from' })] }),
    );
  });
});
