// /api/api-keys: keys for programs, shown once.
import { Hono } from 'hono';
import type { ApiKeyStore } from '../auth/index.ts';
import { forbidden } from '../problems/index.ts';
import { onlyParams, readJson } from './body.ts';
import type { AppEnv } from './env.ts';

export function keyRoutes({ keys }: { keys: ApiKeyStore }) {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    if (!c.get('principal').isAdmin) throw forbidden('Managing API keys needs an admin');
    await next();
  });
  app.get('/', async (c) => {
    onlyParams(c, []);
    return c.json({ data: await keys.list() });
  });
  app.post('/', async (c) => {
    onlyParams(c, []);
    const body = (await readJson(c, 64 * 1024)) as Record<string, unknown>;
    const made = await keys.create({ userId: c.get('principal').userId, name: body?.name, role: body?.role });
    return c.json(made, 201);
  });
  app.delete('/:id', async (c) => {
    await keys.revoke(c.req.param('id'));
    return c.body(null, 204);
  });
  return app;
}
