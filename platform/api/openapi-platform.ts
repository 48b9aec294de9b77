// The platform's own routes in the OpenAPI document: sign-in, plugins and saved views (people,
// teams, roles, the audit trail and "My account": openapi-people.ts). docs/API.md has the prose; the
// schemas of roles and views are the meta-schemas in metadata/schema, as the server uses them.
import roleJson from '../../metadata/schema/role.schema.json' with { type: 'json' };
import viewJson from '../../metadata/schema/view.schema.json' with { type: 'json' };
import {
  CONFLICT,
  NOT_FOUND,
  NO_CONTENT,
  READ,
  WRITE,
  body,
  instant,
  json,
  label,
  list,
  metaSchemaComponents,
  obj,
  pathParam,
  queryParam,
  ref,
  res,
  uuid,
  type Schema,
} from './openapi-parts.ts';
import { peoplePaths, peopleSchemas } from './openapi-people.ts';
import { searchPaths, searchSchemas, searchTag } from './openapi-search.ts';

const dryRun = queryParam('dry_run', 'true: answer the migration plan without changing anything.', { type: 'boolean', default: false });

export function platformSchemas(): Record<string, Schema> {
  const role = metaSchemaComponents(roleJson, 'Role');
  const view = metaSchemaComponents(viewJson, 'ViewDef');
  return {
    ...role.defs,
    ...view.defs,
    ...peopleSchemas(role.root),
    ...searchSchemas(),
    PluginChange: obj(
      {
        plugin: { type: 'string' },
        version: { type: 'string' },
        from: { type: 'string' },
        dry_run: { type: 'boolean' },
        purge: { type: 'boolean' },
        plan: { type: 'array', items: { type: 'object' } },
      },
      ['plugin', 'dry_run', 'plan'],
    ),
    View: {
      ...view.root,
      title: 'View',
      additionalProperties: true,
      properties: {
        ...(view.root.properties as Schema),
        id: uuid,
        shared: { type: 'boolean' },
        owner: { type: ['string', 'null'] },
        created_at: instant,
        updated_at: instant,
      },
    },
    ViewList: list('View'),
    ViewInput: { ...view.root, title: 'ViewInput', properties: { ...(view.root.properties as Schema), shared: { type: 'boolean' } } },
  };
}

const auth = ['Sign-in'];
const plugins = ['Plugins'];
/** GET /api/plugins: the keys a client needs (more are answered: docs/API.md "Plugins"). */
const pluginList = obj(
  {
    data: {
      type: 'array',
      items: obj(
        {
          name: { type: 'string' },
          title: { oneOf: [{ type: 'null' }, label] },
          description: { oneOf: [{ type: 'null' }, label] },
          available_version: { type: ['string', 'null'] },
          installed_version: { type: ['string', 'null'] },
          enabled: { type: 'boolean' },
          settings_schema: {
            type: ['object', 'null'],
            description: "The manifest's JSON Schema of the plugin's settings (what PUT …/settings validates with); null when it has none",
          },
        },
        ['name', 'title', 'description', 'available_version', 'installed_version', 'enabled', 'settings_schema'],
      ),
    },
    broken: { type: 'array', items: { type: 'object' } },
  },
  ['data', 'broken'],
);
const views = ['Views'];
const pluginName = pathParam('name', 'The plugin name.', { type: 'string' });
const viewId = pathParam('id', 'The view id.');

