// /api/imports (upload, preview, start, progress, cancel, error report) and the export route
// /api/records/{object}/export, which app.ts mounts before the record routes so that
// "export" is never taken for a record id.
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { exportOptions, exportRecords, type ImportService } from '../imports/index.ts';
import type { Executor } from '../db/index.ts';
import type { Registry } from '../metadata/index.ts';
import { listParamNames, type ListParams } from '../query/index.ts';
import type { RecordService } from '../records/index.ts';
import { badRequest, tooLarge, ProblemError } from '../problems/index.ts';
import { onlyFilledParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

const stream = (body: AsyncIterable<Buffer>) => Readable.toWeb(Readable.from(body)) as unknown as ReadableStream;

export function importRoutes({ imports, importLimit, bodyLimit }: { imports: ImportService; importLimit: number; bodyLimit: number }) {
  const app = new Hono<AppEnv>();

  // The file is the raw request body (any content type but multipart): it streams straight
  // into storage, and a browser sends a File the same way with fetch(url, { body: file }).
  app.post('/', async (c) => {
    onlyFilledParams(c, ['object', 'filename', 'encoding', 'delimiter']);
    const object = c.req.query('object');
    if (!object) throw badRequest('?object= names the object to import into', [{ field: 'object', message: 'is required' }]);
    if (/^multipart\//i.test(c.req.header('content-type') ?? '')) {
      throw new ProblemError({
        status: 415,
        type: 'unsupported-media-type',
        title: 'Unsupported media type',
        detail: 'Send the file itself as the body (e.g. text/csv), not multipart/form-data',
      });
    }
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > importLimit) throw tooLarge(`The file is ${declared} bytes; the import limit is ${importLimit} (KIZUNA_IMPORT_LIMIT)`);
    const body = c.req.raw.body;
    if (!body) throw badRequest('The file is empty');
    const p = c.get('principal');
    const principal = { userId: p.userId, email: p.email, isAdmin: p.isAdmin, userIsAdmin: p.userIsAdmin, role: p.role, keyId: p.keyId };
    const created = await imports.create(
      {
        object,
        filename: c.req.query('filename'),
        encoding: c.req.query('encoding'),
        delimiter: c.req.query('delimiter'),
        body: body as unknown as AsyncIterable<Uint8Array>,
        limit: importLimit,
      },
      c.get('actor'),
      principal,
    );
    c.header('Location', `/api/imports/${created.id}`);
    return c.json({ ...created, state: 'uploaded' }, 201);
  });

  app.get('/', async (c) => {
    onlyFilledParams(c, ['object', 'limit', 'cursor']);
    return c.json(
      await imports.list({ object: c.req.query('object'), limit: c.req.query('limit'), cursor: c.req.query('cursor') }, c.get('actor')),
    );
  });

  app.delete('/:id', async (c) => {
    onlyFilledParams(c, []);
    await imports.remove(c.req.param('id'), c.get('actor'));
    return c.body(null, 204);
  });

  app.get('/:id', async (c) => {
    onlyFilledParams(c, []);
    return c.json(await imports.status(c.req.param('id'), c.get('actor')));
  });

  app.get('/:id/preview', async (c) => {
    onlyFilledParams(c, ['mapping', 'rows', 'create_missing', 'upsert_on', 'override']);
    let mapping: unknown;
    const m = c.req.query('mapping');
    if (m !== undefined) {
      try {
        mapping = JSON.parse(m);
      } catch {
        throw badRequest('mapping must be URL-encoded JSON', [{ field: 'mapping', message: 'is not JSON' }]);
      }
    }
    const rows = c.req.query('rows') === undefined ? undefined : Number(c.req.query('rows'));
    if (rows !== undefined && (!Number.isInteger(rows) || rows < 1 || rows > 200))
      throw badRequest('rows must be 1–200', [{ field: 'rows', message: 'must be 1–200' }]);
    const createMissing = c.req.query('create_missing')?.split(',').filter(Boolean);
    const upsertOn = c.req.query('upsert_on')?.split(',').filter(Boolean);
    const override = c.req.query('override');
    if (override !== undefined && override !== 'true' && override !== 'false')
      throw badRequest('override must be true or false', [{ field: 'override', message: 'must be true or false' }]);
    return c.json(
      await imports.preview(
        c.req.param('id'),
        { mapping, rows, create_missing: createMissing, upsert_on: upsertOn, override: override === 'true' },
        c.get('actor'),
      ),
    );
  });

  app.post('/:id/start', async (c) => {
    onlyFilledParams(c, []);
    return c.json(await imports.start(c.req.param('id'), await readJson(c, bodyLimit), c.get('actor')), 202);
  });

  app.post('/:id/cancel', async (c) => {
    onlyFilledParams(c, []);
    return c.json(await imports.cancel(c.req.param('id'), c.get('actor')));
  });

  app.get('/:id/errors', async (c) => {
    onlyFilledParams(c, []);
    const imp = await imports.load(c.req.param('id'), c.get('actor'));
    const charset = imp.encoding === 'cp932' ? 'Shift_JIS' : (imp.encoding ?? 'utf-8');
    c.header('Content-Type', `text/csv; charset=${charset}`);
    c.header('Content-Disposition', `attachment; filename="import-${imp.id}-errors.csv"`);
    return c.body(stream(imports.errorReport(imp.id, c.get('actor'))));
  });

  return app;
}

export function exportRoutes({ records, registry, db }: { records: RecordService; registry: Registry; db: Executor }) {
  const app = new Hono<AppEnv>();
  const own = ['format', 'header', 'encoding', 'escape_formulas', 'relations'];
  app.get('/:object/export', async (c: Context<AppEnv>) => {
    const allowed = listParamNames.filter((n) => !['limit', 'cursor', 'include', 'count', 'sum'].includes(n));
    // The list's own parameters keep the list's reading (an empty fields= or q= is not given).
    onlyFilledParams(c, [...allowed, ...own], own);
    const params: ListParams = {};
    for (const name of allowed) if (c.req.query(name) !== undefined) params[name] = c.req.query(name);
    const opts = exportOptions({
      format: c.req.query('format'),
      header: c.req.query('header'),
      encoding: c.req.query('encoding'),
      escape_formulas: c.req.query('escape_formulas'),
      relations: c.req.query('relations'),
    });
    const out = await exportRecords({ records, registry, db }, c.req.param('object')!, params, c.get('actor'), opts);
    c.header('Content-Type', out.contentType);
    c.header('Content-Disposition', `attachment; filename="${out.filename}"`);
    return c.body(stream(out.body));
  });
  return app;
}
