// /api/users, /api/teams, /api/roles and /api/audit: administration of who may do what
// (invitations, password resets and "view as" included), and the trail of what was done. Admins only,
// except /api/people: the directory of names every signed-in user reads.
import { Hono, type Context } from 'hono';
import type { Database, Executor } from '../db/index.ts';
import { denied, readDirectory, temporaryPassword, type PasswordLinks, type PeopleStore, type SessionStore } from '../auth/index.ts';
import { readAudit } from '../events/index.ts';
import type { Registry } from '../metadata/index.ts';
import { badRequest, conflict, forbidden, notFound, validation } from '../problems/index.ts';
import { accessFor, accessSummary, fieldLevel, listParamNames, type ListParams } from '../query/index.ts';
import type { RecordService } from '../records/index.ts';
import type { Mailer } from '../workflow/index.ts';
import { deliverLink, studioOrigin } from './link-mail.ts';
import { flag, onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';
import { auditCtx } from './audit-context.ts';

const adminOnly = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  if (!c.get('principal').isAdmin) throw forbidden('This needs an admin');
  await next();
};

export interface UserRouteDeps {
  people: PeopleStore;
  sessions: SessionStore;
  links: PasswordLinks;
  records: RecordService;
  registry: Registry;
  /** Sends invitations and reset links when SMTP is configured (KIZUNA_SMTP_URL). */
  mailer?: Mailer;
  mailFrom: string;
}

/** `{ send_email?: boolean }`, and for a reset `method`: the body of an invitation or a password reset. */
function linkOptions(body: unknown, reset: boolean): { sendEmail: boolean; method: 'link' | 'temporary_password' } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) throw validation([{ field: '(root)', message: 'must be a JSON object' }]);
  const known = reset ? ['send_email', 'method'] : ['send_email'];
  const problems = Object.keys(b)
    .filter((k) => !known.includes(k))
    .map((k) => ({ field: k, message: `is not an option here (known: ${known.join(', ')})` }));
  if (b.send_email !== undefined && typeof b.send_email !== 'boolean')
    problems.push({ field: 'send_email', message: 'must be true or false' });
  if (reset && b.method !== undefined && b.method !== 'link' && b.method !== 'temporary_password')
    problems.push({ field: 'method', message: 'must be one of: link, temporary_password' });
  if (problems.length) throw validation(problems);
  return { sendEmail: b.send_email !== false, method: b.method === 'temporary_password' ? 'temporary_password' : 'link' };
}

/** An empty body counts as {} (the options are all optional). */
async function optionalJson(c: Context<AppEnv>): Promise<unknown> {
  if (c.req.header('content-length') === '0' || (!c.req.header('content-type') && !c.req.header('content-length'))) return {};
  return readJson(c, 4 * 1024);
}

export function userRoutes({ people, sessions, links, records, registry, mailer, mailFrom }: UserRouteDeps) {
  const app = new Hono<AppEnv>();
  app.use('*', adminOnly);
  const mailOf = (sendEmail: boolean) => ({ mailer, from: mailFrom, send: sendEmail });

  // A one-time link for someone without a password yet: by email when SMTP is configured,
  // else in the answer, once.
  app.post('/:id/invitation', async (c) => {
    onlyParams(c, []);
    const { sendEmail } = linkOptions(await optionalJson(c), false);
    const link = await links.issue(c.req.param('id'), 'invite', auditCtx(c));
    return c.json(await deliverLink(link, studioOrigin(c), mailOf(sendEmail)), 201);
  });

  // A reset: a one-time link (as an invitation), or a temporary password answered once. Either
  // way the user's sessions end; a temporary password replaces the old one at once.
  app.post('/:id/password-reset', async (c) => {
    onlyParams(c, []);
    const id = c.req.param('id');
    const { sendEmail, method } = linkOptions(await optionalJson(c), true);
    if (method === 'link') {
      const link = await links.issue(id, 'reset', auditCtx(c));
      return c.json({ method, ...(await deliverLink(link, studioOrigin(c), mailOf(sendEmail))) }, 201);
    }
    const user = await people.users.get(id);
    if (!user.active)
      throw conflict(`${user.email} is deactivated: reactivate the user first`, [{ field: 'active', message: 'the user is deactivated' }]);
    const password = temporaryPassword();
    await people.users.update(id, { password }, auditCtx(c), { onPasswordChange: (tx) => sessions.revokeAllFor(id, undefined, tx) });
    return c.json({ method, temporary_password: password }, 201);
  });

  // "View as": an object's list exactly as this user would get it (their scopes applied,
  // hidden fields absent), and what they may do with each field.
  app.get('/:id/view-as/:object', async (c) => {
    onlyParams(c, listParamNames);
    const user = await people.users.get(c.req.param('id'));
    const caller = await people.callerFor({ userId: user.id, email: user.email, isAdmin: user.is_admin });
    const access = user.is_admin ? undefined : accessFor(caller);
    const model = registry.snapshot().models.get(c.req.param('object'));
    if (!model) throw notFound(`No object named "${c.req.param('object')}"`);
    const perms = access?.perms(model);
    const readable = !perms || !denied(perms.verbs.read);
    const fields = model.fieldList.map((f) => ({
      name: f.name,
      level: readable ? fieldLevel(model, f.name, access) : ('hidden' as const),
    }));
    const summary = { read: readable, ...accessSummary(model, access), transfer: perms ? perms.transfer : true };
    const who = { id: user.id, name: user.name, email: user.email, is_admin: user.is_admin, active: user.active };
    if (!readable)
      return c.json({ user: who, object: model.name, access: summary, fields, data: [], page: { next_cursor: null, has_more: false } });
    const params: ListParams = {};
    for (const name of listParamNames) if (c.req.query(name) !== undefined) params[name] = c.req.query(name);
    const page = await records.list(model.name, params, { actor: user.id, requestId: c.get('requestId'), via: 'view-as', access });
    return c.json({ user: who, object: model.name, access: summary, fields, ...page });
  });

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

/** GET /api/people: everyone's id, name and kind (person, workflow, plugin), for any signed-in user. */
export function directoryRoutes({ db }: { db: Executor }) {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    onlyParams(c, ['kind']);
    const kind = c.req.query('kind');
    if (kind !== undefined && !['person', 'workflow', 'plugin'].includes(kind))
      throw badRequest('kind must be person, workflow or plugin', [{ field: 'kind', message: 'must be one of: person, workflow, plugin' }]);
    const all = await readDirectory(db);
    return c.json({ data: kind ? all.filter((p) => p.kind === kind) : all });
  });
  return app;
}
