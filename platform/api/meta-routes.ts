// /api/meta: object and field definitions. Every write may be a dry run (?dry_run=true)
// answering the migration plan without changing anything.
import { Hono, type Context } from 'hono';
import type { Registry } from '../metadata/index.ts';
import { metaOps } from '../metadata/index.ts';
import type { Mutator } from '../metadata/index.ts';
import { fieldTypeCatalog, type ObjectModel } from '../model/index.ts';
import { forbidden, notFound } from '../problems/index.ts';
import { accessSummary, snapshotFor } from '../query/index.ts';
import { flag, onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

export function metaRoutes({ registry, bodyLimit }: { registry: Registry; bodyLimit: number }) {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && !c.get('principal').isAdmin) throw forbidden('Changing metadata needs an admin');
    await next();
  });

  const write = async (c: Context<AppEnv>, status: 200 | 201, mutator: () => Mutator<string>, objectName?: (v: string) => string) => {
    onlyParams(c, ['dry_run']);
    const dryRun = flag(c, 'dry_run');
    const result = await registry.change(mutator(), {
      dryRun,
      actor: c.get('principal').userId,
      requestId: c.get('requestId'),
      via: c.get('actor').via,
    });
    if (dryRun) return c.json({ dry_run: true, plan: result.plan });
    const name = objectName ? objectName(result.value) : result.value;
    const model = result.snapshot.models.get(name);
    return model ? c.json(model.def, status) : c.body(null, 204);
  };

  // Reads answer the caller's view: objects it may read, fields it may see, and in
  // x-kizuna-access what it may do (admins see everything, with every right).
  const view = (c: Context<AppEnv>, model: ObjectModel) => ({
    ...model.def,
    'x-kizuna-access': accessSummary(registry.get(model.name), c.get('actor').access),
  });
  // The field-type table as clients need it: which filters and sorts each type takes.
  app.get('/field-types', (c) => {
    onlyParams(c, []);
    return c.json({ data: fieldTypeCatalog() });
  });
  app.get('/objects', (c) => {
    onlyParams(c, []);
    const snapshot = snapshotFor(registry.snapshot(), c.get('actor').access);
    return c.json({ data: [...snapshot.models.values()].map((m) => view(c, m)) });
  });
  app.get('/objects/:object', (c) => {
    onlyParams(c, []);
    const name = c.req.param('object');
    const model = snapshotFor(registry.snapshot(), c.get('actor').access).models.get(name);
    if (model) return c.json(view(c, model));
    // An object the caller may not read is a 403, as on the records routes, so clients can say
    // "no access" rather than "not found"; only a name no object has is a 404.
    if (registry.snapshot().models.has(name))
      throw forbidden(`You may not read ${name} records`, [{ field: name, message: 'read is not permitted' }]);
    throw notFound(`No object named "${name}"`);
  });
  app.post('/objects', async (c) => {
    const body = await readJson(c, bodyLimit);
    return write(c, 201, () => metaOps.createObject(body));
  });
  app.patch('/objects/:object', async (c) => {
    const body = await readJson(c, bodyLimit);
    return write(c, 200, () => metaOps.patchObject(c.req.param('object'), body));
  });
  app.delete('/objects/:object', async (c) => {
    onlyParams(c, ['dry_run']);
    const dryRun = flag(c, 'dry_run');
    const result = await registry.change(metaOps.deleteObject(c.req.param('object')), {
      dryRun,
      actor: c.get('principal').userId,
      requestId: c.get('requestId'),
      via: c.get('actor').via,
    });
    return dryRun ? c.json({ dry_run: true, plan: result.plan }) : c.body(null, 204);
  });
  app.post('/objects/:object/fields', async (c) => {
    const object = c.req.param('object');
    registry.get(object);
    const body = await readJson(c, bodyLimit);
    return write(
      c,
      201,
      () => metaOps.addField(object, body),
      () => object,
    );
  });
  app.patch('/objects/:object/fields/:field', async (c) => {
    const object = c.req.param('object');
    registry.get(object);
    const body = await readJson(c, bodyLimit);
    return write(
      c,
      200,
      () => metaOps.patchField(object, c.req.param('field'), body),
      () => object,
    );
  });
  app.delete('/objects/:object/fields/:field', async (c) => {
    const object = c.req.param('object');
    return write(
      c,
      200,
      () => metaOps.deleteField(object, c.req.param('field')),
      () => object,
    );
  });
  return app;
}
