// Cache-Control: no-store on API answers: records, people and keys are per caller and change
// at any time, and a shared or browser cache must neither keep nor replay them (a
// back-button or a proxy showing another person's data). A route that chose its own caching
// (the OpenAPI document's private, no-cache) keeps it.
import type { MiddlewareHandler } from 'hono';

export const noStore = (): MiddlewareHandler => async (c, next) => {
  await next();
  if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
};
