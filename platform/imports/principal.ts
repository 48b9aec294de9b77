// Its own module so that service.ts (which stores it) and run.ts (which acts as it) share it
// without importing each other.
/** Who started an import, kept so the job can act as them after a restart. */
export interface ImportPrincipal {
  userId: string;
  email: string;
  isAdmin: boolean;
  userIsAdmin?: boolean;
  role?: string | null;
  keyId?: string;
}
