// /api/auth/sessions: a person's own signed-in browsers ("My account"), each of which they may
// end; and ending all but the one asking.
import { Hono } from 'hono';
import type { SessionStore } from '../auth/index.ts';
import { notFound } from '../problems/index.ts';
import { onlyParams } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';
import { auditCtx } from './audit-context.ts';

export function sessionRoutes({ sessions }: { sessions: SessionStore }) {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    onlyParams(c, []);
    const p = c.get('principal');
    return c.json({ data: await sessions.listFor(p.userId, p.sessionId) });
  });
  app.delete('/', async (c) => {
    onlyParams(c, []);
    const p = c.get('principal');
    return c.json({ ended: await sessions.revokeOthers(p.userId, p.sessionId, auditCtx(c)) });
  });
  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await sessions.revokeOwn(c.get('principal').userId, id, auditCtx(c)))) throw notFound(`No session of yours with id "${id}"`);
    return c.body(null, 204);
  });
  return app;
}
