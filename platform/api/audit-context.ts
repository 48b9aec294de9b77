// Who a request acts as, in the shape the auth stores write to the audit trail.
import type { Context } from 'hono';
import type { AuditContext } from '../auth/index.ts';
import type { AppEnv } from '../plugins/index.ts';

export const auditCtx = (c: Context<AppEnv>): AuditContext => ({
  actor: c.get('principal').userId,
  requestId: c.get('requestId'),
  via: c.get('actor').via,
});
