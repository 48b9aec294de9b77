export { createApiKeyStore, newKeySecret, type ApiKeyStore, type ApiKeyView } from './api-keys.ts';
export { bootstrapAdmin, setupHash, type BootstrapResult } from './bootstrap.ts';
export { putShippedRole } from './roles.ts';
export { createPeopleStore, AUTH_CHANNEL, type PeopleStore, type UserView } from './people.ts';
export type { AuditContext } from './audit-context.ts';
export type { Principal } from './principal.ts';
export { createSessionStore, SESSION_COOKIE, type SessionStore, type SessionInfo, type SessionView } from './sessions.ts';
export {
  createPasswordLinks,
  LINK_TTL_MS,
  type IssuedLink,
  type LinkInfo,
  type LinkPurpose,
  type PasswordLinks,
} from './password-links.ts';
export { login, LOGIN_LIMITS } from './login.ts';
export { completeSetup, setupStatus } from './setup.ts';
export { hashPassword, verifyPassword, passwordProblem, temporaryPassword } from './passwords.ts';
export {
  objectPermissions,
  defaultOwnerField,
  denied,
  unrestricted,
  bindVariables,
  scopeFieldsOf,
  type Caller,
  type Condition,
  type ObjectPermissions,
  type RoleDef,
  type Scope,
  type Verb,
  type FieldLevel,
} from './permissions.ts';
export { roleProblems, userFieldProblem, type ScopeFilterCheck } from './role-check.ts';
export {
  insertUser,
  updateUserRow,
  replacePasswordHash,
  passwordHashOf,
  systemUser as createSystemUser,
  type NewUser,
  type UserChanges,
} from './users.ts';
export { readDirectory, kindOfEmail, type DirectoryEntry, type PersonKind } from './directory.ts';
