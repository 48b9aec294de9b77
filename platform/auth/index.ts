export { createApiKeyStore, newKeySecret, type ApiKeyStore, type ApiKeyView } from './api-keys.ts';
export { bootstrapAdmin, setupHash, type BootstrapResult } from './bootstrap.ts';
export { createPeopleStore, AUTH_CHANNEL, type PeopleStore, type Principal, type UserView, type AuditContext } from './people.ts';
export { createSessionStore, SESSION_COOKIE, type SessionStore, type SessionInfo } from './sessions.ts';
export { login, LOGIN_LIMITS } from './login.ts';
export { completeSetup, setupStatus } from './setup.ts';
export { hashPassword, verifyPassword, passwordProblem } from './passwords.ts';
export { objectPermissions, defaultOwnerField, type Caller, type RoleDef, type Verb, type FieldLevel } from './permissions.ts';
export { roleProblems, type ScopeFilterCheck } from './role-check.ts';
