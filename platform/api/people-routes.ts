// /api/users, /api/teams, /api/roles and /api/audit: administration of who may do what,
// and the trail of what was done. Admins only.
import { Hono, type Context } from 'hono';
import type { Database, Executor } from '../db/index.ts';
import type { PeopleStore, SessionStore } from '../auth/index.ts';
import { readAudit } from '../events/index.ts';
import { badRequest, forbidden, notFound } from '../problems/index.ts';
import { flag, onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

const auditCtx = (c: Context<AppEnv>) => ({ actor: c.get('principal').userId, requestId: c.get('requestId'), via: c.get('actor').via });

const adminOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  if (!c.get('principal').isAdmin) throw forbidden('This needs an admin');
  await next();
};

export function userRoutes({ people, sessions }: { people: PeopleStore; sessions: SessionStore }) {
  const app = new Hono<AppEnv>();
  app.use('*', adminOnly);
  app.get('/', async (c) => {
    onlyParams(c, ['active']);
    const active = c.req.query('active');
    return c.json({ data: await people.users.list(active === undefined ? {} : { active: flag(c, 'active') }) });
  });
  app.post('/', async (c) => c.json(await people.users.create(await readJson(c, 64 * 1024), auditCtx(c)), 201));
  app.get('/:id', async (c) => c.json(await people.users.get(c.req.param('id'))));
  app.patch('/:id', async (c) => {
    const id = c.req.param('id');
    const body = await readJson(c, 64 * 1024);
    // A password set by an admin or a deactivation ends the user's sessions everywhere (and a
    // deactivation its API keys), in the update's transaction.
    const endSessions = (tx: Executor) => sessions.revokeAllFor(id, undefined, tx);
    return c.json(await people.users.update(id, body, auditCtx(c), { onPasswordChange: endSessions, onDeactivate: endSessions }));
  });
  // People are deactivated, never deleted: their records and history keep pointing at them.
  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    await people.users.update(id, { active: false }, auditCtx(c), { onDeactivate: (tx) => sessions.revokeAllFor(id, undefined, tx) });
    return c.body(null, 204);
  });
  return app;
}

export function teamRoutes({ people }: { people: PeopleStore }) {
  const app = new Hono<AppEnv>();
  app.use('*', adminOnly);
  app.get('/', async (c) => c.json({ data: await people.teams.list() }));
  app.post('/', async (c) => c.json(await people.teams.create(await readJson(c, 64 * 1024), auditCtx(c)), 201));
  app.get('/:id', async (c) => c.json(await people.teams.get(c.req.param('id'))));
  app.patch('/:id', async (c) => c.json(await people.teams.update(c.req.param('id'), await readJson(c, 64 * 1024), auditCtx(c))));
  app.delete('/:id', async (c) => {
    await people.teams.remove(c.req.param('id'), auditCtx(c));
    return c.body(null, 204);
  });
  return app;
}

export function roleRoutes({ people }: { people: PeopleStore }) {
  const app = new Hono<AppEnv>();
  app.use('*', adminOnly);
  app.get('/', async (c) => c.json({ data: await people.roles.list() }));
  app.post('/', async (c) => c.json(await people.roles.put(await readJson(c, 256 * 1024), auditCtx(c), { create: true }), 201));
  app.get('/:name', async (c) => {
    const role = await people.roles.get(c.req.param('name'));
    if (!role) throw notFound(`No role named "${c.req.param('name')}"`);
    return c.json({ ...role, problems: people.roles.problemsOf(role) });
  });
  app.put('/:name', async (c) =>
    c.json(await people.roles.put(await readJson(c, 256 * 1024), auditCtx(c), { create: false, name: c.req.param('name') })),
  );
  app.delete('/:name', async (c) => {
    await people.roles.remove(c.req.param('name'), auditCtx(c));
    return c.body(null, 204);
  });
  return app;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditRoutes({ db }: { db: Database }) {
  const app = new Hono<AppEnv>();
  app.use('*', adminOnly);
  app.get('/', async (c) => {
    onlyParams(c, ['actor', 'object', 'kind', 'record_id', 'since', 'until', 'cursor', 'limit']);
    const q = (n: string) => c.req.query(n);
    const bad = (field: string, message: string) => badRequest(`${field} ${message}`, [{ field, message }]);
    if (q('actor') && !UUID.test(q('actor')!)) throw bad('actor', 'must be a user id');
    if (q('record_id') && !UUID.test(q('record_id')!)) throw bad('record_id', 'must be a record id');
    if (q('kind') && !['record', 'metadata', 'auth'].includes(q('kind')!)) throw bad('kind', 'must be one of: record, metadata, auth');
    for (const name of ['since', 'until']) {
      const v = q(name);
      if (v !== undefined && (Number.isNaN(Date.parse(v)) || !/^\d{4}-\d{2}-\d{2}/.test(v)))
        throw bad(name, 'must be an ISO 8601 date or date-time');
    }
    const limit = q('limit') === undefined ? 50 : Number(q('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw bad('limit', 'must be 1–500');
    const before = q('cursor') ? Buffer.from(q('cursor')!, 'base64url').toString('utf8') : undefined;
    if (before !== undefined && !/^\d{1,18}$/.test(before)) throw bad('cursor', 'is not a cursor this API issued');
    const { data, hasMore } = await readAudit(db, {
      actor: q('actor') || undefined,
      recordId: q('record_id') || undefined,
      object: q('object') || undefined,
      kind: q('kind') || undefined,
      since: q('since'),
      until: q('until'),
      before,
      limit,
    });
    return c.json({
      data,
      page: { next_cursor: hasMore ? Buffer.from(data[data.length - 1].id).toString('base64url') : null, has_more: hasMore },
    });
  });
  return app;
}
