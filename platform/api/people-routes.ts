// /api/users, /api/teams, /api/roles and /api/audit: administration of who may do what,
// and the trail of what was done. Admins only.
import { Hono, type Context } from 'hono';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/index.ts';
import type { PeopleStore, SessionStore } from '../auth/index.ts';
import { badRequest, forbidden, notFound } from '../problems/index.ts';
import { flag, onlyParams, readJson } from './body.ts';
import type { AppEnv } from './env.ts';

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
  app.put('/:name', async (c) => c.json(await people.roles.put(await readJson(c, 256 * 1024), auditCtx(c), { create: false, name: c.req.param('name') })));
  app.delete('/:name', async (c) => {
    await people.roles.remove(c.req.param('name'), auditCtx(c));
    return c.body(null, 204);
  });
  return app;
}

const ISO = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditRoutes({ db }: { db: Database }) {
  const app = new Hono<AppEnv>();
  app.use('*', adminOnly);
  app.get('/', async (c) => {
    onlyParams(c, ['actor', 'object', 'kind', 'record_id', 'since', 'until', 'cursor', 'limit']);
    const q = (n: string) => c.req.query(n);
    const conds = [sql`true`];
    const bad = (field: string, message: string) => badRequest(`${field} ${message}`, [{ field, message }]);
    if (q('actor')) {
      if (!UUID.test(q('actor')!)) throw bad('actor', 'must be a user id');
      conds.push(sql`actor = ${q('actor')}::uuid`);
    }
    if (q('record_id')) {
      if (!UUID.test(q('record_id')!)) throw bad('record_id', 'must be a record id');
      conds.push(sql`record_id = ${q('record_id')}::uuid`);
    }
    if (q('object')) conds.push(sql`object = ${q('object')}`);
    if (q('kind')) {
      if (!['record', 'metadata', 'auth'].includes(q('kind')!)) throw bad('kind', 'must be one of: record, metadata, auth');
      conds.push(sql`kind = ${q('kind')}`);
    }
    for (const [name, op] of [['since', sql`>=`], ['until', sql`<`]] as const) {
      const v = q(name);
      if (v === undefined) continue;
      if (Number.isNaN(Date.parse(v)) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw bad(name, 'must be an ISO 8601 date or date-time');
      conds.push(sql`at ${op} ${v}::timestamptz`);
    }
    const limit = q('limit') === undefined ? 50 : Number(q('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw bad('limit', 'must be 1–500');
    if (q('cursor')) {
      const before = Buffer.from(q('cursor')!, 'base64url').toString('utf8');
      if (!/^\d{1,18}$/.test(before)) throw bad('cursor', 'is not a cursor this API issued');
      conds.push(sql`id < ${before}::bigint`);
    }
    const rows = await db.query<Record<string, unknown> & { id: string }>(sql`select id::text as id, kind, object, record_id::text as record_id, action, version,
        changes, actor::text as actor, request_id, via, note, to_char(at at time zone 'UTC', ${ISO}) as at
      from kizuna_history where ${sql.join(conds, sql` and `)} order by kizuna_history.id desc limit ${limit + 1}`);
    const hasMore = rows.length > limit;
    const data = hasMore ? rows.slice(0, limit) : rows;
    for (const r of data) {
      if (typeof r.changes === 'string') r.changes = JSON.parse(r.changes as string);
      if (typeof r.note === 'string') r.note = JSON.parse(r.note as string);
    }
    return c.json({ data, page: { next_cursor: hasMore ? Buffer.from(data[data.length - 1].id).toString('base64url') : null, has_more: hasMore } });
  });
  return app;
}
