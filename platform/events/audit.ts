// The audit trail beyond records: metadata, people, roles and sign-ins land in the same
// history table as record changes, so one query answers "who did what, when".
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/index.ts';

export interface AuditEntry {
  kind: 'metadata' | 'auth' | 'record';
  object: string;
  recordId?: string | null;
  action: string;
  changes?: Record<string, unknown>;
  actor?: string | null;
  requestId?: string | null;
  via?: string | null;
}

export async function writeAudit(exec: Executor, e: AuditEntry): Promise<void> {
  await exec.query(sql`insert into kizuna_history (kind, object, record_id, action, changes, actor, request_id, via)
    values (${e.kind}, ${e.object}, ${e.recordId ?? null}::uuid, ${e.action}, ${JSON.stringify(e.changes ?? {})}::jsonb,
            ${e.actor ?? null}::uuid, ${e.requestId ?? null}, ${e.via ?? null})`);
}
