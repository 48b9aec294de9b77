// /api/workflows (admins): definitions, versions, runs; /api/workflow-runs: one run, retry;
// and the public webhook address /api/workflows/hooks/{token}, checked by HMAC signature.
import { Hono, type Context } from 'hono';
import { badRequest, forbidden, notFound, tooLarge, validation, type FieldProblem } from '../problems/index.ts';
import { SIGNATURE_HEADER, type WorkflowEngine } from '../workflow/index.ts';
import type { RecordService } from '../records/index.ts';
import type { Registry } from '../metadata/index.ts';
import { snapshotFor } from '../query/index.ts';
import { onlyParams, readJson } from './body.ts';
import { timelineNames } from './timeline-names.ts';
import type { Executor } from '../db/index.ts';
import type { AppEnv } from '../plugins/index.ts';

interface Deps {
  workflows: WorkflowEngine;
  bodyLimit: number;
}

/** Records one manual run request may start runs on (a list selection). */
export const MAX_RUN_RECORDS = 100;

const admin = (c: Context<AppEnv>) => {
  if (!c.get('principal').isAdmin) throw forbidden('Managing workflows needs an admin');
  return c.get('principal').userId;
};

const objectBody = async (c: Context<AppEnv>, limit: number): Promise<Record<string, unknown>> => {
  const body = await readJson(c, limit);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object');
  return body as Record<string, unknown>;
};

/** The body of a run or a test run: { record_id?, input?, definition? } (an empty body is {}). */
async function startBody(c: Context<AppEnv>, limit: number, keys: string[]) {
  const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : await objectBody(c, limit);
  const unknown = Object.keys(body).filter((k) => !keys.includes(k));
  if (unknown.length) throw validation(unknown.map((k) => ({ field: k, message: `is not one of ${keys.join(', ')}` })));
  if (body.record_id !== undefined && typeof body.record_id !== 'string')
    throw validation([{ field: 'record_id', message: 'must be a record id (a string)' }]);
  const idsProblems = body.record_ids === undefined ? [] : recordIdsProblems(body.record_ids, body.record_id !== undefined);
  if (idsProblems.length) throw validation(idsProblems);
  if (body.input !== undefined && (typeof body.input !== 'object' || body.input === null || Array.isArray(body.input)))
    throw validation([{ field: 'input', message: 'must be a JSON object' }]);
  if (body.definition !== undefined && (typeof body.definition !== 'object' || body.definition === null || Array.isArray(body.definition)))
    throw validation([{ field: 'definition', message: 'must be a workflow definition (a JSON object)' }]);
  return body as { record_id?: string; record_ids?: string[]; input?: Record<string, unknown>; definition?: unknown };
}

/** What is wrong with a run's record_ids (nothing when they are 1–100 distinct ids and record_id is absent). */
function recordIdsProblems(ids: unknown, withRecordId: boolean): FieldProblem[] {
  if (withRecordId) return [{ field: 'record_ids', message: 'give record_id or record_ids, not both' }];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_RUN_RECORDS)
    return [{ field: 'record_ids', message: `must be a list of 1 to ${MAX_RUN_RECORDS} record ids` }];
  const seen = new Set<unknown>();
  const problems: FieldProblem[] = [];
  ids.forEach((id, i) => {
    if (typeof id !== 'string') problems.push({ field: `record_ids.${i}`, message: 'must be a record id (a string)' });
    else if (seen.has(id)) problems.push({ field: `record_ids.${i}`, message: 'repeats an earlier id' });
    seen.add(id);
  });
  return problems;
}

const limitOf = (c: Context<AppEnv>) => {
  const raw = c.req.query('limit');
  const n = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw badRequest('limit must be a whole number from 1 to 500', [{ field: 'limit', message: 'must be 1–500' }]);
  return n;
};

/** Mounted before authentication: the token in the path and the signature are the credentials. */
export function workflowHookRoutes({ workflows, bodyLimit }: Deps) {
  const app = new Hono<AppEnv>();
  app.post('/:token', async (c) => {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > bodyLimit) throw tooLarge(`The body is over the limit of ${bodyLimit} bytes`);
    return c.json(await workflows.receiveHook(c.req.param('token'), text, c.req.header(SIGNATURE_HEADER)), 202);
  });
  return app;
}

