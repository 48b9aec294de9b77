// /api/records/{object}: the generated records API over the records service.
import { Hono, type Context } from 'hono';
import type { BulkInput, RecordService } from '../records/index.ts';
import { badRequest } from '../problems/index.ts';
import { listParamNames, type ListParams } from '../query/index.ts';
import { flag, onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

const actorOf = (c: Context<AppEnv>) => c.get('actor');

/** `If-Match: "3"` (or W/"3" or 3) → 3. */
function ifMatch(c: Context<AppEnv>): number | undefined {
  const h = c.req.header('if-match');
  if (h === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h);
  if (!m)
    throw badRequest('If-Match must be a record version such as "3"', [
      { field: 'If-Match', message: 'must be a version in quotes, e.g. "3"' },
    ]);
  return Number(m[1]);
}

/**
 * The caller with `?override=true` (asking to override what plugins' before-hooks refuse; the
 * records service refuses it with 403 without the permission). Only true or false: a typo must
 * not silently write without the override asked for.
 */
function withOverride(c: Context<AppEnv>) {
  const v = c.req.query('override');
  if (v !== undefined && v !== 'true' && v !== 'false')
    throw badRequest('override must be true or false', [{ field: 'override', message: 'must be true or false' }]);
  return v === 'true' ? { ...actorOf(c), override: true } : actorOf(c);
}

const etag = (row: Record<string, unknown>) => `"${row.version}"`;

export function recordRoutes({ records, bodyLimit }: { records: RecordService; bodyLimit: number }) {
  const app = new Hono<AppEnv>();

  app.get('/:object', async (c) => {
    onlyParams(c, listParamNames);
    const params: ListParams = {};
    for (const name of listParamNames) if (c.req.query(name) !== undefined) params[name] = c.req.query(name);
    return c.json(await records.list(c.req.param('object'), params, actorOf(c)));
  });

  app.post('/:object/bulk', async (c) => {
    onlyParams(c, ['override']);
    const actor = withOverride(c);
    const body = (await readJson(c, bodyLimit)) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be { "records": [...] }');
    const unknown = Object.keys(body).filter((k) => !['records', 'upsert_on', 'partial'].includes(k));
    if (unknown.length)
      throw badRequest(
        `Unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
        unknown.map((k) => ({ field: k, message: 'is not a bulk option (records, upsert_on, partial)' })),
      );
    return c.json(await records.bulk(c.req.param('object'), body as unknown as BulkInput, actor));
  });

  app.get('/:object/:id', async (c) => {
    onlyParams(c, ['fields', 'include']);
    const row = await records.get(c.req.param('object'), c.req.param('id'), actorOf(c), {
      fields: c.req.query('fields'),
      include: c.req.query('include'),
    });
    c.header('ETag', etag(row));
    return c.json(row);
  });

  app.post('/:object', async (c) => {
    onlyParams(c, ['override']);
    const actor = withOverride(c);
    const row = await records.create(c.req.param('object'), await readJson(c, bodyLimit), actor);
    c.header('ETag', etag(row));
    c.header('Location', `/api/records/${c.req.param('object')}/${row.id}`);
    return c.json(row, 201);
  });

  app.patch('/:object/:id', async (c) => {
    onlyParams(c, ['override']);
    const expected = ifMatch(c);
    const actor = withOverride(c);
    const body = await readJson(c, bodyLimit);
    const row = await records.update(c.req.param('object'), c.req.param('id'), body, actor, { ifMatch: expected });
    c.header('ETag', etag(row));
    return c.json(row);
  });

  app.delete('/:object/:id', async (c) => {
    onlyParams(c, ['permanent']);
    await records.remove(c.req.param('object'), c.req.param('id'), actorOf(c), { permanent: flag(c, 'permanent'), ifMatch: ifMatch(c) });
    return c.body(null, 204);
  });

  app.post('/:object/:id/restore', async (c) => {
    onlyParams(c, []);
    const row = await records.restore(c.req.param('object'), c.req.param('id'), actorOf(c));
    c.header('ETag', etag(row));
    return c.json(row);
  });

  app.get('/:object/:id/timeline', async (c) => {
    onlyParams(c, ['cursor', 'limit']);
    return c.json(
      await records.timeline(c.req.param('object'), c.req.param('id'), actorOf(c), {
        cursor: c.req.query('cursor'),
        limit: c.req.query('limit'),
      }),
    );
  });

  return app;
}