export const platformPaths: Record<string, Schema> = {
  '/api/auth/login': {
    post: {
      operationId: 'signIn',
      tags: auth,
      summary: 'Sign in with email and password',
      security: [],
      description:
        'Sets an HttpOnly kizuna_session cookie. Wrong email and wrong password answer the same 401. After 5 failures on an account in 15 minutes every attempt on it is a 429 with Retry-After; after 30 failures from one address its attempts are slowed down and its failures are a 429, while a right password for an account that is not locked still signs in.',
      requestBody: body(obj({ email: { type: 'string' }, password: { type: 'string' } }, ['email', 'password'])),
      responses: {
        '200': json(ref('Session'), 'Signed in.'),
        ...WRITE,
        '429': { description: 'Too many failed attempts on this account, or a failure from an address with too many; see Retry-After.' },
      },
    },
  },
  '/api/auth/setup': {
    get: {
      operationId: 'getSetupStatus',
      tags: auth,
      summary: 'Whether the first admin still waits for a password (the studio then shows its setup page)',
      security: [],
      responses: {
        '200': json(
          obj({ pending: { type: 'boolean' }, email: { type: 'string', description: "The admin's email (sign-in name), while pending" } }, [
            'pending',
          ]),
          'The setup status.',
        ),
      },
    },
    post: {
      operationId: 'setUpAdmin',
      tags: auth,
      summary: "Set the first admin's password with the one-time setup token and sign in",
      security: [],
      description:
        'The token printed on first start (when KIZUNA_ADMIN_PASSWORD is unset) works once. A wrong token is a 403 naming `token`; wrong tokens are counted like failed sign-ins (5 in 15 minutes, then 429 with Retry-After). Once the password is set: 409.',
      requestBody: body(
        obj({ token: { type: 'string' }, password: { type: 'string', minLength: 10, maxLength: 200 } }, ['token', 'password']),
      ),
      responses: {
        '200': json(ref('Session'), 'The password is set and the admin is signed in (kizuna_session cookie).'),
        ...WRITE,
        ...CONFLICT,
        '429': { description: 'Too many wrong setup tokens; see Retry-After.' },
      },
    },
  },
  '/api/auth/logout': {
    post: { operationId: 'signOut', tags: auth, summary: 'End this session on the server', responses: { ...NO_CONTENT, ...READ } },
  },
  '/api/auth/password': {
    post: {
      operationId: 'changePassword',
      tags: auth,
      summary: 'Change your own password (ends your other sessions)',
      requestBody: body(
        obj({ current_password: { type: 'string' }, new_password: { type: 'string', minLength: 10, maxLength: 200 } }, [
          'current_password',
          'new_password',
        ]),
      ),
      responses: { ...NO_CONTENT, ...WRITE },
    },
  },
  ...peoplePaths,
  ...searchPaths,
  '/api/plugins': {
    get: {
      operationId: 'listPlugins',
      tags: plugins,
      summary: 'Plugins found and their state (admins)',
      responses: { '200': json(pluginList, 'The plugins.'), ...READ },
    },
  },
  '/api/plugins/enabled': {
    get: {
      operationId: 'listEnabledPlugins',
      tags: plugins,
      summary: 'Enabled plugins and their studio extensions (everyone signed in)',
      responses: { '200': json(obj({ data: { type: 'array', items: { type: 'object' } } }, ['data']), 'Enabled plugins.'), ...READ },
    },
  },
  ...Object.fromEntries(
    (['install', 'upgrade', 'uninstall'] as const).map((verb) => [
      `/api/plugins/{name}/${verb}`,
      {
        parameters: [pluginName],
        post: {
          operationId: `${verb}Plugin`,
          tags: plugins,
          summary: `${verb[0].toUpperCase()}${verb.slice(1)} a plugin (admins), through the migrator in one transaction`,
          parameters: [
            dryRun,
            ...(verb === 'uninstall'
              ? [queryParam('purge', "true: also drop the plugin's tables and data.", { type: 'boolean', default: false })]
              : []),
          ],
          responses: {
            [verb === 'install' ? '201' : '200']: json(ref('PluginChange'), 'Done (or the plan, with dry_run).'),
            ...(verb === 'install' && { '200': json(ref('PluginChange'), 'The plan (dry run).') }),
            ...READ,
            ...NOT_FOUND,
            ...CONFLICT,
            '422': res('ValidationFailed'),
          },
        },
      },
    ]),
  ),
  ...Object.fromEntries(
    (['enable', 'disable'] as const).map((verb) => [
      `/api/plugins/{name}/${verb}`,
      {
        parameters: [pluginName],
        post: {
          operationId: `${verb}Plugin`,
          tags: plugins,
          summary: `${verb[0].toUpperCase()}${verb.slice(1)} an installed plugin (admins)`,
          responses: { ...NO_CONTENT, ...READ, ...NOT_FOUND },
        },
      },
    ]),
  ),
  '/api/plugins/{name}/after-hooks/retry': {
    parameters: [pluginName],
    post: {
      operationId: 'retryPluginAfterHooks',
      tags: plugins,
      summary: "Try a plugin's failing after-hook again now (admins)",
      responses: {
        '200': json({ type: 'object' }, 'The after-hook state afterwards (409 for a plugin without after-hooks).'),
        ...READ,
        ...NOT_FOUND,
        ...CONFLICT,
      },
    },
  },
  '/api/plugins/{name}/after-hooks/skip': {
    parameters: [pluginName],
    post: {
      operationId: 'skipPluginAfterHookEvent',
      tags: plugins,
      summary: "Skip the event a plugin's after-hook keeps failing on, audited (admins)",
      requestBody: body(
        obj({ event: { type: 'string', description: "The failing event's id (after_hooks.failing_event.id)." } }, ['event']),
      ),
      responses: { '200': json({ type: ['object', 'null'] }, 'The after-hook state afterwards.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
  },
  '/api/plugins/{name}/settings': {
    parameters: [pluginName],
    get: {
      operationId: 'getPluginSettings',
      tags: plugins,
      summary: "A plugin's settings (admins)",
      responses: { '200': json({ type: 'object' }, 'The settings.'), ...READ, ...NOT_FOUND },
    },
    put: {
      operationId: 'putPluginSettings',
      tags: plugins,
      summary: "Replace a plugin's settings, validated by its settings schema (admins)",
      requestBody: body({ type: 'object' }),
      responses: { '200': json({ type: 'object' }, 'The settings.'), ...WRITE, ...NOT_FOUND },
    },
  },
  '/api/views': {
    get: {
      operationId: 'listViews',
      tags: views,
      summary: "Shared views and the caller's own",
      parameters: [queryParam('object', 'Only views of this object.')],
      responses: { '200': json(ref('ViewList'), 'Views.'), ...READ, ...NOT_FOUND },
    },
    post: {
      operationId: 'createView',
      tags: views,
      summary: 'Save a view (personal; shared and keyed views need an admin)',
      requestBody: body(ref('ViewInput')),
      responses: { '201': json(ref('View'), 'Saved.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
  },
  '/api/views/{id}': {
    parameters: [viewId],
    get: {
      operationId: 'getView',
      tags: views,
      summary: 'A view',
      responses: { '200': json(ref('View'), 'The view.'), ...READ, ...NOT_FOUND },
    },
    patch: {
      operationId: 'updateView',
      tags: views,
      summary: 'Change name, kind, filter, sort, columns, group_by or layout',
      requestBody: body({ type: 'object' }),
      responses: { '200': json(ref('View'), 'The view.'), ...WRITE, ...NOT_FOUND },
    },
    delete: { operationId: 'deleteView', tags: views, summary: 'Delete a view', responses: { ...NO_CONTENT, ...READ, ...NOT_FOUND } },
  },
};

export const platformTags = [
  { name: 'Sign-in', description: 'Sessions for people (cookie + CSRF token); programs use API keys.' },
  { name: 'People', description: 'Users, teams, roles and the audit trail. Admins only.' },
  {
    name: 'Plugins',
    description: 'Install, upgrade, enable and configure plugins. Plugins add their own routes under /api/plugins/{name}/.',
  },
  { name: 'Views', description: 'Saved list, kanban, detail and form views.' },
  searchTag,
];
