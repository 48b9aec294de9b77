// Who is calling, as sessions, API keys and the people store all see it; its own module so that
// people.ts and api-keys.ts share it without importing each other.
export interface Principal {
  userId: string;
  email: string;
  /** Admin powers for this request: an admin's key narrowed to a role has none. */
  isAdmin: boolean;
  /** The user is an admin (a narrowed key then gets exactly its role's grants). */
  userIsAdmin?: boolean;
  keyId?: string;
  /** An API key's narrower role. */
  role?: string | null;
  sessionId?: string;
  csrfToken?: string;
}
