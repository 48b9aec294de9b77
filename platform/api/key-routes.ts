// /api/api-keys: keys for programs, shown once. Everyone manages their own keys; admins see
// and revoke everyone's and may issue keys for another user.
import { Hono } from 'hono';
import type { ApiKeyStore, PeopleStore } from '../auth/index.ts';
import { badRequest, forbidden, validation } from '../problems/index.ts';
import { onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';
import { auditCtx } from './audit-context.ts';

export function keyRoutes({ keys, people }: { keys: ApiKeyStore; people: PeopleStore }) {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    onlyParams(c, ['user_id']);
    const p = c.get('principal');
    // user_id narrows an admin's list to one person's keys (the studio's "My account" asks for its own).
    const only = c.req.query('user_id');
    if (only !== undefined && only !== p.userId) {
      if (!p.isAdmin) throw forbidden("Only an admin lists another user's keys", [{ field: 'user_id', message: 'must be your own id' }]);
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(only))
        throw badRequest('user_id must be a user id', [{ field: 'user_id', message: 'must be a user id' }]);
    }
    return c.json({ data: await keys.list(only ?? (p.isAdmin ? undefined : p.userId)) });
  });
  app.post('/', async (c) => {
    onlyParams(c, []);
    const p = c.get('principal');
    const body = (await readJson(c, 64 * 1024)) as Record<string, unknown>;
    const unknown = Object.keys(body ?? {}).filter((k) => !['name', 'role', 'user_id'].includes(k));
    if (unknown.length) throw validation(unknown.map((k) => ({ field: k, message: 'is not an API key setting (name, role, user_id)' })));
    let userId = p.userId;
    if (body?.user_id !== undefined && body.user_id !== p.userId) {
      if (!p.isAdmin) throw forbidden('Only an admin issues keys for another user', [{ field: 'user_id', message: 'must be your own id' }]);
      userId = (await people.users.get(String(body.user_id))).id;
    }
    if (typeof body?.role === 'string' && !(await people.roles.get(body.role)))
      throw validation([{ field: 'role', message: `no role named "${body.role}"` }]);
    // A key never carries more than its creator: a key made with a narrowed key stays narrowed.
    const role = body?.role ?? p.role ?? undefined;
    return c.json(await keys.create({ userId, name: body?.name, role, audit: auditCtx(c) }), 201);
  });
  app.delete('/:id', async (c) => {
    const p = c.get('principal');
    await keys.revoke(c.req.param('id'), p.isAdmin ? undefined : p.userId, auditCtx(c));
    return c.body(null, 204);
  });
  return app;
}
