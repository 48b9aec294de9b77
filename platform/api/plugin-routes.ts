// /api/plugins: the plugin lifecycle (admins) and each enabled plugin's own routes under
// /api/plugins/<name>/… (who may call each is declared by the plugin and checked by its host;
// they act with the caller's permissions).
import { Hono, type Context } from 'hono';
import type { PluginHost } from '../plugins/index.ts';
import { forbidden, notFound, validation } from '../problems/index.ts';
import { flag, onlyParams, readJson } from './body.ts';
import type { AppEnv } from '../plugins/index.ts';

const RESERVED = new Set(['install', 'upgrade', 'uninstall', 'enable', 'disable', 'settings', 'after-hooks']);

export function pluginRoutes({ plugins, bodyLimit }: { plugins: PluginHost; bodyLimit: number }) {
  const app = new Hono<AppEnv>();
  const admin = (c: Context<AppEnv>) => {
    if (!c.get('principal').isAdmin) throw forbidden('Managing plugins needs an admin');
    return { actor: c.get('principal').userId, requestId: c.get('requestId') };
  };

  app.get('/', async (c) => {
    admin(c);
    return c.json(await plugins.list());
  });
  // For every signed-in client (the studio loads the extensions of enabled plugins only).
  app.get('/enabled', (c) => c.json({ data: plugins.enabled() }));
  app.post('/:name/install', async (c) => {
    onlyParams(c, ['dry_run']);
    const r = await plugins.install(c.req.param('name'), { ...admin(c), dryRun: flag(c, 'dry_run') });
    return c.json(r, r.dry_run ? 200 : 201);
  });
  app.post('/:name/upgrade', async (c) => {
    onlyParams(c, ['dry_run']);
    return c.json(await plugins.upgrade(c.req.param('name'), { ...admin(c), dryRun: flag(c, 'dry_run') }));
  });
  app.post('/:name/uninstall', async (c) => {
    onlyParams(c, ['dry_run', 'purge']);
    return c.json(await plugins.uninstall(c.req.param('name'), { ...admin(c), dryRun: flag(c, 'dry_run'), purge: flag(c, 'purge') }));
  });
  for (const [path, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(`/:name/${path}`, async (c) => {
      await plugins.setEnabled(c.req.param('name'), enabled, admin(c));
      return c.body(null, 204);
    });
  }
  app.get('/:name/settings', async (c) => {
    admin(c);
    const settings = await plugins.settingsOf(c.req.param('name'));
    if (settings === null) throw notFound(`The plugin ${c.req.param('name')} is not installed`);
    return c.json(settings);
  });
  app.put('/:name/settings', async (c) => c.json(await plugins.putSettings(c.req.param('name'), await readJson(c, 256 * 1024), admin(c))));

  // An after-hook that keeps failing: try again now, or skip the event it fails on (audited).
  app.post('/:name/after-hooks/retry', async (c) => c.json(await plugins.retryAfterHooks(c.req.param('name'), admin(c))));
  app.post('/:name/after-hooks/skip', async (c) => {
    const o = admin(c);
    const body = (await readJson(c, 16 * 1024)) as { event?: unknown } | null;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw validation([{ field: '(root)', message: 'must be { "event": "<id>" }' }]);
    return c.json(await plugins.skipAfterHookEvent(c.req.param('name'), body.event, o));
  });

  // Everything else under a plugin's name is the plugin's own.
  app.all('/:name/*', async (c) => {
    const name = c.req.param('name');
    const first = c.req.path.split('/')[4];
    if (RESERVED.has(first)) throw notFound(`No route ${c.req.method} ${c.req.path}`);
    const res = await plugins.route(name, c.req.raw, {
      actor: c.get('actor'),
      isAdmin: c.get('principal').isAdmin,
      // No body at all reads as none; anything sent is read as any JSON body is (limit, type).
      readBody: async () => (c.req.raw.body === null || c.req.header('content-length') === '0' ? undefined : readJson(c, bodyLimit)),
    });
    if (!res) throw notFound(`No enabled plugin named "${name}" answers ${c.req.path}`);
    return res;
  });
  return app;
}
