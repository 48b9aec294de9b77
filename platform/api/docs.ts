// Placeholder until the OpenAPI generator lands: /api/openapi.json and /api/docs.
import { Hono } from 'hono';
import type { Registry } from '../metadata/index.ts';
import type { AppEnv } from './env.ts';

export function docsRoutes(_deps: { registry: Registry }) {
  const app = new Hono<AppEnv>();
  return app;
}
