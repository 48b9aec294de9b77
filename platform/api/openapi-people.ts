// People, teams, roles, the audit trail and "My account" in the OpenAPI document (issue 16):
// users with their invitations, password resets and "view as"; one's own sessions; the
// one-time password links. docs/API.md has the prose.
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
  obj,
  pathParam,
  queryParam,
  ref,
  uuid,
  type Schema,
} from './openapi-parts.ts';

// The response components live in openapi.ts; this one is only the links'.
const GONE = {
  '410': {
    description: 'The link was used (`link-used`), has expired (`link-expired`) or was withdrawn (`link-revoked`).',
    content: {
      'application/problem+json': {
        schema: ref('Problem'),
        example: {
          type: 'https://kizuna.dev/problems/link-expired',
          title: 'Gone',
          status: 410,
          detail: 'This link has expired: ask an admin for a new one',
          errors: [{ field: 'token', message: 'has expired' }],
        },
      },
    },
  },
};

/** The people schemas; `roleRoot`: role.schema.json as a component (openapi-platform.ts reads it). */
export function peopleSchemas(roleRoot: Schema): Record<string, Schema> {
  const user = {
    id: uuid,
    email: { type: 'string', format: 'email' },
    name: { type: 'string' },
    locale: { enum: ['en', 'ja'] },
    is_admin: { type: 'boolean' },
    active: { type: 'boolean' },
    pending: {
      type: 'boolean',
      readOnly: true,
      description: 'Whether they have not chosen a password yet (invited, or still to be invited).',
    },
    roles: { type: 'array', items: { type: 'string' } },
    teams: { type: 'array', items: uuid },
    created_at: instant,
    updated_at: instant,
  };
  const { id: _id, created_at: _c, updated_at: _u, pending: _p, ...userInput } = user;
  const linkDelivery = {
    purpose: { enum: ['invite', 'reset'] },
    expires_at: instant,
    emailed: { type: 'boolean', description: 'Whether the link went out by email (KIZUNA_SMTP_URL); then it is not in this answer.' },
    url: {
      type: 'string',
      description: 'The link, when it was not emailed: shown this once (only its hash is stored). The token is after `#`.',
    },
    email_error: { type: 'string', description: 'Why the email could not be sent (the link is answered instead).' },
  };
  return {
    Role: { ...roleRoot, title: 'Role' },
    // As read back: whether it is a standard role, and what in it no longer fits the metadata.
    RoleEntry: {
      ...roleRoot,
      title: 'RoleEntry',
      properties: {
        ...(roleRoot.properties as Record<string, Schema>),
        standard: { type: 'boolean' },
        problems: {
          type: 'array',
          description:
            'Scopes and field permissions naming objects, fields or operators the metadata does not have (then: path and reason). A broken scope grants nothing; requests it alone would allow are 403.',
          items: obj({ field: { type: 'string' }, message: { type: 'string' } }, ['field', 'message']),
        },
      },
    },
    RoleList: list('RoleEntry'),
    User: obj(user, ['id', 'email', 'name', 'locale', 'is_admin', 'active', 'pending', 'roles', 'teams']),
    UserList: list('User'),
    Person: obj(
      {
        id: uuid,
        name: { type: 'string' },
        kind: {
          enum: ['person', 'workflow', 'plugin'],
          description: 'A person, or the user a workflow or a plugin acts as (an automation: never offered in user pickers).',
        },
        active: { type: 'boolean', description: 'Deactivated people keep their name in history but are not offered for new values.' },
      },
      ['id', 'name', 'kind', 'active'],
    ),
    PeopleDirectory: list('Person'),
    UserInput: {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'name'],
      properties: { ...userInput, password: { type: 'string', minLength: 10, maxLength: 200, writeOnly: true } },
    },
    UserPatch: {
      type: 'object',
      additionalProperties: false,
      properties: { ...userInput, password: { type: 'string', minLength: 10, maxLength: 200, writeOnly: true } },
    },
    Team: obj(
      { id: uuid, name: { type: 'string' }, label: { oneOf: [label, { type: 'null' }] }, members: { type: 'array', items: uuid } },
      ['id', 'name', 'members'],
    ),
    TeamList: list('Team'),
    TeamInput: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, label, members: { type: 'array', items: uuid } },
    },
    Session: obj(
      {
        user: ref('User'),
        csrf_token: { type: 'string', description: 'Send as X-CSRF-Token on every POST/PATCH/PUT/DELETE of this session' },
      },
      ['user', 'csrf_token'],
    ),
    AuditEntry: obj(
      {
        id: { type: 'string' },
        kind: { enum: ['record', 'metadata', 'auth'] },
        object: { type: ['string', 'null'] },
        record_id: { type: ['string', 'null'] },
        action: { type: 'string' },
        version: { type: ['integer', 'null'] },
        changes: {},
        actor: { type: ['string', 'null'] },
        request_id: { type: ['string', 'null'] },
        via: { type: ['string', 'null'] },
        note: { oneOf: [label, { type: 'null' }] },
        at: instant,
      },
      ['id', 'kind', 'action', 'at'],
    ),
    AuditPage: obj(
      {
        data: { type: 'array', items: ref('AuditEntry') },
        page: obj({ next_cursor: { type: ['string', 'null'] }, has_more: { type: 'boolean' } }, ['next_cursor', 'has_more']),
      },
      ['data', 'page'],
    ),
    LinkDelivery: obj(linkDelivery, ['purpose', 'expires_at', 'emailed']),
    PasswordReset: {
      title: 'PasswordReset',
      oneOf: [
        obj({ method: { const: 'link' }, ...linkDelivery }, ['method', 'purpose', 'expires_at', 'emailed']),
        obj(
          {
            method: { const: 'temporary_password' },
            temporary_password: { type: 'string', description: 'Shown this once; the user signs in with it.' },
          },
          ['method', 'temporary_password'],
        ),
      ],
    },
    LinkInfo: obj(
      {
        purpose: { enum: ['invite', 'reset'] },
        email: { type: 'string' },
        name: { type: 'string' },
        locale: { enum: ['en', 'ja'] },
        expires_at: instant,
      },
      ['purpose', 'email', 'name', 'locale', 'expires_at'],
    ),
    OwnSession: obj(
      {
        id: { type: 'string', pattern: '^[0-9a-f]{16}$', description: 'Names the session; cannot be used to sign in.' },
        created_at: instant,
        last_seen_at: instant,
        expires_at: instant,
        ip: { type: ['string', 'null'] },
        user_agent: { type: ['string', 'null'] },
        current: { type: 'boolean', description: 'The session asking.' },
      },
      ['id', 'created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent', 'current'],
    ),
    OwnSessionList: list('OwnSession'),
    ViewAs: obj(
      {
        user: obj(
          { id: uuid, name: { type: 'string' }, email: { type: 'string' }, is_admin: { type: 'boolean' }, active: { type: 'boolean' } },
          ['id', 'name', 'email', 'is_admin', 'active'],
        ),
        object: { type: 'string' },
        access: obj(
          {
            read: { type: 'boolean' },
            create: { type: 'boolean' },
            update: { type: 'boolean' },
            delete: { type: 'boolean' },
            scoped: { type: 'array', items: { enum: ['read', 'create', 'update', 'delete'] } },
            read_only: { type: 'array', items: { type: 'string' } },
            override: { type: 'boolean' },
            transfer: { type: 'boolean' },
          },
          ['read', 'create', 'update', 'delete', 'scoped', 'read_only', 'override', 'transfer'],
        ),
        fields: {
          type: 'array',
          items: obj({ name: { type: 'string' }, level: { enum: ['hidden', 'read', 'write'] } }, ['name', 'level']),
        },
        data: { type: 'array', items: { type: 'object', additionalProperties: true } },
        page: obj({ next_cursor: { type: ['string', 'null'] }, has_more: { type: 'boolean' } }, ['next_cursor', 'has_more']),
      },
      ['user', 'object', 'access', 'fields', 'data', 'page'],
    ),
  };
}

