// The installed plugins as kizuna_plugins holds them, and the channel that tells every node
// a plugin changed (install, upgrade, uninstall, enable, settings).
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';

export const CHANNEL = 'kizuna_plugins';

export interface PluginState {
  name: string;
  version: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  user_id: string;
}

export async function readStates(exec: Executor): Promise<PluginState[]> {
  const rows = await exec.query<PluginState & Record<string, unknown>>(
    sql`select name, version, enabled, settings, user_id::text as user_id from kizuna_plugins order by name`,
  );
  return rows.map((r) => ({
    ...r,
    settings: (typeof r.settings === 'string' ? JSON.parse(r.settings) : r.settings) as Record<string, unknown>,
  }));
}

/** Sent in the change's transaction: the other nodes sync once it commits. */
export const notifyChanged = (tx: Executor) => tx.query(sql`select pg_notify(${CHANNEL}, 'changed')`);
