// The people directory: who a user id is, by name, for every signed-in user (issue 16) — the
// timeline's actors, user fields, user pickers. Nothing else about a person is in it.
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';
import { UUID } from './shapes.ts';

export type PersonKind = 'person' | 'workflow' | 'plugin';

export interface DirectoryEntry {
  id: string;
  name: string;
  kind: PersonKind;
  active: boolean;
}

/** Workflows and plugins act as users of their own (users.ts `systemUser`), told apart by address. */
export function kindOfEmail(email: string): PersonKind {
  const e = email.toLowerCase();
  if (e.endsWith('@workflows.kizuna.invalid')) return 'workflow';
  if (e.endsWith('@plugins.kizuna.invalid')) return 'plugin';
  return 'person';
}

/** Everyone, by name (`ids`: only these; ids that are not uuids are skipped). */
export async function readDirectory(exec: Executor, ids?: string[]): Promise<DirectoryEntry[]> {
  const wanted = ids?.filter((id) => UUID.test(id));
  if (wanted && !wanted.length) return [];
  const rows = await exec.query<{ id: string; name: string; email: string; active: boolean }>(
    sql`select id::text as id, name, email, active from kizuna_users
      ${wanted ? sql`where id = any(string_to_array(${wanted.join(',')}, ',')::uuid[])` : sql``} order by lower(name), id`,
  );
  return rows.map((r) => ({ id: r.id, name: r.name, kind: kindOfEmail(r.email), active: r.active }));
}