const people = ['People'];
const account = ['Sign-in'];
const userId = pathParam('id', 'The user id.');
const teamId = pathParam('id', 'The team id.');
const roleName = pathParam('name', 'The role name.', { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' });
const sendEmail = {
  send_email: { type: 'boolean', default: true, description: 'false: answer the link even when SMTP is configured.' },
};
const listParams = ['filter', 'sort', 'limit', 'cursor', 'fields', 'include', 'q', 'count', 'sum', 'trashed'].map((n) =>
  queryParam(n, `As in GET /api/records/{object}, evaluated with the user's permissions.`),
);

export const peoplePaths: Record<string, Schema> = {
  '/api/people': {
    get: {
      operationId: 'listPeople',
      tags: people,
      summary: 'The people directory: every user by name, for any signed-in user',
      description:
        "Names only (no email, roles or teams): for history, user fields and pickers. Workflows' and plugins' users are listed with their kind.",
      parameters: [queryParam('kind', 'Only people, workflows or plugins.', { enum: ['person', 'workflow', 'plugin'] })],
      responses: { '200': json(ref('PeopleDirectory'), 'Everyone, by name.'), ...READ },
    },
  },
  '/api/users': {
    get: {
      operationId: 'listUsers',
      tags: people,
      summary: 'List users (admins)',
      parameters: [queryParam('active', 'true or false: only active or only deactivated users.', { type: 'boolean' })],
      responses: { '200': json(ref('UserList'), 'Users.'), ...READ },
    },
    post: {
      operationId: 'createUser',
      tags: people,
      summary: 'Create a user (admins)',
      requestBody: body(ref('UserInput')),
      responses: { '201': json(ref('User'), 'Created.'), ...WRITE, ...CONFLICT },
    },
  },
  '/api/users/{id}': {
    parameters: [userId],
    get: {
      operationId: 'getUser',
      tags: people,
      summary: 'A user (admins)',
      responses: { '200': json(ref('User'), 'The user.'), ...READ, ...NOT_FOUND },
    },
    patch: {
      operationId: 'updateUser',
      tags: people,
      summary: 'Change a user (admins); a password change or deactivation ends their sessions',
      requestBody: body(ref('UserPatch')),
      responses: { '200': json(ref('User'), 'The user.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
    delete: {
      operationId: 'deactivateUser',
      tags: people,
      summary: 'Deactivate a user (never deleted: their records keep pointing at them)',
      responses: { ...NO_CONTENT, ...READ, ...NOT_FOUND },
    },
  },
  '/api/teams': {
    get: {
      operationId: 'listTeams',
      tags: people,
      summary: 'List teams (admins)',
      responses: { '200': json(ref('TeamList'), 'Teams.'), ...READ },
    },
    post: {
      operationId: 'createTeam',
      tags: people,
      summary: 'Create a team (admins)',
      requestBody: body(ref('TeamInput')),
      responses: { '201': json(ref('Team'), 'Created.'), ...WRITE, ...CONFLICT },
    },
  },
  '/api/teams/{id}': {
    parameters: [teamId],
    get: {
      operationId: 'getTeam',
      tags: people,
      summary: 'A team (admins)',
      responses: { '200': json(ref('Team'), 'The team.'), ...READ, ...NOT_FOUND },
    },
    patch: {
      operationId: 'updateTeam',
      tags: people,
      summary: 'Change a team (admins)',
      requestBody: body(ref('TeamInput')),
      responses: { '200': json(ref('Team'), 'The team.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
    delete: {
      operationId: 'deleteTeam',
      tags: people,
      summary: 'Delete a team (admins)',
      responses: { ...NO_CONTENT, ...READ, ...NOT_FOUND },
    },
  },
  '/api/roles': {
    get: {
      operationId: 'listRoles',
      tags: people,
      summary: 'List roles (admins)',
      responses: { '200': json(ref('RoleList'), 'Roles.'), ...READ },
    },
    post: {
      operationId: 'createRole',
      tags: people,
      summary: 'Create a role (admins)',
      requestBody: body(ref('Role')),
      responses: { '201': json(ref('Role'), 'Created.'), ...WRITE, ...CONFLICT },
    },
  },
  '/api/roles/{name}': {
    parameters: [roleName],
    get: {
      operationId: 'getRole',
      tags: people,
      summary: 'A role (admins)',
      responses: { '200': json(ref('RoleEntry'), 'The role.'), ...READ, ...NOT_FOUND },
    },
    put: {
      operationId: 'replaceRole',
      tags: people,
      summary: 'Replace a role (admins)',
      requestBody: body(ref('Role')),
      responses: { '200': json(ref('Role'), 'The role.'), ...WRITE, ...NOT_FOUND },
    },
    delete: {
      operationId: 'deleteRole',
      tags: people,
      summary: 'Delete a role nobody holds (admins)',
      responses: { ...NO_CONTENT, ...READ, ...NOT_FOUND, ...CONFLICT },
    },
  },
  '/api/audit': {
    get: {
      operationId: 'listAudit',
      tags: people,
      summary: 'The audit trail, newest first (admins)',
      parameters: [
        queryParam('actor', 'A user id.', uuid),
        queryParam('object', 'An object name.'),
        queryParam('kind', 'record, metadata or auth.', { enum: ['record', 'metadata', 'auth'] }),
        queryParam('record_id', 'A record id.', uuid),
        queryParam('since', 'From this instant.', instant),
        queryParam('until', 'Up to this instant.', instant),
        queryParam('cursor', 'The next_cursor of the previous page.'),
        queryParam('limit', 'Entries per page.', { type: 'integer', minimum: 1, maximum: 500, default: 50 }),
      ],
      responses: { '200': json(ref('AuditPage'), 'A page of entries.'), ...READ },
    },
  },
  '/api/users/{id}/invitation': {
    parameters: [userId],
    post: {
      operationId: 'inviteUser',
      tags: people,
      summary: 'Send a user without a password a one-time link to choose one (admins)',
      description:
        "By email when SMTP is configured (KIZUNA_SMTP_URL), in the user's language; else the link is in the answer, this once. A newer link withdraws older ones; a link works once, for 7 days. A user who already has a password or is deactivated: 409 naming `password` or `active`.",
      requestBody: {
        required: false,
        content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: sendEmail } } },
      },
      responses: { '201': json(ref('LinkDelivery'), 'Issued.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
  },
  '/api/users/{id}/password-reset': {
    parameters: [userId],
    post: {
      operationId: 'resetUserPassword',
      tags: people,
      summary: "Reset a user's password: a one-time link, or a temporary password shown once (admins)",
      description:
        "Either way the user's sessions end when the new password is set (at once for a temporary password). A link works once, for 24 hours. A deactivated user: 409 naming `active`.",
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: { method: { enum: ['link', 'temporary_password'], default: 'link' }, ...sendEmail },
            },
          },
        },
      },
      responses: { '201': json(ref('PasswordReset'), 'Done.'), ...WRITE, ...NOT_FOUND, ...CONFLICT },
    },
  },
  '/api/users/{id}/view-as/{object}': {
    parameters: [userId, pathParam('object', 'An object name.', { type: 'string' })],
    get: {
      operationId: 'viewAsUser',
      tags: people,
      summary: "An object's list as a user would get it, and which fields they see (admins)",
      description:
        "The user's scopes applied and hidden fields absent, as their own request would answer (a hidden field in sort or filter: 403 naming it). An object they may not read: `access.read` false and no records.",
      parameters: listParams,
      responses: { '200': json(ref('ViewAs'), "The user's view."), ...READ, ...NOT_FOUND },
    },
  },
  '/api/auth/sessions': {
    get: {
      operationId: 'listOwnSessions',
      tags: account,
      summary: 'Your signed-in sessions (browsers), newest first',
      responses: { '200': json(ref('OwnSessionList'), 'Live sessions.'), ...READ },
    },
    delete: {
      operationId: 'endOtherSessions',
      tags: account,
      summary: 'Sign out everywhere else (the session asking stays)',
      responses: { '200': json(obj({ ended: { type: 'integer' } }, ['ended']), 'How many sessions ended.'), ...READ },
    },
  },
  '/api/auth/sessions/{id}': {
    parameters: [pathParam('id', 'A session id from GET /api/auth/sessions.', { type: 'string' })],
    delete: {
      operationId: 'endOwnSession',
      tags: account,
      summary: 'Sign one of your sessions out',
      responses: { ...NO_CONTENT, ...READ, ...NOT_FOUND },
    },
  },
  '/api/auth/password-link': {
    post: {
      operationId: 'inspectPasswordLink',
      tags: account,
      summary: 'Who a one-time password link is for, while it works',
      security: [],
      description:
        'Refused clearly: an unknown token 404; a used one 410 `link-used`, an expired one 410 `link-expired`, one withdrawn by a newer link or a deactivation 410 `link-revoked` (each naming `token`).',
      requestBody: body(obj({ token: { type: 'string' } }, ['token'])),
      responses: { '200': json(ref('LinkInfo'), 'The link works.'), ...WRITE, ...NOT_FOUND, ...GONE },
    },
  },
  '/api/auth/password-link/complete': {
    post: {
      operationId: 'completePasswordLink',
      tags: account,
      summary: 'Choose a password with a one-time link, and sign in',
      security: [],
      description:
        "Works once. Ends the user's other sessions and opens one (kizuna_session cookie). Refusals as for the link's inspection.",
      requestBody: body(
        obj({ token: { type: 'string' }, password: { type: 'string', minLength: 10, maxLength: 200 } }, ['token', 'password']),
      ),
      responses: { '200': json(ref('Session'), 'Signed in.'), ...WRITE, ...NOT_FOUND, ...GONE },
    },
  },
};
