// /api/views: saved list, kanban, detail and form views of the studio. A caller sees the
// shared views and their own, only of objects it may read.
import { Hono, type Context } from 'hono';
import type { Database } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { notFound } from '../problems/index.ts';
import { createViewStore, type View } from '../views/index.ts';
import { snapshotFor } from '../query/index.ts';
import { onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

export function viewRoutes({ db, registry, bodyLimit }: { db: Database; registry: Registry; bodyLimit: number }) {
  const store = createViewStore({ db });
  const app = new Hono<AppEnv>();
  const caller = (c: Context<AppEnv>) => ({ userId: c.get('principal').userId, isAdmin: c.get('principal').isAdmin });
  const readable = (c: Context<AppEnv>) => snapshotFor(registry.snapshot(), c.get('actor').access).models;
  const visible = (c: Context<AppEnv>, v: View) => {
    if (!readable(c).has(v.object)) throw notFound(`No view ${v.id}`);
    return v;
  };

  app.get('/', async (c) => {
    onlyParams(c, ['object']);
    const object = c.req.query('object');
    if (object && !readable(c).has(object)) throw notFound(`No object named "${object}"`);
    const models = readable(c);
    return c.json({ data: (await store.list(object, caller(c))).filter((v) => models.has(v.object)) });
  });
  app.get('/:id', async (c) => c.json(visible(c, await store.get(c.req.param('id'), caller(c)))));
  app.post('/', async (c) => {
    const body = await readJson(c, bodyLimit);
    const object = (body as { object?: unknown })?.object;
    if (typeof object === 'string' && !readable(c).has(object)) throw notFound(`No object named "${object}"`);
    return c.json(await store.create(body, caller(c)), 201);
  });
  app.patch('/:id', async (c) => {
    visible(c, await store.get(c.req.param('id'), caller(c)));
    return c.json(await store.update(c.req.param('id'), await readJson(c, bodyLimit), caller(c)));
  });
  app.delete('/:id', async (c) => {
    visible(c, await store.get(c.req.param('id'), caller(c)));
    await store.remove(c.req.param('id'), caller(c));
    return c.body(null, 204);
  });
  return app;
}