export function workflowRoutes({ workflows, bodyLimit, registry }: Deps & { registry: Registry }) {
  const app = new Hono<AppEnv>();
  const readable = (c: Context<AppEnv>, object: string) => snapshotFor(registry.snapshot(), c.get('actor').access).models.has(object);
  app.get('/', async (c) => {
    admin(c);
    return c.json({ data: await workflows.store.list() });
  });
  app.post('/', async (c) => {
    admin(c);
    const w = await workflows.store.create(await objectBody(c, bodyLimit));
    c.header('Location', `/api/workflows/${w.id}`);
    return c.json(w, 201);
  });
  // Before /:id, or "catalog" would be read as a workflow id.
  app.get('/catalog', (c) => {
    admin(c);
    return c.json(workflows.catalog());
  });
  app.get('/templates', (c) => {
    admin(c);
    onlyParams(c, []);
    return c.json({ data: workflows.templates() });
  });
  // Anyone signed in who may read the object: the workflows they may start on its records.
  app.get('/manual', async (c) => {
    onlyParams(c, ['object']);
    const object = c.req.query('object');
    if (!object) throw badRequest('object is required', [{ field: 'object', message: 'is required' }]);
    if (!readable(c, object)) throw notFound(`No object named "${object}"`);
    return c.json({ data: await workflows.manualFor(object) });
  });
  app.post('/validate', async (c) => {
    admin(c);
    return c.json(await workflows.validate(await readJson(c, bodyLimit)));
  });
  app.get('/:id', async (c) => {
    admin(c);
    return c.json(await workflows.store.get(c.req.param('id')));
  });
  app.patch('/:id', async (c) => {
    admin(c);
    return c.json(await workflows.store.patchDraft(c.req.param('id'), await objectBody(c, bodyLimit)));
  });
  app.post('/:id/publish', async (c) => {
    const by = admin(c);
    return c.json(await workflows.store.publish(c.req.param('id'), by));
  });
  for (const [path, on] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(`/:id/${path}`, async (c) => {
      admin(c);
      return c.json(await workflows.store.setEnabled(c.req.param('id'), on));
    });
  }
  app.get('/:id/versions', async (c) => {
    admin(c);
    return c.json({ data: await workflows.store.versions(c.req.param('id')) });
  });
  // Admins run any published workflow; anyone else an enabled manual one on an object they
  // may read, on records they may read (each read as the caller: 404 when they cannot).
  app.post('/:id/run', async (c) => {
    const id = c.req.param('id');
    if (!c.get('principal').isAdmin) {
      const object = await workflows.manualObject(id);
      if (!object || !readable(c, object))
        throw forbidden('Only admins may run this workflow: it is not an enabled manual workflow on an object you may read');
    }
    const body = await startBody(c, bodyLimit, ['record_id', 'record_ids', 'input']);
    if (body.record_ids)
      return c.json(
        { data: await workflows.runManuallyOnEach(id, { record_ids: body.record_ids, input: body.input }, c.get('actor')) },
        202,
      );
    return c.json(await workflows.runManually(id, body, c.get('actor')), 202);
  });
  app.post('/:id/test', async (c) => {
    admin(c);
    return c.json(
      await workflows.test(c.req.param('id'), await startBody(c, bodyLimit, ['record_id', 'input', 'definition']), c.get('actor')),
    );
  });
  app.get('/:id/runs', async (c) => {
    admin(c);
    await workflows.store.get(c.req.param('id'));
    return c.json({ data: await workflows.runs.list({ workflowId: c.req.param('id') }, limitOf(c)) });
  });
  return app;
}

export function workflowRunRoutes({ workflows, bodyLimit, registry }: Deps & { registry: Registry }) {
  const app = new Hono<AppEnv>();
  // The runs of one record (GET /api/workflow-runs?object=case&record_id=…), for its timeline.
  app.get('/', async (c) => {
    admin(c);
    const object = c.req.query('object');
    const recordId = c.req.query('record_id');
    if (!object || !recordId) throw badRequest('object and record_id are required', [{ field: 'record_id', message: 'is required' }]);
    // An unknown object is a 404 as on the records routes, not an empty list that reads as "no runs".
    if (!registry.snapshot().models.has(object)) throw notFound(`No object named "${object}"`);
    return c.json({ data: await workflows.runs.list({ object, recordId }, limitOf(c)) });
  });
  app.get('/:run', async (c) => {
    admin(c);
    return c.json(await workflows.runs.get(c.req.param('run')));
  });
  app.post('/:run/retry', async (c) => {
    admin(c);
    const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : await objectBody(c, bodyLimit);
    const unknown = Object.keys(body).filter((k) => k !== 'from_step');
    if (unknown.length) throw validation(unknown.map((k) => ({ field: k, message: 'is not from_step' })));
    if (body.from_step !== undefined && typeof body.from_step !== 'string')
      throw validation([{ field: 'from_step', message: 'must be a step id (a string)' }]);
    const run = await workflows.runs.retry(c.req.param('run'), body.from_step as string | undefined);
    workflows.kick();
    return c.json(run, 202);
  });
  return app;
}

/**
 * GET /api/records/{object}/{id}/timeline, composed here so records need not know workflows:
 * the record's changes (each `kind: "change"`) with the workflow runs it triggered (`kind:
 * "workflow_run"`) merged in by time, paged by the changes' cursor. Mounted before the
 * record routes.
 */
export function recordTimelineRoutes({
  db,
  records,
  registry,
  workflows,
}: {
  db: Executor;
  records: RecordService;
  registry: Registry;
  workflows: WorkflowEngine;
}) {
  const app = new Hono<AppEnv>();
  app.get('/:object/:id/timeline', async (c) => {
    onlyParams(c, ['cursor', 'limit']);
    const { object, id } = c.req.param();
    const cursor = c.req.query('cursor');
    // Checks the caller may read the record (404 otherwise) and the cursor's syntax.
    const page = await records.timeline(object, id, c.get('actor'), { cursor, limit: c.req.query('limit') });
    const beforeHistoryId = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : undefined;
    const since = page.page.has_more ? page.data[page.data.length - 1]?.at : undefined;
    const runs = await workflows.runs.forTimeline(object, id, { beforeHistoryId, since }, { redact: !c.get('principal').isAdmin });
    const changes = page.data.map((e) => ({ ...e, kind: 'change' as const }));
    const data = [...changes, ...runs].sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1));
    const names = await timelineNames({ db, records, registry }, registry.get(object), page.data, c.get('actor'));
    return c.json({ data, page: page.page, names });
  });
  return app;
}
